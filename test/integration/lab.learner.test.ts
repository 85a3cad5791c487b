/**
 * Learners on a live cluster (thesis §4.2.1: "the new servers join the cluster as non-voting
 * members ... they are not considered for majorities"): the lab's node add starts the node
 * empty, adds it as a learner through the leader, and promotes it to voter by joint consensus
 * (§6) once its log is within CATCH_UP_ENTRIES of the leader's. Real node processes, real
 * ZeroMQ with CURVE, real files.
 */
import { describe, expect, it } from 'vitest';
import { CATCH_UP_ENTRIES } from '../../src/lab/cluster/membership';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

describe('adding a node to a live 3-node cluster', () => {
  it('adds it as a learner, which catches up without voting, then promotes it to voter', async () => {
    const tc = await TestCluster.start({ label: 'lab-learner', options: { nodes: 3, fsync: 'never' } });
    const writer = new TestKvClient(kvTargetOf(tc), { clientId: 'lab-learner' });
    onCleanup(() => writer.close());
    await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    // More entries than the catch-up bound, so the learner really has to catch up first.
    let index = 0;
    for (let i = 0; i < CATCH_UP_ENTRIES + 20; i++) {
      const r = await writer.put(`k${i}`, `v${i}`, { timeoutMs: 15_000 });
      if (r.status !== 'ok') throw new Error(`put k${i}: ${JSON.stringify(r)}`);
      index = r.index;
    }

    const added = await tc.cluster.addNode();
    expect(added).toBe(4);

    // The lab's record: added as a learner (voters unchanged), then promoted.
    expect(tc.eventsOf('membership').map(({ action, target, voters, learners }) => ({ action, target, voters, learners }))).toEqual([
      { action: 'add', target: 4, voters: [1, 2, 3], learners: [4] },
      { action: 'promote', target: 4, voters: [1, 2, 3, 4], learners: [] },
    ]);
    // What node 4 itself went through: a configuration naming it a learner, then (joint, §6) a voter.
    // (Its telemetry may arrive after the leader's reply to the promotion: wait for it.)
    await waitFor(() => tc.eventsOf('config', 4).some((e) => e.config.voters.includes(4) && !e.config.outgoing), {
      timeoutMs: 10_000,
      what: 'node 4 to apply the configuration that makes it a voter',
      describe: () => JSON.stringify(tc.eventsOf('config', 4).map((e) => e.config)),
    });
    const configs = tc.eventsOf('config', 4).map((e) => e.config);
    const asLearner = configs.findIndex((c) => c.learners?.includes(4) && !c.voters.includes(4));
    const asVoter = configs.findIndex((c) => c.voters.includes(4) && !c.outgoing);
    expect(asLearner, JSON.stringify(configs)).toBeGreaterThanOrEqual(0);
    expect(asVoter, JSON.stringify(configs)).toBeGreaterThan(asLearner);
    // Promoted only once caught up: its last index when promoted was within the bound.
    const promotedAt = tc.eventsOf('membership').find((e) => e.action === 'promote')!.t;
    const lastSample = tc.eventsOf('metrics', 4).filter((e) => e.t <= promotedAt).at(-1);
    expect(lastSample?.lastIndex ?? 0).toBeGreaterThanOrEqual(index - CATCH_UP_ENTRIES);
    // A learner never campaigns (thesis §4.2.1): node 4 started no election before its promotion.
    expect(tc.eventsOf('election', 4).filter((e) => e.phase === 'started' && e.t <= promotedAt)).toEqual([]);

    // Now a voter in the lab's view, and it applies what the others apply.
    await waitFor(() => tc.view(4).voter && tc.view(4).learner !== true, { timeoutMs: 10_000, what: 'node 4 shown as a voter', describe: () => tc.describe() });
    const r = await writer.put('after', 'promotion', { timeoutMs: 15_000 });
    expect(r.status).toBe('ok');
    await tc.waitForApplied(r.status === 'ok' ? r.index : 0, { timeoutMs: 15_000 });
    expect(tc.violations()).toEqual([]);
  });
});
