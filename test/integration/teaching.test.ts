/**
 * The teaching scenarios (scenarios/teaching, docs/scenarios.md "Teaching scenarios"), each
 * run headless the way `raftlab run` runs it (plansFrom + runPlan, src/lab/cli.ts) on real
 * node processes, and judged from what the run recorded: every node's journal replayed
 * through the pure core (src/replay) gives its log, term, role and commit index after any
 * step, and the run's `step` events carry each step's note.
 *
 * The frozen scenarios take exactly the same steps on every run (docs/debugger.md), so the
 * states are asserted exactly, as the paper's figures draw them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/raft/types';
import type { RunEvent } from '../../src/contract/runEvents';
import type { CoreStateView } from '../../src/contract/labApiTimeTravel';
import { plansFrom, type RunArgs } from '../../src/lab/cliPlans';
import { runPlan, type RunOutcome } from '../../src/lab/scenarioRunner';
import { readRun } from '../../src/lab/recorder/readRun';
import { loadRunReplays } from '../../src/replay/runReplay';
import { readRunClock } from '../../src/replay/runFiles';
import type { NodeReplay, ReplayedStep } from '../../src/replay/nodeReplay';
import { useClusterTeardown } from './helpers/lifecycle';
import { repoRoot } from './helpers/nodeBuild';
import { openTestLab } from './helpers/testLab';
import { expectExactReplay } from './helpers/replay';

useClusterTeardown();

/** One node's journal, replayed: its steps and its state after any of them. */
class NodeStory {
  readonly steps: ReplayedStep[] = [];

  constructor(readonly replay: NodeReplay) {
    replay.run((s) => this.steps.push(s));
  }

  /** The state after the n-th (from 1) step that received a message matching `what`. */
  afterReceiving(what: Partial<Pick<Message, 'type' | 'from' | 'term'>>, nth = 1): CoreStateView {
    return this.replay.stateAtStep(this.receipt(what, nth).globalStep);
  }

  /** The state just before the n-th step that received a message matching `what`. */
  beforeReceiving(what: Partial<Pick<Message, 'type' | 'from' | 'term'>>, nth = 1): CoreStateView {
    return this.replay.stateAtStep(this.receipt(what, nth).globalStep - 1);
  }

  /** The messages of `type` and `term` the node received, in order, each as [from, success] (responses) or [from]. */
  received(type: Message['type'], term: number): Array<[number, boolean | undefined]> {
    return this.steps.flatMap((s) => {
      if (s.input.type !== 'message' || s.input.message.type !== type || s.input.message.term !== term) return [];
      const m = s.input.message as Message & { success?: boolean; granted?: boolean };
      return [[m.from, m.success ?? m.granted]];
    });
  }

  private receipt(what: Partial<Pick<Message, 'type' | 'from' | 'term'>>, nth: number): ReplayedStep {
    const found = this.steps.filter((s) => s.input.type === 'message' && matches(s.input.message, what));
    const step = found[nth - 1];
    if (!step) throw new Error(`node ${this.replay.node} received ${found.length} message(s) like ${JSON.stringify(what)}, not ${nth}`);
    return step;
  }

  /** The state after the node's last journaled step. */
  get final(): CoreStateView {
    return this.replay.stateAtStep(this.replay.stepCount);
  }

  /** Every state the node went through (after each step), in order. */
  states(): CoreStateView[] {
    return this.steps.map((s) => this.replay.stateAtStep(s.globalStep));
  }
}

function matches(m: Message, what: Record<string, unknown>): boolean {
  return Object.entries(what).every(([k, v]) => (m as unknown as Record<string, unknown>)[k] === v);
}

/** The terms of a log, index by index from 1 (Figure 7 and 8 draw logs so). */
const terms = (s: CoreStateView) => s.log.entries.map((e) => e.term);

interface Played {
  outcome: RunOutcome;
  events: RunEvent[];
  nodes: Map<number, NodeStory>;
  node(id: number): NodeStory;
}

