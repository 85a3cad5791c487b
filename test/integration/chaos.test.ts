/**
 * Chaos: five real node processes under a key-value workload, through about 30 s of mixed
 * faults (leader and random kills with restarts, pauses of the leader and of a random node,
 * every partition preset plus explicit groups, a partition healed while a node is paused, a
 * lossy network and a lossy link), then healed. Afterwards:
 *   - the lab's safety monitor saw no violation (Election Safety §5.2, State Machine Safety
 *     §5.4.3, term and commit monotonicity);
 *   - the recorded history is linearizable (checked per key, Herlihy & Wing);
 *   - with the workload drained, every node is SIGKILLed at once and restarted from its
 *     data directory: every key still holds the value a linearizable read returned just
 *     before, i.e. nothing committed (and so nothing acknowledged) was lost (§5.4, durable
 *     log and hard state, Figure 2).
 *
 * Determinism: the seed is fixed and every assertion is about behaviour (nothing lost,
 * nothing violated, every fault applied), never about timing or about which node a
 * 'random' target picked (that depends on how the workload interleaves with the RNG).
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioAction, ScenarioStep } from '../../src/contract/scenario';
import { carryOut } from '../../src/lab/scenarioRunner';
import type { NodeId } from '../../src/raft/types';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

const SEED = 4242;
const KEYS = 6;
/** How long each fault holds before its healing step. */
const HOLD_MS = 1500;
/** From one fault to the next. */
const PERIOD_MS = 2500;

/**
 * The phases, one every PERIOD_MS: a fault, then what undoes it HOLD_MS later (a phase of
 * more actions spreads them evenly over HOLD_MS). Every partition preset appears once.
 */
const PHASES: ScenarioAction[][] = [
  [{ kind: 'kill', node: 'leader' }, { kind: 'restart', node: 'killed' }],
  // Overlapping faults: the partition is healed while a node is paused, so the node must be
  // given the healed rules when it resumes.
  [{ kind: 'pause', node: 'random' }, { kind: 'partition', groups: [[1, 2], [3, 4, 5]] }, { kind: 'heal' }, { kind: 'resume', node: 'paused' }],
  [{ kind: 'partition', preset: 'isolate-node', node: 3 }, { kind: 'heal' }],
  [{ kind: 'partition', preset: 'isolate-leader' }, { kind: 'heal' }],
  [{ kind: 'partition', preset: 'halves' }, { kind: 'heal' }],
  [{ kind: 'partition', preset: 'majorities-ring' }, { kind: 'heal' }],
  [{ kind: 'flaky', drop: 0.2, delayMs: 5, jitterMs: 10, duplicate: 0.05 }, { kind: 'heal' }],
  [{ kind: 'partition', preset: 'bridge' }, { kind: 'heal' }],
  [{ kind: 'pause', node: 'leader' }, { kind: 'resume', node: 'paused' }],
  [{ kind: 'partition', preset: 'random' }, { kind: 'heal' }],
  [{ kind: 'link', from: 1, to: 2, symmetric: true, drop: 0.5, delayMs: 20, jitterMs: 10 }, { kind: 'heal' }],
  [{ kind: 'kill', node: 'random' }, { kind: 'restart', node: 'killed' }],
];

/** Faults applied (healing actions excluded), for the summary's count. */
const FAULT_COUNT = PHASES.flat().filter((a) => !['heal', 'restart', 'resume'].includes(a.kind)).length;

/** The timeline, in ms after the first leader. */
function timeline(): ScenarioStep[] {
  const steps: ScenarioStep[] = [];
  PHASES.forEach((actions, k) => {
    actions.forEach((action, i) => {
      const atMs = k * PERIOD_MS + (i * HOLD_MS) / (actions.length - 1);
      steps.push({ atMs, action, source: { index: steps.length, line: 0 } });
    });
  });
  return steps;
}

/** Actions that need a current leader to resolve (they would be skipped without one). */
function needsLeader(a: ScenarioAction): boolean {
  return ((a.kind === 'kill' || a.kind === 'pause') && a.node === 'leader') || (a.kind === 'partition' && a.preset === 'isolate-leader');
}

