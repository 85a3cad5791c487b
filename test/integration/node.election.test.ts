/**
 * Election and replication with real node processes, over TCP and ipc:
 *   - exactly one leader is elected, and every node agrees on it and its term (§5.2);
 *   - client writes commit and every node applies the same entries in the same order
 *     (Log Matching and State Machine Safety, §5.3-5.4), compared through each node's
 *     'apply' telemetry: the same (index, term, digest) sequence everywhere.
 */
import { describe, expect, it } from 'vitest';
import type { ClientResponse } from '../../src/contract/client';
import type { NodeId } from '../../src/raft/types';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';

useClusterTeardown();

const CASES = [
  { nodes: 3, transport: 'tcp' },
  { nodes: 5, transport: 'tcp' },
  { nodes: 3, transport: 'ipc' },
] as const;

describe.each(CASES)('$nodes nodes over $transport', ({ nodes, transport }) => {
  it('elects exactly one leader that all nodes agree on, and applies writes in the same order everywhere', async () => {
    const tc = await TestCluster.start({ options: { nodes, transport, fsync: 'never' }, label: `election-${nodes}-${transport}` });
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });

    const views = tc.cluster.nodes();
    expect(views.filter((v) => v.role === 'leader').map((v) => v.id)).toEqual([leader]);
    expect(term).toBeGreaterThan(0);
    for (const v of views) expect({ id: v.id, leader: v.leader, term: v.term }).toEqual({ id: v.id, leader, term });
    expect(tc.electionSafetyBreaches()).toEqual([]);

    // Three clients write concurrently: puts to their own keys, and appends to one shared
    // key, whose final value records the order the cluster chose.
    const clients = [1, 2, 3].map((c) => new TestKvClient(kvTargetOf(tc), { clientId: `writer-${c}` }));
    onCleanup(() => Promise.all(clients.map((c) => c.close())).then(() => undefined));
    const answers: ClientResponse[] = await Promise.all(
      clients.map(async (client, c) => {
        const out: ClientResponse[] = [];
        for (let i = 0; i < 20; i++) {
          out.push(await client.put(`k${c}-${i}`, `v${c}-${i}`));
          out.push(await client.request({ op: 'append', key: 'shared', value: `${c}.${i};` }));
        }
        return out;
      }),
    ).then((lists) => lists.flat());
    for (const a of answers) expect(a.status, JSON.stringify(a)).toBe('ok');
    const lastIndex = Math.max(...answers.map((a) => (a.status === 'ok' ? a.index : 0)));

    await tc.waitForApplied(lastIndex, { timeoutMs: 10_000 });
    const sequences = new Map<NodeId, string[]>();
    for (const id of tc.ids()) {
      const applied = tc.eventsOf('apply', id).map((e) => ({ index: e.index, term: e.term, digest: e.digest }));
      // Each node applies every index once, in order, from 1 (no restarts here).
      expect(applied.map((e) => e.index)).toEqual(applied.map((_, i) => i + 1));
      sequences.set(id, applied.slice(0, lastIndex).map((e) => `${e.index}/${e.term}/${e.digest}`));
    }
    const reference = sequences.get(leader)!;
    expect(reference).toHaveLength(lastIndex);
    for (const [id, seq] of sequences) expect(seq, `node ${id} applied a different sequence than leader ${leader}`).toEqual(reference);

    // The shared key holds all 60 appends, each client's in its own order.
    const shared = await clients[0].get('shared');
    expect(shared.status).toBe('ok');
    const parts = (shared.status === 'ok' ? (shared.value ?? '') : '').split(';').filter(Boolean);
    expect(parts).toHaveLength(60);
    for (const c of [0, 1, 2]) {
      expect(parts.filter((p) => p.startsWith(`${c}.`))).toEqual(Array.from({ length: 20 }, (_, i) => `${c}.${i}`));
    }
    expect(tc.violations()).toEqual([]);
  });
});
