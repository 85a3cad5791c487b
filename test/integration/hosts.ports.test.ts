/**
 * Issue 9's port race, fixed at its root (src/lab/addresses.ts, src/lab/cluster/peerDirectory.ts):
 * nodes bind tcp wildcard ports, report the real ones in 'ready', and the lab tells every
 * peer with setPeer, at the start and after every restart, so no port is ever picked by one
 * process for another to bind later.
 *   - configs carry wildcard endpoints, the ready events real, distinct ones;
 *   - a node restarted while its old port is held by another process comes back on a new
 *     port, and the leader reaches it there (it applies new writes);
 *   - a node paused while a peer restarts learns the new port when it resumes: the two of
 *     them elect a leader once the old one is killed (each vote crosses the new port, §5.2);
 *   - ipc:// transport still works.
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';

useClusterTeardown();

const OPTIONS = { nodes: 3, fsync: 'never' as const, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 50 };

function portOf(endpoint: string): number {
  const m = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(endpoint);
  if (!m) throw new Error(`not a concrete loopback tcp endpoint: ${endpoint}`);
  return Number(m[1]);
}

/** Holds `port` on loopback, so nobody can bind it again; null if someone already has it (as good for this test). */
function hold(port: number): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    // Connections (peers still dialling the old port) are refused at once, so close() finishes.
    const srv = createServer((socket) => socket.destroy());
    srv.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(null) : reject(err)));
    srv.listen(port, '127.0.0.1', () => {
      onCleanup(() => new Promise<void>((r) => srv.close(() => r())));
      resolve(srv);
    });
  });
}

async function writeKeys(tc: TestCluster, prefix: string, n: number): Promise<number> {
  const c = new TestKvClient(kvTargetOf(tc), { clientId: prefix });
  onCleanup(() => c.close());
  let index = 0;
  for (let i = 0; i < n; i++) {
    const r = await c.put(`${prefix}${i}`, `v${i}`, { timeoutMs: 15_000 });
    if (r.status !== 'ok') throw new Error(`put ${prefix}${i}: ${JSON.stringify(r)}`);
    index = Math.max(index, r.index);
  }
  return index;
}

describe('node endpoints: wildcard ports reported in ready, distributed with setPeer', () => {
  it('binds wildcard ports, and a node restarted while its old port is taken is reached on its new one', async () => {
    const tc = await TestCluster.start({ label: 'ports-restart', options: OPTIONS });
    for (const id of tc.ids()) {
      expect(tc.nodeConfig(id).peerAddress).toBe('tcp://127.0.0.1:*');
      expect(tc.nodeConfig(id).clientAddress).toBe('tcp://127.0.0.1:*');
    }
    const ports = tc.ids().flatMap((id) => [portOf(tc.peerAddress(id)), portOf(tc.clientAddress(id))]);
    expect(new Set(ports).size).toBe(ports.length);
    const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const follower = tc.ids().find((id) => id !== leader)!;

    const oldPort = portOf(tc.peerAddress(follower));
    await tc.cluster.kill(follower);
    await hold(oldPort);
    const mark = tc.mark();
    await tc.cluster.restart(follower);
    const newPort = portOf(tc.peerAddress(follower));
    expect(newPort).not.toBe(oldPort);
    // The restart resolved after the others were told: the leader replicates to the new port.
    const index = await writeKeys(tc, 'after-restart', 3);
    await tc.waitForApplied(index, { timeoutMs: 15_000, nodes: [follower] });
    expect(tc.eventsOf('log', undefined, mark).filter((e) => /could not tell/.test(e.message))).toEqual([]);
  });

  it('a node paused while a peer restarts learns the new port on resume (the two elect a leader)', async () => {
    const tc = await TestCluster.start({ label: 'ports-paused', options: OPTIONS });
    const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const [a, b] = tc.ids().filter((id) => id !== leader) as [NodeId, NodeId];
    const oldPort = portOf(tc.peerAddress(b));
    tc.cluster.pause(a);
    await tc.cluster.kill(b);
    await hold(oldPort);
    await tc.cluster.restart(b);
    expect(portOf(tc.peerAddress(b))).not.toBe(oldPort);
    tc.cluster.resume(a);
    // Without the old leader, a and b need each other's votes: a's must cross b's new port.
    await tc.cluster.kill(leader);
    const next = await tc.waitForAgreedLeader({ timeoutMs: 20_000, among: () => [a, b] });
    expect([a, b]).toContain(next.leader);
    const index = await writeKeys(tc, 'after-resume', 2);
    await tc.waitForApplied(index, { timeoutMs: 15_000, nodes: [a, b] });
  });

  it('ipc transport still starts, elects and commits', async () => {
    const tc = await TestCluster.start({ label: 'ports-ipc', options: { ...OPTIONS, transport: 'ipc' } });
    for (const id of tc.ids()) expect(tc.peerAddress(id)).toMatch(/^ipc:\/\//);
    await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const index = await writeKeys(tc, 'ipc', 2);
    await tc.waitForApplied(index, { timeoutMs: 15_000 });
  });
});