/** Runs scenarios/teaching/<file> as the CLI does; the run is replayed exactly before anything is asserted. */
async function play(file: string): Promise<Played> {
  const { lab } = await openTestLab('teaching');
  const [plan] = plansFrom({ scenario: join(repoRoot(), 'scenarios', 'teaching', file) } as RunArgs);
  const outcome = await runPlan(lab, plan);
  // A message the transport dropped (a link not up yet, docs/debugger.md) would leave a step waiting in vain: say so first.
  const lost = loadRunReplays(outcome.runDir).replays.flatMap((r) => r.drops.filter((d) => !d.reason.startsWith('debugger') && !d.reason.startsWith('fault')).map((d) => `node ${r.node}: ${d.reason}`));
  expect(lost).toEqual([]);
  expect(outcome.skipped.map((s) => `line ${s.step.source.line}: ${s.reason}`)).toEqual([]);
  expect(outcome.passed).toBe(true);
  expectExactReplay(outcome.runDir);
  const events = readRun(outcome.runDir).events;
  // Every step the file has was played and recorded with its note, in the file's order.
  const played = events.filter((e): e is Extract<RunEvent, { type: 'step' }> => e.type === 'step');
  expect(played.map((e) => [e.line, e.note, e.skipped ?? false])).toEqual(plan.steps.map((s) => [s.source.line, s.note, false]));
  const nodes = new Map(loadRunReplays(outcome.runDir).replays.map((r) => [r.node, new NodeStory(r)]));
  return {
    outcome,
    events,
    nodes,
    node: (id) => {
      const n = nodes.get(id);
      if (!n) throw new Error(`no journal of node ${id}`);
      return n;
    },
  };
}