const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);

/** Reads every key through the leader (a linearizable read, §8): key -> value (null: absent). */
async function readAll(reader: TestKvClient): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const key of keys) {
    const r = await reader.get(key, { timeoutMs: 15_000 });
    if (r.status !== 'ok') throw new Error(`get ${key} did not succeed: ${JSON.stringify(r)}`);
    out.set(key, r.value);
  }
  return out;
}

describe('chaos', () => {
  it('stays safe and linearizable through 30 s of mixed faults, and loses nothing across a full crash', async () => {
    const tc = await TestCluster.start({
      label: 'chaos',
      options: {
        nodes: 5,
        seed: SEED,
        electionTimeoutMinMs: 150,
        electionTimeoutMaxMs: 300,
        heartbeatMs: 50,
        preVote: true,
        checkQuorum: true,
        fsync: 'always',
        // Low enough that lagging and restarted nodes catch up by snapshot as well as by log.
        snapshotThreshold: 300,
        workload: { clients: 3, rate: 30, mix: { get: 2, put: 1, cas: 1, append: 1 }, keys: KEYS, timeoutMs: 1000 },
      },
    });
    const c = tc.cluster;
    await tc.waitForAgreedLeader({ timeoutMs: 20_000 });

    // --- the fault timeline ---------------------------------------------------------
    const steps = timeline();
    const t0 = c.now();
    const paused = new Set<NodeId>();
    const applied: string[] = [];
    const skipped: string[] = [];
    for (const step of steps) {
      await waitFor(() => c.now() >= t0 + step.atMs, { timeoutMs: step.atMs + 60_000, what: `the moment of step ${step.source.index}` });
      if (needsLeader(step.action)) {
        await waitFor(() => c.leader() !== null, { timeoutMs: 15_000, what: `a leader for step ${step.source.index}`, describe: () => tc.describe() });
      }
      try {
        applied.push(await carryOut(c, step.action, paused));
      } catch (err) {
        skipped.push(`${step.action.kind} at ${step.atMs} ms: ${(err as Error).message}`);
      }
    }
    // Every fault really happened, or the test would prove less than it claims.
    expect(skipped).toEqual([]);
    expect(applied).toHaveLength(steps.length);

    // --- heal, quiet period, drain the workload -------------------------------------
    await c.heal();
    await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    const okBeforeQuiet = c.opsOk();
    // The healed cluster serves the workload again (a handful of acknowledged ops).
    await waitFor(() => c.opsOk() >= okBeforeQuiet + 10, { timeoutMs: 20_000, what: 'ten acknowledged ops after healing', describe: () => tc.describe() });
    await c.stopWorkload();

    // --- a full crash: every node SIGKILLed, then restarted from its data ------------
    const reader = new TestKvClient(kvTargetOf(tc), { clientId: 'chaos-reader' });
    onCleanup(() => reader.close());
    const before = await readAll(reader);
    const ids = tc.ids();
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    await Promise.all(ids.map((id) => c.kill(id)));
    expect(ids.filter((id) => c.isAlive(id))).toEqual([]);
    await Promise.all(ids.map((id) => c.restart(id)));
    await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    const after = await readAll(reader);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(before));
    // The workload wrote to every key at least once: the comparison is not vacuous.
    expect([...before.values()].filter((v) => v !== null).length).toBeGreaterThan(0);

    // --- the verdicts over the whole run --------------------------------------------
    const summary = await tc.stop({ linearizabilityBudgetMs: 30_000 });
    expect(summary).not.toBeNull();
    expect(summary!.violations).toEqual([]);
    expect(tc.violations()).toEqual([]);
    expect(tc.electionSafetyBreaches()).toEqual([]);
    expect(summary!.linearizable, summary!.linearizability).toBe(true);
    expect(summary!.ops.ok).toBeGreaterThan(100);
    // Every fault step (not the healings) counts as an applied fault, and so do the five kills
    // of the full crash: every door to a kill goes through the fault controller (issue 8).
    expect(summary!.faults).toBe(FAULT_COUNT + ids.length);
  });
});
