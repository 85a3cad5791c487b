import { afterEach, describe, expect, it } from 'vitest';
import { Pull, Push } from 'zeromq';
import { decodeFrame, encodeFrame } from '../../../../src/contract/codec';
import { FaultInjector } from '../../../../src/node/faults/faultInjector';
import { PeerTransport, type PeerTransportOptions } from '../../../../src/node/transport/peerTransport';
import type { Message } from '../../../../src/raft/types';
import { ipcDir, repeatUntil, waitFor } from '../../wire/helpers';

const CLUSTER = 'peer-test';
const MAX = 1 << 20;
const cleanup: Array<() => unknown> = [];

afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function node(self: number, bindAddress: string, extra: Partial<PeerTransportOptions> = {}) {
  const received: Message[] = [];
  const errors: string[] = [];
  const transport = await PeerTransport.open({
    clusterId: CLUSTER,
    self,
    bindAddress,
    maxFrameBytes: MAX,
    onMessage: (m) => received.push(m),
    onError: (error, context) => errors.push(`${context}: ${String(error)}`),
    ...extra,
  });
  cleanup.push(() => transport.close());
  return { transport, received, errors };
}

async function rawPull(address = 'tcp://127.0.0.1:0') {
  const socket = new Pull({ linger: 0 });
  await socket.bind(address);
  cleanup.push(() => socket.close());
  return socket;
}

const heartbeat = (from: number, to: number, seq: number): Message => ({ type: 'heartbeat', from, to, term: 1, commit: 0, seq });

