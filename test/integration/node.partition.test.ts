/**
 * A network partition with real processes (the nodes' own link rules drop the traffic):
 *   - the minority, which holds the old leader, cannot commit: its commit index stays put
 *     and writes sent to it never succeed (a leader needs a majority, §5.3-5.4);
 *   - the majority elects a leader and keeps committing;
 *   - after healing, the old leader steps down, its uncommitted entries are replaced
 *     (§5.3 log repair) and never applied, and every node applies the same entries.
 */
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types';
import { kvTargetOf, TestKvClient, type AttemptOutcome } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';
import { WriteLoad } from './helpers/writeLoad';

useClusterTeardown();

async function commitOf(tc: TestCluster, id: NodeId): Promise<number> {
  const reply = await tc.cluster.control(id, { cmd: 'status' });
  if (!reply.ok || !reply.result || !('commit' in reply.result)) throw new Error(`node ${id} gave no status`);
  return reply.result.commit;
}

describe('partition', () => {
  it('a minority with the old leader cannot commit; the majority can; after heal all converge', async () => {
    const tc = await TestCluster.start({ options: { nodes: 5, fsync: 'never' }, label: 'partition' });
    const { leader: oldLeader, term: oldTerm } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const warmup = new TestKvClient(kvTargetOf(tc));
    onCleanup(() => warmup.close());
    for (let i = 0; i < 10; i++) expect((await warmup.put(`pre-${i}`, `${i}`)).status).toBe('ok');

    const minority = [oldLeader, tc.ids().find((id) => id !== oldLeader)!];
    const majority = tc.ids().filter((id) => !minority.includes(id));
    await tc.cluster.partition({ groups: [minority, majority] });
    // The rules are in force on every node once partition() returns: the old leader can
    // gather no more acknowledgements, so its commit index is frozen from here on.
    const frozen = await commitOf(tc, oldLeader);

    // Writes sent into the minority: to the old leader (which may still believe it leads
    // and append them) and to its follower.
    const intruder = new TestKvClient(kvTargetOf(tc), { clientId: `intruder-${process.pid}` });
    onCleanup(() => intruder.close());
    const minorityWrites: Promise<AttemptOutcome>[] = [];
    for (let i = 0; i < 4; i++) {
      minorityWrites.push(intruder.attempt(minority[i % 2], { op: 'put', key: `lost-${i}`, value: 'x' }, { timeoutMs: 2500 }));
    }

    // The majority elects a leader of its own and keeps committing.
    const { leader: newLeader, term: newTerm } = await tc.waitForAgreedLeader({ timeoutMs: 15_000, among: () => majority });
    expect(majority).toContain(newLeader);
    expect(newTerm).toBeGreaterThan(oldTerm);
    const target = { ...kvTargetOf(tc), ids: () => majority, leaderHint: () => newLeader };
    const load = new WriteLoad(target, { writers: 2, prefix: 'maj' });
    onCleanup(() => load.stop());
    load.start();
    await load.waitForAcks(30, 15_000);
    await load.stop();
    expect(load.maxIndex).toBeGreaterThan(frozen);

    for (const outcome of await Promise.all(minorityWrites)) {
      expect(outcome.status, `a write to the minority was answered ${JSON.stringify(outcome)}`).not.toBe('ok');
    }
    for (const id of minority) expect(await commitOf(tc, id), `commit index of minority node ${id}`).toBeLessThanOrEqual(frozen);
    for (const id of minority) expect(tc.appliedIndex(id)).toBeLessThanOrEqual(frozen);
    // Pre-vote kept the minority from inflating its term while cut off (§9.6 of the thesis).
    for (const id of minority) expect(tc.view(id).term).toBeLessThanOrEqual(newTerm);

    await tc.cluster.heal();
    await waitFor(() => tc.agreedLeader(tc.ids()), { timeoutMs: 15_000, what: 'all five nodes to agree on a leader after heal', describe: () => tc.describe() });
    await tc.waitForApplied(load.maxIndex, { timeoutMs: 15_000 });

    // Same entry at every index on every node; the old leader's uncommitted writes were
    // discarded, never applied: the keys written into the minority do not exist.
    const logs = tc.ids().map((id) => tc.appliedLog(id));
    for (let i = 1; i <= load.maxIndex; i++) {
      const digests = new Set(logs.map((l) => l.get(i)?.digest));
      expect(digests.size, `index ${i}: ${[...digests].join(' vs ')}`).toBe(1);
    }
    for (let i = 0; i < 4; i++) expect(await warmup.get(`lost-${i}`)).toMatchObject({ status: 'ok', value: null });
    const reader = new TestKvClient(kvTargetOf(tc));
    onCleanup(() => reader.close());
    expect(await load.lostWrites(reader)).toEqual([]);
    expect(tc.cluster.nodes().every((v) => v.process === 'started')).toBe(true);
    expect(tc.electionSafetyBreaches()).toEqual([]);
    expect(tc.violations()).toEqual([]);
  });
});