describe('teaching scenarios on real nodes', () => {
  it('Figure 8 (§5.4.2): an entry of term 2 on a majority is not committed by the leader of term 4 until its own entry is', async () => {
    const run = await play('figure8-commit-rule.yaml');
    const [s1, s2, s3, s4, s5] = [1, 2, 3, 4, 5].map((n) => run.node(n));

    // Before the figure: S5 led term 1 and entry 1 is committed on every node.
    for (const s of [s1, s2, s3, s4]) expect(s.afterReceiving({ type: 'append', from: 5, term: 1 }, 2).commit).toBe(1);

    // (a) S1 leads term 2; entry 2 of term 2 reaches S2 only.
    expect(terms(s2.afterReceiving({ type: 'append', from: 1, term: 2 }))).toEqual([1, 2]);
    // (b) S5 leads term 3 with S3 and S4; its entry 2 of term 3 stays with it.
    const b = s5.afterReceiving({ type: 'voteResp', from: 4, term: 3 });
    expect([b.role, b.term, terms(b)]).toEqual(['leader', 3, [1, 3]]);
    // S1 refuses S5's vote: S5's last log term (1) is older than S1's (2) (§5.4.1).
    expect(s1.afterReceiving({ type: 'vote', from: 5, term: 3 })).toMatchObject({ role: 'follower', term: 3, vote: 0 });

    // (c) S1 leads term 4; S3 refuses the first AppendEntries (§5.3), then takes entry 2 of term 2.
    const elected = s1.afterReceiving({ type: 'voteResp', from: 3, term: 4 });
    expect([elected.role, elected.term, terms(elected)]).toEqual(['leader', 4, [1, 2, 4]]);
    expect(s1.received('appendResp', 4)).toEqual([[3, false], [3, true], [2, true], [3, true]]);
    expect(terms(s3.afterReceiving({ type: 'append', from: 1, term: 4 }, 2))).toEqual([1, 2]);
    // The moment of the figure: S1 knows entry 2 is stored on S1, S2 and S3 (a majority of
    // five), and still commits nothing of it: entry 2 is of term 2, not of S1's term 4.
    const c = s1.afterReceiving({ type: 'appendResp', from: 2, term: 4 });
    expect([c.role, c.term, terms(c), c.commit]).toEqual(['leader', 4, [1, 2, 4], 1]);
    expect([c.followers['2'].match, c.followers['3'].match]).toEqual([3, 2]);
    expect([terms(s2.final), terms(s4.final), terms(s5.final)]).toEqual([[1, 2, 4], [1], [1, 3]]);

    // (e) Entry 3 of term 4 reaches S3: on a majority, of S1's own term, it commits, entry 2 with it.
    const e = s1.afterReceiving({ type: 'appendResp', from: 3, term: 4 }, 3);
    expect([e.commit, e.followers['3'].match]).toEqual([3, 3]);
    expect(terms(s3.final)).toEqual([1, 2, 4]);
    // In term 4 the commit index went from 1 straight to 3: it was never 2 by counting replicas.
    const commits = s1.states().filter((s) => s.term === 4).map((s) => s.commit);
    expect([...new Set(commits)]).toEqual([1, 3]);
  }, 60_000);

  it('Figure 8 (d) (§5.4.2): had it been committed, entry 2 of term 2 would be lost: S5 wins term 5 and overwrites it on the majority', async () => {
    const run = await play('figure8-overwrite.yaml');
    const [s1, s2, s3, s4, s5] = [1, 2, 3, 4, 5].map((n) => run.node(n));
    // The same (c) as figure8-commit-rule.yaml: entry 2 of term 2 on S1, S2 and S3, S1's commit index 1.
    const c = s1.afterReceiving({ type: 'appendResp', from: 2, term: 4 });
    expect([c.role, c.term, terms(c), c.commit, c.followers['2'].match, c.followers['3'].match]).toEqual(['leader', 4, [1, 2, 4], 1, 3, 2]);
    expect(terms(s3.beforeReceiving({ type: 'vote', from: 5, term: 5 }))).toEqual([1, 2]);
    // (d) S1 crashed. S5's last log term (3) beats S3's and S4's (§5.4.1), not S2's (4).
    expect([s3.afterReceiving({ type: 'vote', from: 5, term: 5 }).vote, s4.afterReceiving({ type: 'vote', from: 5, term: 5 }).vote]).toEqual([5, 5]);
    expect(s2.afterReceiving({ type: 'vote', from: 5, term: 5 })).toMatchObject({ term: 5, vote: 0 });
    // S5's AppendEntries fail the consistency check at S3 and S2, back off, and overwrite entry 2 of term 2 (§5.3).
    expect(s5.received('appendResp', 5)).toEqual([[3, false], [3, true], [3, true], [2, false], [2, true], [2, true]]);
    expect(terms(s3.afterReceiving({ type: 'append', from: 5, term: 5 }, 2))).toEqual([1, 3]);
    expect(terms(s2.afterReceiving({ type: 'append', from: 5, term: 5 }, 2))).toEqual([1, 3]);
    expect([terms(s2.final), terms(s3.final), terms(s5.final), s5.final.commit]).toEqual([[1, 3, 5], [1, 3, 5], [1, 3, 5], 3]);
    // Entry 2 of term 2 survives only on the crashed S1, and no node ever counted it committed.
    expect([terms(s1.final), s1.final.commit]).toEqual([[1, 2, 4], 1]);
    for (const s of [s1, s2, s3]) expect(s.states().some((x) => x.commit >= 2 && x.log.entries[1]?.term === 2)).toBe(false);
  }, 60_000);

  it('Figure 7 (§5.3): a follower missing an entry and one with an extra uncommitted entry, both repaired by the new leader', async () => {
    const run = await play('figure7-log-repair.yaml');
    const [s1, s2, s3] = [1, 2, 3].map((n) => run.node(n));

    // Term 1 committed entry 1 everywhere; S2 led term 2 alone; S3 led term 3 and committed entry 2 (term 3) with S1.
    expect(s3.afterReceiving({ type: 'appendResp', from: 1, term: 3 })).toMatchObject({ role: 'leader', term: 3, commit: 2 });
    // S1 comes to power in term 4: Figure 7's situation, logs drawn as the terms of their entries.
    const leader = s1.afterReceiving({ type: 'voteResp', from: 3, term: 4 });
    expect([leader.role, leader.term, terms(leader), leader.commit]).toEqual(['leader', 4, [1, 3, 4], 2]);
    const missing = s3.beforeReceiving({ type: 'append', from: 1, term: 4 });
    expect([missing.role, missing.term, terms(missing)]).toEqual(['follower', 4, [1, 3]]);
    const extra = s2.beforeReceiving({ type: 'vote', from: 1, term: 4 });
    // S2 still believes it leads term 2, with an entry of that term nobody else has, never committed.
    expect([extra.role, extra.term, terms(extra), extra.commit]).toEqual(['leader', 2, [1, 2], 1]);

    // The repair: S3 passes the consistency check at once; S2 fails it (its entry 2 is of term 2),
    // S1 backs off one entry, and S2 replaces its conflicting entry, then takes the last one.
    expect(s1.received('appendResp', 4)).toEqual([[3, true], [2, false], [2, true], [2, true]]);
    expect(terms(s2.afterReceiving({ type: 'append', from: 1, term: 4 }, 1))).toEqual([1, 2]);
    expect(terms(s2.afterReceiving({ type: 'append', from: 1, term: 4 }, 2))).toEqual([1, 3]);
    // In the end every log is the leader's, committed to its end.
    for (const s of [s1, s2, s3]) expect([s.replay.node, terms(s.final), s.final.commit, s.final.term]).toEqual([s.replay.node, [1, 3, 4], 3, 4]);
    expect(s1.final.role).toBe('leader');
  }, 60_000);

  it('a split vote (§5.2): two candidates of term 1 get two votes of four each, nobody wins, the shorter random timeout wins term 2', async () => {
    const run = await play('split-vote.yaml');
    const [s1, s2, s3, s4] = [1, 2, 3, 4].map((n) => run.node(n));
    // One vote per term, first come first served: S3 grants S1 and refuses S2, S4 the other way round.
    expect([s3.afterReceiving({ type: 'vote', from: 1, term: 1 }).vote, s3.afterReceiving({ type: 'vote', from: 2, term: 1 }).vote]).toEqual([1, 1]);
    expect([s4.afterReceiving({ type: 'vote', from: 2, term: 1 }).vote, s4.afterReceiving({ type: 'vote', from: 1, term: 1 }).vote]).toEqual([2, 2]);
    expect(s1.received('voteResp', 1)).toEqual([[3, true], [4, false], [2, false]]);
    expect(s2.received('voteResp', 1)).toEqual([[4, true], [3, false], [1, false]]);
    // Nobody won term 1: two votes each, of four; each knows it cannot win and waits again.
    const [a, b] = [s1.afterReceiving({ type: 'voteResp', from: 2, term: 1 }), s2.afterReceiving({ type: 'voteResp', from: 1, term: 1 })];
    expect([a.role, a.term, a.votes, b.role, b.term, b.votes]).toEqual(['follower', 1, { 1: true, 2: false, 3: true, 4: false }, 'follower', 1, { 1: false, 2: true, 3: false, 4: true }]);
    for (const s of [s1, s2, s3, s4]) expect(s.states().some((x) => x.term === 1 && x.role === 'leader')).toBe(false);
    // Their new randomized timeouts differ (§5.2): S1's is shorter, so S1 campaigns first, in term 2, and wins it.
    expect(a.timers.electionTimeout - a.timers.electionElapsed).toBeLessThan(b.timers.electionTimeout - b.timers.electionElapsed);
    const won = s1.afterReceiving({ type: 'voteResp', from: 3, term: 2 });
    expect([won.role, won.term]).toEqual(['leader', 2]);
    expect(s1.received('voteResp', 2)).toEqual([[2, true], [3, true], [4, true]]);
    for (const s of [s2, s3, s4]) expect([s.final.role, s.final.term, s.final.vote]).toEqual(['follower', 2, 1]);
  }, 60_000);

  it('a partitioned old leader (§5.3, §5.4): it takes writes that never commit, steps down after the heal, and they are overwritten', async () => {
    const run = await play('partitioned-old-leader.yaml');
    const faults = run.events.filter((e): e is Extract<RunEvent, { type: 'fault' }> => e.type === 'fault');
    const [isolate, heal] = faults;
    expect([isolate.action, heal.action, heal.fault.kind]).toEqual(['apply', 'heal', 'all']);
    // The isolated node is in every link the partition cut.
    const old = [1, 2, 3].find((n) => isolate.blocked!.every((pair) => pair.includes(n)))!;
    const others = [1, 2, 3].filter((n) => n !== old);
    const start = readRunClock(run.outcome.runDir)!;
    const at = (node: number, t: number) => run.node(node).replay.stateAtTime(start + t);

    const cut = at(old, isolate.t);
    expect(cut.role).toBe('leader');
    const oldTerm = cut.term;
    // Just before the heal: still leading its old term, with writes in its log past its commit index.
    const stranded = at(old, heal.t - 1);
    expect([stranded.role, stranded.term]).toEqual(['leader', oldTerm]);
    const uncommitted = stranded.log.entries.filter((e) => e.index > stranded.commit);
    expect(uncommitted.length).toBeGreaterThan(0);
    expect(uncommitted.every((e) => e.term === oldTerm && e.kind === 'command')).toBe(true);
    // Meanwhile the majority elected a leader of a later term and went on committing past them.
    const majority = others.map((n) => at(n, heal.t - 1));
    const newLeader = majority.find((m) => m.role === 'leader');
    expect(newLeader?.term).toBeGreaterThan(oldTerm);
    expect(newLeader!.commit).toBeGreaterThan(uncommitted[uncommitted.length - 1].index);

    // After the heal the old leader follows the new term, and its stranded entries are gone:
    // at each of their indexes every node holds the new leader's entry, committed.
    const final = [1, 2, 3].map((n) => run.node(n).final);
    const oldFinal = final[old - 1];
    expect([oldFinal.role, oldFinal.term]).toEqual(['follower', newLeader!.term]);
    for (const e of uncommitted) {
      const there = final.map((f) => f.log.entries.find((x) => x.index === e.index));
      expect(there.every((x) => x !== undefined && x.term > oldTerm)).toBe(true);
      expect(final.every((f) => f.commit >= e.index)).toBe(true);
    }
    // No write a client was told succeeded was among them: the history is linearizable (checked by runPlan's expectations).
    expect(run.outcome.summary.expectations?.find((x) => x.name === 'linearizable')?.ok).toBe(true);
  }, 60_000);

  it('a disruptive rejoining server without PreVote (thesis §9.6): its term climbed to 4 while away, and the leader steps down', async () => {
    const run = await play('disruptive-rejoin.yaml');
    const [s1, , s3] = [1, 2, 3].map((n) => run.node(n));
    // Partitioned away, S3 timed out three times, a candidate of a new term each time (§5.2).
    const away = s3.beforeReceiving({ type: 'heartbeat', from: 1, term: 1 });
    expect([away.role, away.term]).toEqual(['candidate', 4]);
    // The leader's heartbeat of term 1 is answered with term 4: the leader steps down although nothing failed (§5.1).
    expect(s1.beforeReceiving({ type: 'appendResp', from: 3, term: 4 })).toMatchObject({ role: 'leader', term: 1 });
    expect(s1.afterReceiving({ type: 'appendResp', from: 3, term: 4 })).toMatchObject({ role: 'follower', term: 4, leader: null });
  }, 60_000);

  it('the same rejoin with PreVote (thesis §9.6): the server away keeps its term, and the leader is undisturbed', async () => {
    const run = await play('disruptive-rejoin-prevote.yaml');
    const [s1, s2, s3] = [1, 2, 3].map((n) => run.node(n));
    // Three timeouts away made S3 a pre-candidate each time, asking for term 2 without taking it.
    const away = s3.beforeReceiving({ type: 'heartbeat', from: 1, term: 1 });
    expect([away.term, away.preCandidate]).toEqual([1, true]);
    expect(s3.afterReceiving({ type: 'heartbeat', from: 1, term: 1 })).toMatchObject({ role: 'follower', term: 1, leader: 1, preCandidate: false });
    expect(s1.afterReceiving({ type: 'heartbeatResp', from: 3, term: 1 })).toMatchObject({ role: 'leader', term: 1 });
    // Nobody ever left term 1.
    for (const s of [s1, s2, s3]) expect(Math.max(...s.states().map((x) => x.term))).toBe(1);
    expect(s1.final).toMatchObject({ role: 'leader', term: 1, commit: 1 });
  }, 60_000);
});
