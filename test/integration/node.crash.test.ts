/**
 * Crashes with real processes (SIGKILL, no chance to flush anything) and fsync 'always':
 *   - killing the leader elects a new one in a higher term (§5.2), and no acknowledged
 *     write is lost (Leader Completeness, §5.4): a write is acknowledged only once a
 *     majority has it durably;
 *   - killing every node and restarting them all recovers every acknowledged write from
 *     the nodes' own disks (§5.3: the state machine is rebuilt from the durable log).
 */
import { describe, expect, it } from 'vitest';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';
import { WriteLoad } from './helpers/writeLoad';

useClusterTeardown();

describe('crashes', () => {
  it('kill -9 of the leader elects a new leader in a higher term and loses no acknowledged write', async () => {
    const tc = await TestCluster.start({ options: { nodes: 3, fsync: 'always' }, label: 'kill-leader' });
    const { leader: oldLeader, term: oldTerm } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const load = new WriteLoad(kvTargetOf(tc), { writers: 4, prefix: 'a' });
    onCleanup(() => load.stop());
    load.start();
    await load.waitForAcks(60, 20_000);

    const mark = tc.mark();
    await tc.cluster.kill(oldLeader);
    const ackedAtKill = load.acked.size;

    const { leader: newLeader, term: newTerm } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    expect(newLeader).not.toBe(oldLeader);
    expect(newTerm).toBeGreaterThan(oldTerm);
    const firstNewLeader = await waitFor(() => tc.eventsOf('role', undefined, mark).find((e) => e.role === 'leader'), {
      timeoutMs: 5000,
      what: "the new leader's role event",
    });
    expect(firstNewLeader.node).not.toBe(oldLeader);
    expect(firstNewLeader.term).toBeGreaterThan(oldTerm);

    // Writes go on under the new leader.
    await load.waitForAcks(ackedAtKill + 60, 20_000);
    await load.stop();

    // The killed node comes back from its disk and catches up.
    await tc.cluster.restart(oldLeader);
    await tc.waitForApplied(load.maxIndex, { timeoutMs: 15_000 });

    const reader = new TestKvClient(kvTargetOf(tc));
    onCleanup(() => reader.close());
    expect(await load.lostWrites(reader)).toEqual([]);
    // Every node applied the same entry at every index it applied (appliedLog throws otherwise).
    const logs = tc.ids().map((id) => tc.appliedLog(id));
    for (let i = 1; i <= load.maxIndex; i++) {
      const digests = new Set(logs.map((l) => l.get(i)?.digest));
      expect(digests.size, `index ${i}: ${[...digests].join(' vs ')}`).toBe(1);
    }
    expect(tc.electionSafetyBreaches()).toEqual([]);
    expect(tc.violations()).toEqual([]);
  });

  it('kill -9 of every node then restarting them all recovers every acknowledged write', async () => {
    const tc = await TestCluster.start({ options: { nodes: 3, fsync: 'always' }, label: 'kill-all' });
    await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const load = new WriteLoad(kvTargetOf(tc), { writers: 4, prefix: 'b', requestTimeoutMs: 3000 });
    onCleanup(() => load.stop());
    load.start();
    await load.waitForAcks(100, 20_000);

    // Kill all three while writes are in flight: whatever was acknowledged is on a
    // majority's disk; whatever was not may or may not survive.
    await Promise.all(tc.ids().map((id) => tc.cluster.kill(id)));
    expect(tc.liveIds()).toEqual([]);
    await load.stop();
    const acked = load.acked.size;
    expect(acked).toBeGreaterThanOrEqual(100);

    const before = new Map(tc.ids().map((id) => [id, tc.appliedIndex(id)]));
    const mark = tc.mark();
    await Promise.all(tc.ids().map((id) => tc.cluster.restart(id)));
    await tc.waitForAgreedLeader({ timeoutMs: 15_000 });

    // Each node replays its committed log again (rebuilding the state machine), and what
    // it applies now agrees with what it applied before the crash (appliedLog checks).
    await waitFor(() => tc.ids().every((id) => tc.eventsOf('apply', id, mark).length >= Math.min(before.get(id)!, load.maxIndex)), {
      timeoutMs: 15_000,
      what: 'every node to re-apply its log after the restart',
      describe: () => tc.describe(),
    });
    for (const id of tc.ids()) tc.appliedLog(id);

    const reader = new TestKvClient(kvTargetOf(tc));
    onCleanup(() => reader.close());
    expect(await load.lostWrites(reader)).toEqual([]);
    expect(tc.electionSafetyBreaches()).toEqual([]);
    expect(tc.violations()).toEqual([]);
  });
});
