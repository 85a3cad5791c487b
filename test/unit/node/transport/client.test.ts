import { afterEach, describe, expect, it } from 'vitest';
import { Dealer } from 'zeromq';
import type { ClientRequest, ClientResponse } from '../../../../src/contract/client';
import { encodeFrame } from '../../../../src/contract/codec';
import { ClientServer, type ClientRoute } from '../../../../src/node/transport/clientServer';
import { KvClientConnection } from '../../../../src/lab/sockets/kvClientConnection';
import { ipcDir, repeatUntil, waitFor } from '../../wire/helpers';

const CLUSTER = 'client-test';
const MAX = 1 << 20;
const cleanup: Array<() => unknown> = [];

afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

/** A node-side server that answers every put with ok at index = seq. */
async function echoServer(bindAddress = 'tcp://127.0.0.1:0') {
  const seen: Array<{ requests: ClientRequest[]; route: ClientRoute }> = [];
  const server: ClientServer = await ClientServer.open({
    clusterId: CLUSTER,
    bindAddress,
    maxFrameBytes: MAX,
    onRequests: (requests, route) => {
      seen.push({ requests, route });
      server.reply(
        route,
        requests.map((r) => ({ client: r.client, seq: r.seq, status: 'ok', value: null, index: r.seq })),
      );
    },
  });
  cleanup.push(() => server.close());
  return { server, seen };
}

function client(address: string, extra: { sendTimeoutMs?: number; maxFrameBytes?: number } = {}) {
  const responses: ClientResponse[][] = [];
  const connection = new KvClientConnection({
    clusterId: CLUSTER,
    address,
    maxFrameBytes: extra.maxFrameBytes ?? MAX,
    onResponses: (batch) => responses.push(batch),
    sendTimeoutMs: extra.sendTimeoutMs,
  });
  cleanup.push(() => connection.close());
  return { connection, responses };
}

const put = (client: string, seq: number): ClientRequest => ({ client, seq, op: { op: 'put', key: `k${seq}`, value: 'v' } });

