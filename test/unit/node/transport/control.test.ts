import { afterEach, describe, expect, it } from 'vitest';
import { Dealer, Router } from 'zeromq';
import { decodeFrame, encodeFrame } from '../../../../src/contract/codec';
import type { ControlRequest, NodeStatusReport } from '../../../../src/contract/control';
import { ControlChannel, type ControlHandler } from '../../../../src/node/transport/controlChannel';
import { ControlRequestError, ControlServer } from '../../../../src/lab/sockets/controlServer';
import { ipcDir, waitFor } from '../../wire/helpers';

const CLUSTER = 'control-test';
const MAX = 1 << 20;
const cleanup: Array<() => unknown> = [];

afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

const STATUS: NodeStatusReport = {
  id: 1, role: 'follower', term: 2, leader: 3, commit: 5, applied: 5, lastIndex: 6, snapshotIndex: 0, config: { voters: [1, 2, 3] },
};

async function lab(bindAddress = 'tcp://127.0.0.1:0') {
  const connected: number[] = [];
  const server = await ControlServer.open({ clusterId: CLUSTER, bindAddress, maxFrameBytes: MAX, onNodeConnected: (id) => connected.push(id) });
  cleanup.push(() => server.close());
  return { server, connected };
}

function nodeChannel(nodeId: number, address: string, handler: ControlHandler) {
  const channel = new ControlChannel({ clusterId: CLUSTER, nodeId, address, maxFrameBytes: MAX, handler, lingerMs: 0 });
  cleanup.push(() => channel.close());
  return channel;
}

describe('ControlServer and ControlChannel', () => {
  for (const kind of ['tcp', 'ipc'] as const) {
    it(`answers requests with the handler's result over ${kind}`, async () => {
      const ipc = ipcDir();
      cleanup.push(ipc.remove);
      const { server, connected } = await lab(kind === 'tcp' ? 'tcp://127.0.0.1:0' : ipc.endpoint('control.sock'));
      const seen: ControlRequest[] = [];
      nodeChannel(1, server.address, (request) => {
        seen.push(request);
        if (request.command.cmd === 'status') return STATUS;
        if (request.command.cmd === 'transferLeader') throw new Error('not the leader');
        return undefined;
      });
      expect(await server.request(1, { cmd: 'ping' }, 2000)).toEqual({ id: expect.any(Number), ok: true });
      expect(await server.request(1, { cmd: 'status' }, 2000)).toMatchObject({ ok: true, result: STATUS });
      expect(await server.request(1, { cmd: 'transferLeader', to: 2 }, 2000)).toMatchObject({ ok: false, error: 'not the leader' });
      expect(seen.map((r) => r.command.cmd)).toEqual(['ping', 'status', 'transferLeader']);
      expect(connected).toContain(1);
      expect(server.isConnected(1)).toBe(true);
    });
  }

  it('handles requests one at a time, in order, even when handlers are slow', async () => {
    const { server } = await lab();
    const log: string[] = [];
    nodeChannel(2, server.address, async (request) => {
      log.push(`start ${request.command.cmd}`);
      if (request.command.cmd === 'snapshot') await new Promise((resolve) => setTimeout(resolve, 30));
      log.push(`end ${request.command.cmd}`);
    });
    const replies = await Promise.all([
      server.request(2, { cmd: 'snapshot' }, 2000),
      server.request(2, { cmd: 'ping' }, 2000),
    ]);
    expect(replies.every((r) => r.ok)).toBe(true);
    expect(log).toEqual(['start snapshot', 'end snapshot', 'start ping', 'end ping']);
  });

  it('retries while a node is not connected yet, and times out if it never comes', async () => {
    const { server } = await lab();
    const early = server.request(3, { cmd: 'ping' }, 3000);
    // The node starts only after the server has found it missing.
    await waitFor(() => server.stats().unreachableSends > 0, 'a refused send');
    nodeChannel(3, server.address, () => undefined);
    expect(await early).toMatchObject({ ok: true });
    expect(server.stats().unreachableSends).toBeGreaterThan(0);
    const error = await server.request(4, { cmd: 'ping' }, 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControlRequestError);
    expect(error).toMatchObject({ failure: 'timeout', nodeId: 4 });
    expect(server.stats().pending).toBe(0);
  });

  it('rejects pending requests when the server closes', async () => {
    const { server } = await lab();
    const pending = server.request(5, { cmd: 'ping' }, 10_000);
    await server.close();
    await expect(pending).rejects.toMatchObject({ failure: 'closed' });
    await expect(server.request(5, { cmd: 'ping' }, 100)).rejects.toMatchObject({ failure: 'closed' });
  });

  it('delivers the reply to stop before the node closes its channel', async () => {
    const { server } = await lab();
    let stopping: Promise<void> | null = null;
    const wrapped = new ControlChannel({
      clusterId: CLUSTER,
      nodeId: 7,
      address: server.address,
      maxFrameBytes: MAX,
      handler: (request) => {
        if (request.command.cmd === 'stop') stopping = Promise.resolve().then(async () => {
          await wrapped.flush();
          await wrapped.close();
        });
      },
    });
    cleanup.push(() => wrapped.close());
    expect(await server.request(7, { cmd: 'stop' }, 2000)).toMatchObject({ ok: true });
    await waitFor(() => stopping !== null, 'the stop to start');
    await stopping;
  });

  it('drops malformed, foreign and unmatched frames and counts them', async () => {
    const { server } = await lab();
    const raw = new Dealer({ linger: 0, routingId: 'node-9' });
    cleanup.push(() => raw.close());
    raw.connect(server.address);
    await raw.send(Buffer.from('garbage'));
    await raw.send(encodeFrame('controlReply', 'other', { id: 1, ok: true }));
    await raw.send(encodeFrame('controlReply', CLUSTER, { id: 999, ok: true }));
    const stranger = new Dealer({ linger: 0, routingId: 'intruder' });
    cleanup.push(() => stranger.close());
    stranger.connect(server.address);
    await stranger.send(encodeFrame('controlReply', CLUSTER, { id: 1, ok: true }));
    await waitFor(() => server.stats().unmatchedReplies === 1 && server.stats().rejectedFrames.misrouted === 1, 'counted frames');
    expect(server.stats().rejectedFrames).toEqual({ malformed: 1, cluster: 1, misrouted: 1 });
  });

  it('node side: drops malformed requests from the lab and answers the good ones', async () => {
    const raw = new Router({ linger: 0 });
    cleanup.push(() => raw.close());
    await raw.bind('tcp://127.0.0.1:0');
    const channel = nodeChannel(8, raw.lastEndpoint!, () => undefined);
    const [id, hello] = await raw.receive(); // probeRouter's empty hello
    expect(id.toString()).toBe('node-8');
    expect(hello.byteLength).toBe(0);
    await raw.send([id, Buffer.from('garbage')]);
    await raw.send([id, encodeFrame('control', 'other', { id: 1, command: { cmd: 'ping' } })]);
    await raw.send([id, encodeFrame('controlReply', CLUSTER, { id: 1, ok: true })]);
    await raw.send([id, encodeFrame('control', CLUSTER, { id: 2, command: { cmd: 'ping' } })]);
    const [, reply] = await raw.receive();
    expect(decodeFrame(reply, { clusterId: CLUSTER, kinds: ['controlReply'], maxBytes: MAX })).toEqual({
      ok: true,
      kind: 'controlReply',
      body: { id: 2, ok: true },
    });
    expect(channel.stats()).toEqual({ requests: 1, replies: 1, unsentReplies: 0, rejectedFrames: { malformed: 1, cluster: 1, type: 1 } });
  });
});
