import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabPush } from '../../../../src/contract/labApi';
import { PushGate, type PushSink } from '../../../../src/lab/server/pushGate';
import { encodePush } from '../../../../src/lab/server/wireMessages';
import { IDLE_LAB_STATE } from '../../../../src/contract/labApi';

/** A socket stand-in whose queued byte count the test sets directly. */
class FakeSink implements PushSink {
  buffered = 0;
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  send(data: string): void {
    const frame = JSON.parse(data) as { channel: string; payload: unknown };
    this.sent.push({ channel: frame.channel, payload: frame.payload });
  }
  bufferedAmount(): number {
    return this.buffered;
  }
}

const limits = { highWaterBytes: 1000, lowWaterBytes: 100, retryMs: 50 };

function events(n: number, t0: number): LabPush['lab:events'] {
  return { events: Array.from({ length: n }, (_, i) => ({ type: 'telemetryGap' as const, missed: 0, t: t0 + i, node: null })) };
}

function offerEvents(gate: PushGate, payload: LabPush['lab:events']): void {
  gate.offer('lab:events', payload, encodePush('lab:events', payload));
}

function offerState(gate: PushGate, runId: string): void {
  const state = { ...IDLE_LAB_STATE, runId };
  gate.offer('lab:state', state, encodePush('lab:state', state));
}

describe('PushGate back-pressure', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends straight through while the client keeps up', () => {
    const sink = new FakeSink();
    const gate = new PushGate(sink, limits);
    offerEvents(gate, events(2, 0));
    offerState(gate, 'a');
    expect(sink.sent.map((f) => f.channel)).toEqual(['lab:events', 'lab:state']);
    expect(gate.isLagging).toBe(false);
  });

  it('holds pushes above the high-water mark, keeping only the latest state and a count of events', () => {
    const sink = new FakeSink();
    const gate = new PushGate(sink, limits);
    sink.buffered = 5000;
    offerEvents(gate, events(3, 10));
    offerState(gate, 'old');
    offerEvents(gate, events(4, 20));
    offerState(gate, 'new');
    expect(sink.sent).toEqual([]);
    expect(gate.isLagging).toBe(true);
    expect(gate.droppedEvents).toBe(7);

    // Still above the low-water mark: keep waiting.
    sink.buffered = 500;
    vi.advanceTimersByTime(limits.retryMs);
    expect(sink.sent).toEqual([]);

    sink.buffered = 50;
    vi.advanceTimersByTime(limits.retryMs);
    expect(sink.sent).toEqual([
      { channel: 'lab:events', payload: { events: [{ type: 'telemetryGap', missed: 7, t: 23, node: null }] } },
      { channel: 'lab:state', payload: { ...IDLE_LAB_STATE, runId: 'new' } },
    ]);
    expect(gate.isLagging).toBe(false);

    offerEvents(gate, events(1, 30));
    expect(sink.sent).toHaveLength(3);
  });

  it('keeps holding new pushes until it has drained, so order is preserved', () => {
    const sink = new FakeSink();
    const gate = new PushGate(sink, limits);
    sink.buffered = 5000;
    offerState(gate, 'a');
    // The buffer fell below high water but the gate has not drained yet: no overtaking.
    sink.buffered = 500;
    offerState(gate, 'b');
    expect(sink.sent).toEqual([]);
  });

  it('stops retrying after close', () => {
    const sink = new FakeSink();
    const gate = new PushGate(sink, limits);
    sink.buffered = 5000;
    offerState(gate, 'a');
    gate.close();
    sink.buffered = 0;
    vi.advanceTimersByTime(limits.retryMs * 4);
    expect(sink.sent).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('PushGate back-pressure on replies', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  class PausableSink extends FakeSink {
    paused = 0;
    resumed = 0;
    terminated: string | null = null;
    readonly raw: string[] = [];
    override send(data: string): void {
      this.raw.push(data);
    }
    pauseInput(): void {
      this.paused++;
    }
    resumeInput(): void {
      this.resumed++;
    }
    terminate(reason: string): void {
      this.terminated = reason;
    }
  }

  it('queues replies in order while the client lags, stops reading its requests, and delivers them first', () => {
    const sink = new PausableSink();
    const gate = new PushGate(sink, limits);
    gate.reply('{"kind":"result","id":1}');
    expect(sink.raw).toEqual(['{"kind":"result","id":1}']);
    sink.buffered = 5000;
    gate.reply('{"kind":"result","id":2}');
    offerState(gate, 'held');
    gate.reply('{"kind":"result","id":3}');
    expect(sink.raw).toHaveLength(1);
    expect(sink.paused).toBe(1);
    expect(gate.queuedReplies).toBe(2);
    sink.buffered = 0;
    vi.advanceTimersByTime(limits.retryMs);
    expect(sink.raw.slice(1, 3)).toEqual(['{"kind":"result","id":2}', '{"kind":"result","id":3}']);
    expect(JSON.parse(sink.raw[3]) as unknown).toMatchObject({ channel: 'lab:state' });
    expect(sink.resumed).toBe(1);
    expect(gate.queuedReplies).toBe(0);
  });

  it('cuts off a client whose queued replies pass the high-water mark instead of growing memory', () => {
    const sink = new PausableSink();
    const gate = new PushGate(sink, limits);
    sink.buffered = 5000;
    for (let i = 0; i < 5; i++) gate.reply(`{"kind":"result","id":${i},"pad":"${'x'.repeat(300)}"}`);
    expect(sink.terminated).toMatch(/not reading its replies/);
    expect(vi.getTimerCount()).toBe(0);
    sink.buffered = 0;
    vi.advanceTimersByTime(limits.retryMs * 4);
    expect(sink.raw).toEqual([]);
  });
});