describe('ClientServer and KvClientConnection', () => {
  for (const kind of ['tcp', 'ipc'] as const) {
    it(`carries request and response batches over ${kind}`, async () => {
      const ipc = ipcDir();
      cleanup.push(ipc.remove);
      const { server, seen } = await echoServer(kind === 'tcp' ? 'tcp://127.0.0.1:0' : ipc.endpoint('client.sock'));
      const { connection, responses } = client(server.address);
      expect(await connection.send([put('c1', 1), put('c1', 2), put('c1', 3)])).toBe(true);
      await waitFor(() => responses.length > 0, 'responses');
      expect(seen).toHaveLength(1);
      expect(seen[0].requests.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect(responses).toEqual([
        [1, 2, 3].map((seq) => ({ client: 'c1', seq, status: 'ok', value: null, index: seq })),
      ]);
      expect(server.stats()).toMatchObject({ requestBatches: 1, requests: 3, replyFrames: 1, responses: 3 });
    });
  }

  it('routes replies to the client that asked', async () => {
    const { server } = await echoServer();
    const one = client(server.address);
    const two = client(server.address);
    await Promise.all([one.connection.send([put('one', 1)]), two.connection.send([put('two', 1), put('two', 2)])]);
    await waitFor(() => one.responses.length > 0 && two.responses.length > 0, 'both replies');
    expect(one.responses.flat().map((r) => r.client)).toEqual(['one']);
    expect(two.responses.flat().map((r) => r.client)).toEqual(['two', 'two']);
  });

  it('coalesces replies to one client made in one step into one frame', async () => {
    const routes: ClientRoute[] = [];
    const server = await ClientServer.open({
      clusterId: CLUSTER,
      bindAddress: 'tcp://127.0.0.1:0',
      maxFrameBytes: MAX,
      onRequests: (_requests, route) => routes.push(route),
    });
    cleanup.push(() => server.close());
    const { connection, responses } = client(server.address);
    await connection.send([put('c', 1)]);
    await connection.send([put('c', 2)]);
    await waitFor(() => routes.length === 2, 'two request batches');
    expect(routes[0].key).toBe(routes[1].key);
    for (let seq = 1; seq <= 3; seq++) {
      server.reply(routes[seq === 3 ? 1 : 0], [{ client: 'c', seq, status: 'info', error: 'timeout' }]);
    }
    await waitFor(() => responses.flat().length === 3, 'three responses');
    expect(responses).toHaveLength(1);
  });

  it('reports a node that is not there as unreachable instead of queueing for later', async () => {
    const { server } = await echoServer();
    const address = server.address;
    await server.close();
    const { connection } = client(address, { sendTimeoutMs: 50 });
    expect(await connection.send([put('c', 1)])).toBe(false);
    expect(connection.stats()).toMatchObject({ sentBatches: 0, unsentBatches: 1 });
  });

  it('drops malformed frames from a raw socket and keeps serving', async () => {
    const { server, seen } = await echoServer();
    const raw = new Dealer({ linger: 0 });
    cleanup.push(() => raw.close());
    raw.connect(server.address);
    await raw.send(Buffer.from('garbage'));
    await raw.send(encodeFrame('client', 'other-cluster', { requests: [put('x', 1)] }));
    await raw.send(encodeFrame('raft', CLUSTER, [{ type: 'timeoutNow', from: 1, to: 2, term: 1 }]));
    await raw.send([encodeFrame('client', CLUSTER, { requests: [put('x', 1)] }), Buffer.from('extra part')]);
    await raw.send(encodeFrame('client', CLUSTER, { requests: [{ client: 'x', seq: -1, op: { op: 'get', key: 'k' } } as never] }));
    const { connection, responses } = client(server.address);
    await repeatUntil(() => void connection.send([put('good', 1)]), () => responses.length > 0, 'a good reply');
    expect(server.stats().rejectedFrames).toEqual({ malformed: 1, cluster: 1, type: 1, parts: 1, invalid: 1 });
    expect(seen.every((s) => s.requests.every((r) => r.client === 'good'))).toBe(true);
  });

  it('refuses to send a batch larger than maxFrameBytes', async () => {
    const { server } = await echoServer();
    const { connection } = client(server.address, { maxFrameBytes: 1024 });
    expect(() => connection.send([{ client: 'c', seq: 1, op: { op: 'put', key: 'k', value: 'v'.repeat(2000) } }])).toThrow(RangeError);
  });

  it('splits replies larger than maxFrameBytes across frames', async () => {
    const routes: ClientRoute[] = [];
    const server = await ClientServer.open({
      clusterId: CLUSTER,
      bindAddress: 'tcp://127.0.0.1:0',
      maxFrameBytes: 4096,
      onRequests: (_requests, route) => routes.push(route),
    });
    cleanup.push(() => server.close());
    const { connection, responses } = client(server.address);
    await connection.send([put('c', 1)]);
    await waitFor(() => routes.length === 1, 'a request');
    const big = Array.from({ length: 10 }, (_, i): ClientResponse => ({ client: 'c', seq: i, status: 'ok', value: 'x'.repeat(1000), index: i }));
    server.reply(routes[0], big);
    await waitFor(() => responses.flat().length === 10, 'ten responses');
    expect(responses.length).toBeGreaterThan(2);
    expect(responses.flat().map((r) => r.seq)).toEqual(big.map((r) => r.seq));
  });

  it('resolves pending sends as unsent on close', async () => {
    const { server } = await echoServer();
    const address = server.address;
    await server.close();
    const { connection } = client(address, { sendTimeoutMs: 10_000 });
    const pending = [connection.send([put('c', 1)]), connection.send([put('c', 2)])];
    await connection.close();
    expect(await Promise.all(pending)).toEqual([false, false]);
  });
});
