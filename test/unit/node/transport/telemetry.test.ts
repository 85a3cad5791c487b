import { afterEach, describe, expect, it } from 'vitest';
import { Pull, Push } from 'zeromq';
import { encodeFrame } from '../../../../src/contract/codec';
import type { TelemetryBatch, TelemetryEvent } from '../../../../src/contract/telemetry';
import { TelemetryCollector } from '../../../../src/lab/sockets/telemetryCollector';
import { TelemetryPublisher, type TelemetryPublisherOptions } from '../../../../src/node/transport/telemetryPublisher';
import { ipcDir, waitFor } from '../../wire/helpers';

const CLUSTER = 'telemetry-test';
const MAX = 1 << 20;
const cleanup: Array<() => unknown> = [];

afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function collector(bindAddress = 'tcp://127.0.0.1:0') {
  const batches: TelemetryBatch[] = [];
  const c = await TelemetryCollector.open({ clusterId: CLUSTER, bindAddress, maxFrameBytes: MAX, onBatch: (b) => batches.push(b) });
  cleanup.push(() => c.close());
  return { collector: c, batches };
}

function publisher(address: string, extra: Partial<TelemetryPublisherOptions> = {}) {
  const p = new TelemetryPublisher({ clusterId: CLUSTER, nodeId: 3, address, maxFrameBytes: MAX, lingerMs: 0, ...extra });
  cleanup.push(() => p.close());
  return p;
}

const commit = (index: number): TelemetryEvent => ({ t: index, type: 'commit', index });
const indexes = (batches: TelemetryBatch[]) => batches.flatMap((b) => b.events.map((e) => (e.type === 'commit' ? e.index : -1)));

describe('TelemetryPublisher and TelemetryCollector', () => {
  for (const kind of ['tcp', 'ipc'] as const) {
    it(`delivers events in order, in batches, over ${kind}`, async () => {
      const ipc = ipcDir();
      cleanup.push(ipc.remove);
      const { collector: c, batches } = await collector(kind === 'tcp' ? 'tcp://127.0.0.1:0' : ipc.endpoint('telemetry.sock'));
      // Startup events must survive the connection handshake.
      const p = publisher(c.address, { flushIntervalMs: 20 });
      p.publish({ t: 0, type: 'ready', pid: process.pid, peerAddress: 'tcp://127.0.0.1:1', clientAddress: 'tcp://127.0.0.1:2' });
      for (let i = 1; i <= 1200; i++) p.publish(commit(i));
      await waitFor(() => batches.reduce((n, b) => n + b.events.length, 0) === 1201, 'all events');
      expect(batches[0].events[0].type).toBe('ready');
      expect(indexes(batches).slice(1)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
      expect(batches.length).toBeLessThanOrEqual(4);
      expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i));
      expect(batches.every((b) => b.node === 3)).toBe(true);
      expect(p.stats()).toMatchObject({ dropped: 0, eventsSent: 1201, pending: 0 });
      expect(c.stats()).toMatchObject({ batches: batches.length, events: 1201, seqGaps: 0 });
    });
  }

  it('keeps the newest events and counts the oldest it evicts', async () => {
    const { collector: c, batches } = await collector();
    const p = publisher(c.address, { flushIntervalMs: 1_000_000, maxPendingEvents: 10, maxBatchEvents: 100 });
    for (let i = 0; i < 100; i++) p.publish(commit(i));
    expect(p.dropped).toBe(90);
    expect(p.stats().pending).toBe(10);
    await p.drain();
    await waitFor(() => batches.length > 0, 'the batch');
    expect(indexes(batches)).toEqual(Array.from({ length: 10 }, (_, i) => 90 + i));
  });

  it('never blocks when the lab stops reading: it drops and counts instead', async () => {
    const stalled = new Pull({ linger: 0, receiveHighWaterMark: 1 });
    await stalled.bind('tcp://127.0.0.1:0');
    cleanup.push(() => stalled.close());
    const p = publisher(stalled.lastEndpoint!, { sendHighWaterMark: 1, maxBatchEvents: 10, flushIntervalMs: 5 });
    const message = 'x'.repeat(8000);
    await waitFor(
      () => {
        const started = performance.now();
        for (let i = 0; i < 200; i++) p.publish({ t: i, type: 'log', level: 'info', message });
        expect(performance.now() - started).toBeLessThan(100);
        return p.dropped > 0;
      },
      'drops under back-pressure',
      10_000,
    );
    expect(p.stats().eventsSent).toBeGreaterThan(0);
  });

  it('drops and counts invalid frames and notices sequence gaps', async () => {
    const { collector: c, batches } = await collector();
    const raw = new Push({ linger: 0 });
    cleanup.push(() => raw.close());
    raw.connect(c.address);
    await raw.send(Buffer.from([0xc1]));
    await raw.send(encodeFrame('telemetry', CLUSTER, { node: 1, seq: 0, events: [{ t: 1, type: 'gossip' } as never] }));
    await raw.send(encodeFrame('telemetry', 'other', { node: 1, seq: 0, events: [] }));
    for (const seq of [0, 1, 5]) await raw.send(encodeFrame('telemetry', CLUSTER, { node: 1, seq, events: [commit(seq)] }));
    await raw.send(encodeFrame('telemetry', CLUSTER, { node: 1, seq: 0, events: [] })); // a restart: no gap
    await waitFor(() => batches.length === 4, 'valid batches');
    expect(c.stats()).toEqual({ rejectedFrames: { malformed: 1, invalid: 1, cluster: 1 }, batches: 4, events: 3, seqGaps: 3 });
  });

  it('stops publishing after close', async () => {
    const { collector: c } = await collector();
    const p = publisher(c.address);
    p.publish(commit(1));
    p.close();
    p.publish(commit(2));
    expect(p.stats()).toMatchObject({ pending: 0, dropped: 1 });
  });
});
