import { describe, expect, it } from 'vitest';
import { checkEndpoint, isLoopbackHost } from '../../../src/wire/endpoint';
import { Ring } from '../../../src/wire/ring';
import { SendPump, type Outgoing, type PumpSocket, type SendOutcome } from '../../../src/wire/sendPump';

describe('Ring', () => {
  it('is a FIFO that grows', () => {
    const ring = new Ring<number>();
    for (let i = 0; i < 100; i++) ring.push(i);
    for (let i = 0; i < 50; i++) expect(ring.shift()).toBe(i);
    for (let i = 100; i < 200; i++) ring.push(i);
    expect(ring.length).toBe(150);
    expect(ring.peek()).toBe(50);
    expect(ring.peek(149)).toBe(199);
    expect(ring.peek(150)).toBeUndefined();
    const out: number[] = [];
    for (let v = ring.shift(); v !== undefined; v = ring.shift()) out.push(v);
    expect(out).toEqual(Array.from({ length: 150 }, (_, i) => i + 50));
    expect(ring.shift()).toBeUndefined();
  });

  it('evicts and returns the oldest item when bounded and full', () => {
    const ring = new Ring<number>(3);
    expect([ring.push(1), ring.push(2), ring.push(3)]).toEqual([undefined, undefined, undefined]);
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect([ring.shift(), ring.shift(), ring.shift(), ring.shift()]).toEqual([3, 4, 5, undefined]);
    expect(() => new Ring(0)).toThrow(RangeError);
  });

  it('stays O(1) per operation on long queues', () => {
    const ring = new Ring<number>();
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) ring.push(i);
    for (let i = 0; i < 200_000; i++) ring.shift();
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('checkEndpoint', () => {
  it('accepts loopback tcp and short ipc paths', () => {
    for (const ok of ['tcp://127.0.0.1:0', 'tcp://127.0.0.1:5555', 'tcp://localhost:1', 'tcp://[::1]:80', 'tcp://127.1.2.3:*', 'ipc:///tmp/a.sock']) {
      expect(checkEndpoint(ok)).toBe(ok);
    }
    expect(checkEndpoint(`ipc:///${'a'.repeat(106)}`)).toMatch(/^ipc/);
  });

  it('refuses everything else with a clear message', () => {
    expect(() => checkEndpoint(`ipc:///${'a'.repeat(107)}`)).toThrow(/108 bytes, the limit is 107/);
    expect(() => checkEndpoint('ipc://')).toThrow(/empty/);
    expect(() => checkEndpoint('tcp://0.0.0.0:1')).toThrow(/CURVE is required beyond it/);
    expect(() => checkEndpoint('tcp://eth0:1')).toThrow(/not loopback/);
    expect(() => checkEndpoint('tcp://127.0.0.1')).toThrow(/HOST:PORT|port/);
    expect(() => checkEndpoint('tcp://127.0.0.1:70000')).toThrow(/port/);
    expect(() => checkEndpoint('tcp://127.0.0.1:1;127.0.0.1:2')).toThrow(/source-address/);
    expect(() => checkEndpoint('inproc://x')).toThrow(/only tcp/);
    expect(() => checkEndpoint('')).toThrow(/empty/);
    expect(checkEndpoint('tcp://0.0.0.0:1', { allowNonLoopback: true })).toBe('tcp://0.0.0.0:1');
    // CURVE sockets may leave loopback (multi-host, issue 13); plaintext ones may not, even with curve: undefined.
    expect(checkEndpoint('tcp://10.0.0.7:*', { curve: { keys: 'k' } })).toBe('tcp://10.0.0.7:*');
    expect(() => checkEndpoint('tcp://10.0.0.7:*', { curve: undefined })).toThrow(/not loopback/);
    expect(() => checkEndpoint('tcp://10.0.0.7:*', { curve: {}, allowNonLoopback: false })).toThrow(/not loopback/);
    expect(isLoopbackHost('127.0.0.256')).toBe(false);
  });
});

/** A fake socket whose sends succeed, fail, or throw synchronously as scripted. */
class FakeSocket {
  closed = false;
  sent: unknown[] = [];
  script: Array<'ok' | 'EAGAIN' | 'EBUSY-sync' | 'weird'> = [];
  send(message: unknown): Promise<void> {
    const step = this.script.shift() ?? 'ok';
    if (step === 'EBUSY-sync') throw Object.assign(new Error('Socket is busy writing'), { code: 'EBUSY' });
    if (step === 'EAGAIN') return Promise.reject(Object.assign(new Error('again'), { code: 'EAGAIN' }));
    if (step === 'weird') return Promise.reject(new Error('weird'));
    this.sent.push(message);
    return Promise.resolve();
  }
}

describe('SendPump', () => {
  function pump(socket: FakeSocket, items: number[]) {
    const outcomes: Array<[number, SendOutcome]> = [];
    const errors: string[] = [];
    const p = new SendPump<number>(socket as unknown as PumpSocket, {
      next: (): Outgoing<number> | undefined => {
        const n = items.shift();
        return n === undefined ? undefined : { message: Uint8Array.of(n), context: n };
      },
      settled: (item, outcome) => outcomes.push([item.context, outcome]),
      onError: (error, context) => errors.push(`${context}: ${(error as Error).message}`),
    });
    return { p, outcomes, errors };
  }

  it('sends everything, one at a time, and classifies failures without getting stuck', async () => {
    const socket = new FakeSocket();
    socket.script = ['ok', 'EAGAIN', 'EBUSY-sync', 'weird', 'ok'];
    const items = [1, 2, 3, 4, 5];
    const { p, outcomes, errors } = pump(socket, items);
    p.kick();
    p.kick(); // coalesced
    await p.idle();
    expect(outcomes).toEqual([[1, 'sent'], [2, 'dropped'], [3, 'error'], [4, 'error'], [5, 'sent']]);
    expect(errors).toHaveLength(2);
    expect(p.busy).toBe(false);
    // Still usable after failures: the sending flag was reset.
    items.push(6);
    p.kick();
    await p.idle();
    expect(outcomes.at(-1)).toEqual([6, 'sent']);
  });

  it('batches what one synchronous step produced into the first pull', async () => {
    const socket = new FakeSocket();
    const items: number[] = [];
    const { p } = pump(socket, items);
    for (let i = 0; i < 3; i++) {
      items.push(i);
      p.kick();
    }
    expect(socket.sent).toEqual([]); // nothing before the microtask
    await p.idle();
    expect(socket.sent).toHaveLength(3);
  });

  it('stops at a closed socket and resolves idle waiters', async () => {
    const socket = new FakeSocket();
    socket.closed = true;
    const { p, outcomes } = pump(socket, [1]);
    p.kick();
    await p.idle();
    expect(outcomes).toEqual([]);
  });
});