describe('PeerTransport', () => {
  for (const kind of ['tcp', 'ipc'] as const) {
    it(`delivers messages both ways over ${kind}`, async () => {
      const ipc = ipcDir();
      cleanup.push(ipc.remove);
      const addressFor = (n: number) => (kind === 'tcp' ? 'tcp://127.0.0.1:0' : ipc.endpoint(`n${n}.sock`));
      const a = await node(1, addressFor(1));
      const b = await node(2, addressFor(2));
      expect(a.transport.address).toMatch(kind === 'tcp' ? /^tcp:\/\/127\.0\.0\.1:\d+$/ : /^ipc:\/\//);
      expect(a.transport.address).not.toMatch(/:0$/);
      a.transport.setPeer(2, b.transport.address);
      b.transport.setPeer(1, a.transport.address);
      let seq = 0;
      await repeatUntil(() => a.transport.send(heartbeat(1, 2, seq++)), () => b.received.length > 0, 'a -> b');
      await repeatUntil(() => b.transport.send(heartbeat(2, 1, 7)), () => a.received.length > 0, 'b -> a');
      expect(a.received[0]).toEqual(heartbeat(2, 1, 7));
      expect(b.received[0]).toMatchObject({ type: 'heartbeat', from: 1, to: 2 });
      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
    });
  }

  it('batches messages queued in one step into one frame', async () => {
    const a = await node(1, 'tcp://127.0.0.1:0');
    const raw = await rawPull();
    a.transport.setPeer(9, raw.lastEndpoint!);
    const frames: Message[][] = [];
    const loop = (async () => {
      for await (const [frame] of raw) {
        const decoded = decodeFrame(frame, { clusterId: CLUSTER, kinds: ['raft'], maxBytes: MAX });
        if (!decoded.ok) throw new Error(decoded.detail);
        frames.push(decoded.body.messages);
      }
    })().catch((error: unknown) => {
      if (!raw.closed) throw error;
    });
    await repeatUntil(() => a.transport.send(heartbeat(1, 9, 0)), () => frames.length > 0, 'the link to come up');
    const before = frames.length;
    for (let i = 1; i <= 500; i++) a.transport.send(heartbeat(1, 9, i));
    await waitFor(() => frames.slice(before).flat().filter((m) => m.type === 'heartbeat' && m.seq > 0).length === 500, '500 messages');
    const burst = frames.slice(before).filter((f) => f.some((m) => m.type === 'heartbeat' && m.seq > 0));
    expect(burst.length).toBeLessThanOrEqual(2);
    const seqs = burst.flat().map((m) => (m.type === 'heartbeat' ? m.seq : -1));
    expect(seqs.filter((s) => s > 0)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    const stats = a.transport.stats();
    expect(stats.traffic['9'].heartbeat.sent).toBeGreaterThanOrEqual(501);
    raw.close();
    await loop;
  });

  it('splits batches at maxFrameBytes and drops single messages that cannot fit', async () => {
    const limit = 4096;
    const errors: string[] = [];
    const a = await node(1, 'tcp://127.0.0.1:0', { maxFrameBytes: limit, onError: (e) => errors.push(String(e)) });
    const raw = await rawPull();
    a.transport.setPeer(9, raw.lastEndpoint!);
    const sizes: number[] = [];
    let messages = 0;
    const loop = (async () => {
      for await (const [frame] of raw) {
        sizes.push(frame.byteLength);
        const decoded = decodeFrame(frame, { clusterId: CLUSTER, kinds: ['raft'], maxBytes: limit });
        if (decoded.ok) messages += decoded.body.messages.length;
      }
    })().catch((error: unknown) => {
      if (!raw.closed) throw error;
    });
    await repeatUntil(() => a.transport.send(heartbeat(1, 9, 0)), () => sizes.length > 0, 'the link to come up');
    const before = messages;
    const append = (i: number, dataBytes = 1000): Message => ({
      type: 'append', from: 1, to: 9, term: 1, prevIndex: i, prevTerm: 1, commit: 0,
      entries: [{ index: i + 1, term: 1, kind: 'command', data: new Uint8Array(dataBytes) }],
    });
    for (let i = 0; i < 20; i++) a.transport.send(append(i));
    a.transport.send(append(99, limit));
    await waitFor(() => messages - before === 20, '20 appends');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(limit);
    expect(a.transport.stats().dropped.oversized).toBe(1);
    expect(errors.some((e) => e.includes('exceeds maxFrameBytes'))).toBe(true);
    raw.close();
    await loop;
  });

  it('drops and counts malformed frames from a raw socket while good traffic keeps flowing', async () => {
    const a = await node(1, 'tcp://127.0.0.1:0');
    const b = await node(2, 'tcp://127.0.0.1:0');
    a.transport.setPeer(2, b.transport.address);
    const raw = new Push({ linger: 0 });
    cleanup.push(() => raw.close());
    raw.connect(b.transport.address);
    // 0xc1 is the one byte msgpack never uses: malformed from its first byte. (Random bytes were
    // flaky here: now and then they began like a map header and were refused by the bounds pre-scan.)
    await raw.send(Buffer.alloc(100, 0xc1)); // waits for the connection (immediate is off on this raw socket)
    await raw.send(encodeFrame('raft', 'other-cluster', [heartbeat(5, 2, 1)]));
    await raw.send(encodeFrame('client', CLUSTER, { requests: [] }));
    await raw.send(encodeFrame('raft', CLUSTER, [heartbeat(5, 3, 1)])); // for node 3
    await raw.send([encodeFrame('raft', CLUSTER, [heartbeat(5, 2, 1)]), Buffer.from('x')]);
    await raw.send(new Uint8Array(MAX + 1));
    await raw.send(encodeFrame('raft', CLUSTER, [heartbeat(5, 2, 42)]));
    await waitFor(() => b.received.some((m) => m.from === 5), 'the good raw frame');
    let seq = 0;
    await repeatUntil(() => a.transport.send(heartbeat(1, 2, seq++)), () => b.received.some((m) => m.from === 1), 'a -> b');
    expect(b.transport.stats().rejectedFrames).toEqual({ malformed: 1, cluster: 1, type: 1, misrouted: 1, parts: 1, oversized: 1 });
    expect(b.received.filter((m) => m.from === 5)).toEqual([heartbeat(5, 2, 42)]);
    expect(b.errors).toEqual([]);
  });

  it('does not let a down or stalled peer block the others', async () => {
    const a = await node(1, 'tcp://127.0.0.1:0', { sendHighWaterMark: 2 });
    const b = await node(2, 'tcp://127.0.0.1:0');
    // Peer 3: bound but never reads (a paused process); peer 4: nothing listening.
    const stalled = new Pull({ linger: 0, receiveHighWaterMark: 1 });
    await stalled.bind('tcp://127.0.0.1:0');
    cleanup.push(() => stalled.close());
    const ghost = await rawPull();
    const ghostAddress = ghost.lastEndpoint!;
    ghost.close();
    a.transport.setPeer(2, b.transport.address);
    a.transport.setPeer(3, stalled.lastEndpoint!);
    a.transport.setPeer(4, ghostAddress);
    await repeatUntil(() => a.transport.send(heartbeat(1, 2, 0)), () => b.received.length > 0, 'a -> b');
    const big: Message = {
      type: 'append', from: 1, to: 3, term: 1, prevIndex: 0, prevTerm: 0, commit: 0,
      entries: [{ index: 1, term: 1, kind: 'command', data: new Uint8Array(100_000) }],
    };
    const start = b.received.length;
    await repeatUntil(
      () => {
        for (let i = 0; i < 20; i++) {
          a.transport.send({ ...big, to: 3 });
          a.transport.send({ ...big, to: 4 });
          a.transport.send(heartbeat(1, 2, 1));
        }
      },
      () => a.transport.stats().dropped.unreachable > 100 && b.received.length - start >= 200,
      'drops towards peers 3 and 4 while peer 2 keeps receiving',
      10_000,
    );
    const stats = a.transport.stats();
    expect(stats.traffic['2'].heartbeat.sent).toBeGreaterThanOrEqual(200);
    expect(a.errors).toEqual([]);
  });

  it('counts traffic per peer and type with matching bytes on both sides', async () => {
    const a = await node(1, 'tcp://127.0.0.1:0');
    const b = await node(2, 'tcp://127.0.0.1:0');
    a.transport.setPeer(2, b.transport.address);
    await repeatUntil(() => a.transport.send(heartbeat(1, 2, 0)), () => b.received.length > 0, 'link up');
    await a.transport.flush();
    const vote: Message = { type: 'vote', from: 1, to: 2, term: 3, lastLogIndex: 5, lastLogTerm: 2, preVote: false, transfer: false };
    for (let i = 0; i < 10; i++) a.transport.send(vote);
    await waitFor(() => b.received.filter((m) => m.type === 'vote').length === 10, '10 votes');
    const sent = a.transport.stats().traffic['2'];
    const received = b.transport.stats().traffic['1'];
    expect(sent.vote).toEqual({ sent: 10, received: 0, bytesSent: expect.any(Number), bytesReceived: 0 });
    expect(sent.vote.bytesSent).toBeGreaterThan(10 * 8);
    expect(received.vote).toEqual({ sent: 0, received: 10, bytesSent: 0, bytesReceived: sent.vote.bytesSent });
    expect(received.heartbeat.received).toBe(b.received.filter((m) => m.type === 'heartbeat').length);
  });

  it('applies outbound and inbound fault rules', async () => {
    const faultsA = new FaultInjector<Message>(1);
    const faultsB = new FaultInjector<Message>(2);
    cleanup.push(() => faultsA.close(), () => faultsB.close());
    const a = await node(1, 'tcp://127.0.0.1:0', { faults: faultsA });
    const b = await node(2, 'tcp://127.0.0.1:0', { faults: faultsB });
    a.transport.setPeer(2, b.transport.address);
    b.transport.setPeer(1, a.transport.address);
    await repeatUntil(() => a.transport.send(heartbeat(1, 2, 0)), () => b.received.length > 0, 'a -> b');
    await repeatUntil(() => b.transport.send(heartbeat(2, 1, 0)), () => a.received.length > 0, 'b -> a');
    faultsA.setRules([{ peer: 2, direction: 'out', block: true }]);
    const before = b.received.length;
    for (let i = 0; i < 10; i++) a.transport.send(heartbeat(1, 2, 100 + i));
    expect(faultsA.counters().out.blocked).toBe(10);
    // Inbound block on a: messages from 2 are received from the wire but not delivered.
    faultsA.setRules([{ peer: 2, direction: 'in', block: true }]);
    const aBefore = a.received.length;
    for (let i = 0; i < 10; i++) b.transport.send(heartbeat(2, 1, 200 + i));
    await waitFor(() => faultsA.counters().in.blocked === 10, 'inbound blocks');
    expect(a.received.length).toBe(aBefore);
    expect(b.received.length).toBe(before);
    expect(a.transport.stats().faults?.in.blocked).toBe(10);
    faultsA.setRules([]);
    await repeatUntil(() => b.transport.send(heartbeat(2, 1, 300)), () => a.received.length > aBefore, 'healed b -> a');
  });

  it('refuses non-loopback and malformed endpoints unless allowed', async () => {
    await expect(node(1, 'tcp://0.0.0.0:0')).rejects.toThrow(/not loopback/);
    await expect(node(1, 'tcp://*:0')).rejects.toThrow(/not loopback/);
    await expect(node(1, `ipc:///tmp/${'x'.repeat(120)}`)).rejects.toThrow(/107/);
    await expect(node(1, 'udp://127.0.0.1:1')).rejects.toThrow(/only tcp/);
    const a = await node(1, 'tcp://127.0.0.1:0');
    expect(() => a.transport.setPeer(2, 'tcp://10.1.2.3:5000')).toThrow(/CURVE is required beyond it/);
    const open = await node(2, 'tcp://127.0.0.1:0', { allowNonLoopback: true });
    expect(() => open.transport.setPeer(3, 'tcp://10.1.2.3:5000')).not.toThrow();
  });

  it('closes promptly with traffic in flight and ignores later sends', async () => {
    const a = await node(1, 'tcp://127.0.0.1:0');
    const b = await node(2, 'tcp://127.0.0.1:0');
    a.transport.setPeer(2, b.transport.address);
    b.transport.setPeer(1, a.transport.address);
    await repeatUntil(() => a.transport.send(heartbeat(1, 2, 0)), () => b.received.length > 0, 'a -> b');
    for (let i = 0; i < 1000; i++) a.transport.send(heartbeat(1, 2, i));
    const started = Date.now();
    await Promise.all([a.transport.close(), b.transport.close()]);
    expect(Date.now() - started).toBeLessThan(1000);
    a.transport.send(heartbeat(1, 2, 1));
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});
