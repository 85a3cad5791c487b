import { describe, expect, it } from 'vitest';
import { SafetyMonitor, SAFETY_PROPERTIES, type Violation } from '../../../src/lab/checkers/safety';
import type { RunEvent } from '../../../src/contract/runEvents';

const role = (t: number, node: number, r: 'leader' | 'follower' | 'candidate', term: number): RunEvent =>
  ({ type: 'role', t, node, role: r, term, leader: r === 'leader' ? node : null }) as unknown as RunEvent;
const apply = (t: number, node: number, index: number, term: number, digest: string): RunEvent =>
  ({ type: 'apply', t, node, index, term, digest }) as unknown as RunEvent;
const commit = (t: number, node: number, index: number): RunEvent => ({ type: 'commit', t, node, index }) as unknown as RunEvent;
const proc = (t: number, node: number, state: string): RunEvent => ({ type: 'process', t, node, state }) as RunEvent;
const metrics = (t: number, node: number, m: { term: number; commit: number; applied: number; role?: string }): RunEvent =>
  ({ type: 'metrics', t, node, role: 'follower', leader: null, lastIndex: m.applied, ...m }) as unknown as RunEvent;

function feed(events: RunEvent[], mon = new SafetyMonitor()): Violation[] {
  return events.flatMap((e) => mon.observe(e));
}

describe('SafetyMonitor: planted violations', () => {
  it('Election Safety: two leaders in one term', () => {
    const v = feed([role(1, 1, 'leader', 3), role(2, 2, 'leader', 3)]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ type: 'violation', property: SAFETY_PROPERTIES.electionSafety, term: 3, nodes: [1, 2], t: 2 });
  });

  it('Election Safety: a second leader seen only through metrics', () => {
    const v = feed([role(1, 1, 'leader', 3), metrics(2, 2, { term: 3, commit: 0, applied: 0, role: 'leader' })]);
    expect(v.map((x) => x.property)).toEqual([SAFETY_PROPERTIES.electionSafety]);
  });

  it('State Machine Safety and Log Matching (§5.3): two entries with one index and term', () => {
    const v = feed([apply(1, 1, 5, 2, 'aaa'), apply(2, 2, 5, 2, 'bbb'), apply(3, 2, 5, 2, 'bbb')]);
    expect(v.map((x) => x.property)).toEqual([SAFETY_PROPERTIES.stateMachineSafety, SAFETY_PROPERTIES.logMatching]);
    expect(v[0]).toMatchObject({ index: 5, nodes: [1, 2] });
    expect(v[1].message).toContain('one entry per index and term');
  });

  it('State Machine Safety: same digest but a different term is a different entry', () => {
    const v = feed([apply(1, 1, 5, 2, 'aaa'), apply(2, 3, 5, 3, 'aaa')]);
    expect(v.map((x) => x.property)).toEqual([SAFETY_PROPERTIES.stateMachineSafety]);
  });

  it('commit index going down without a restart', () => {
    const v = feed([commit(1, 1, 10), commit(2, 1, 12), metrics(3, 1, { term: 1, commit: 11, applied: 11 })]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: SAFETY_PROPERTIES.commitMonotonic, node: 1, index: 11 });
  });

  it('term going down, even across a restart (term is durable)', () => {
    const v = feed([
      role(1, 1, 'follower', 4),
      proc(2, 1, 'killed'),
      proc(3, 1, 'restarted'),
      role(4, 1, 'follower', 2),
    ]);
    expect(v.map((x) => x.property)).toEqual([SAFETY_PROPERTIES.termMonotonic]);
    expect(v[0].message).toContain('from 4 to 2');
  });

  it('reports one decrease once, not on every later sample', () => {
    const v = feed([commit(1, 1, 10), commit(2, 1, 5), commit(3, 1, 5), commit(4, 1, 6)]);
    expect(v).toHaveLength(1);
  });
});

describe('SafetyMonitor: legitimate runs produce nothing', () => {
  it('a leader change, commits, applies and a crash-restart with a lower persisted commit', () => {
    const events: RunEvent[] = [
      role(0, 1, 'candidate', 1),
      role(1, 1, 'leader', 1),
      role(1, 2, 'follower', 1),
      role(1, 3, 'follower', 1),
    ];
    for (let i = 1; i <= 50; i++) {
      for (const n of [1, 2, 3]) {
        events.push(commit(i + 1, n, i));
        events.push(apply(i + 1, n, i, 1, `d${i}`));
      }
    }
    events.push(metrics(60, 1, { term: 1, commit: 50, applied: 50, role: 'leader' }));
    // Node 1 crashes; its persisted commit was only 40, which it reports after restart.
    events.push(proc(61, 1, 'killed'));
    events.push(role(62, 2, 'candidate', 2), role(63, 2, 'leader', 2));
    events.push(proc(64, 1, 'restarted'));
    events.push(metrics(65, 1, { term: 2, commit: 40, applied: 40 }));
    events.push(commit(66, 1, 45));
    for (let i = 41; i <= 50; i++) events.push(apply(66, 1, i, 1, `d${i}`));
    events.push(role(67, 1, 'follower', 2));
    // The same leader reported twice in its term is fine.
    events.push(role(68, 2, 'leader', 2));
    expect(feed(events)).toEqual([]);
  });

  it('ignores stale telemetry of the previous incarnation that arrives after the restart', () => {
    const v = feed([
      commit(1, 1, 30),
      proc(10, 1, 'killed'),
      proc(11, 1, 'restarted'),
      metrics(12, 1, { term: 1, commit: 20, applied: 20 }),
      commit(9, 1, 31), // stamped before the restart: the old process, delivered late
      commit(13, 1, 21),
    ]);
    expect(v).toEqual([]);
  });

  it("a node's own 'ready' event starts a new incarnation", () => {
    const v = feed([commit(1, 1, 30), { type: 'ready', t: 5, node: 1, pid: 1, peerAddress: '', clientAddress: '' } as unknown as RunEvent, commit(6, 1, 3)]);
    expect(v).toEqual([]);
  });
});

describe('SafetyMonitor: bounded memory', () => {
  it('forgets indices every live node has applied', () => {
    const mon = new SafetyMonitor({ retainBehind: 0 });
    for (let i = 1; i <= 10_000; i++) for (const n of [1, 2, 3]) mon.observe(apply(i, n, i, 1, `d${i}`));
    expect(mon.trackedIndices).toBeLessThanOrEqual(1);
  });

  it('keeps a margin below the slowest node (default 1024 indices)', () => {
    const mon = new SafetyMonitor();
    for (let i = 1; i <= 5000; i++) for (const n of [1, 2, 3]) mon.observe(apply(i, n, i, 1, `d${i}`));
    expect(mon.trackedIndices).toBe(1024);
    // A fourth node nobody announced, a little behind, is still compared.
    expect(mon.observe(apply(5001, 4, 4500, 1, 'bad')).map((x) => x.property)).toContain(SAFETY_PROPERTIES.stateMachineSafety);
  });

  it('caps the window when a node lags (paused)', () => {
    const mon = new SafetyMonitor({ maxTrackedIndices: 100, nodes: [1, 2, 3] });
    mon.observe(apply(0, 3, 1, 1, 'd1'));
    mon.observe(proc(1, 3, 'paused'));
    for (let i = 1; i <= 1000; i++) mon.observe(apply(i, 1, i, 1, `d${i}`));
    expect(mon.trackedIndices).toBeLessThanOrEqual(100);
    // A conflict inside the window is still seen.
    expect(mon.observe(apply(1001, 2, 990, 1, 'other')).map((x) => x.property)).toContain(SAFETY_PROPERTIES.stateMachineSafety);
  });

  it('keeps entries for a killed member until it applied them, bounded by maxTrackedIndices', () => {
    const mon = new SafetyMonitor({ retainBehind: 0, maxTrackedIndices: 5000, nodes: [1, 2, 3] });
    mon.observe(proc(0, 3, 'killed'));
    for (let i = 1; i <= 3000; i++) for (const n of [1, 2]) mon.observe(apply(i, n, i, 1, `d${i}`));
    expect(mon.trackedIndices).toBe(3000);
    for (let i = 3001; i <= 8000; i++) for (const n of [1, 2]) mon.observe(apply(i, n, i, 1, `d${i}`));
    expect(mon.trackedIndices).toBe(5000);
    // Node 3 comes back and applies what was forgotten: counted, not silently passed.
    mon.observe(proc(9000, 3, 'restarted'));
    for (let i = 1; i <= 3000; i++) mon.observe(apply(9000 + i, 3, i, 1, `d${i}`));
    expect(mon.unchecked()).toEqual([{ node: 3, from: 1, to: 3000, reason: 'memory' }]);
  });
});

describe('SafetyMonitor: a restarted node catching up (issue 9 bug 4)', () => {
  /** Nodes 1-3 apply 1..10; node 3 is killed; 1 and 2 go on to `upTo`; node 3 restarts. */
  function restartSequence(upTo: number): RunEvent[] {
    const events: RunEvent[] = [];
    for (let i = 1; i <= 10; i++) for (const n of [1, 2, 3]) events.push(apply(i, n, i, 1, `d${i}`));
    events.push(proc(20, 3, 'killed'));
    for (let i = 11; i <= upTo; i++) for (const n of [1, 2]) events.push(apply(20 + i, n, i, 1, `d${i}`));
    events.push(proc(upTo + 30, 3, 'restarted'));
    return events;
  }

  it('compares the catch-up of a node killed far behind (State Machine Safety, §5.4.3)', () => {
    const mon = new SafetyMonitor({ nodes: [1, 2, 3] });
    feed(restartSequence(3000), mon);
    const catchUp: RunEvent[] = [];
    for (let i = 11; i <= 3000; i++) catchUp.push(apply(4000 + i, 3, i, 1, i === 2500 ? 'planted' : `d${i}`));
    const v = feed(catchUp, mon);
    expect(v.map((x) => [x.property, x.index, x.nodes])).toEqual([
      [SAFETY_PROPERTIES.stateMachineSafety, 2500, [1, 3]],
      [SAFETY_PROPERTIES.logMatching, 2500, [1, 3]],
    ]);
    expect(mon.unchecked()).toEqual([]);
  });

  it('a faithful catch-up passes, and memory returns once every member applied', () => {
    const mon = new SafetyMonitor({ retainBehind: 0, nodes: [1, 2, 3] });
    feed(restartSequence(3000), mon);
    const catchUp: RunEvent[] = [];
    for (let i = 11; i <= 3000; i++) catchUp.push(apply(4000 + i, 3, i, 1, `d${i}`));
    expect(feed(catchUp, mon)).toEqual([]);
    expect(mon.trackedIndices).toBeLessThanOrEqual(1);
  });

  it('a snapshot installed on the restarted node covers the indices it never applies one by one', () => {
    const mon = new SafetyMonitor({ retainBehind: 0, nodes: [1, 2, 3] });
    feed(restartSequence(3000), mon);
    mon.observe({ type: 'snapshot', t: 4000, node: 3, phase: 'installed', index: 2900, term: 1 } as unknown as RunEvent);
    const v = feed([apply(4001, 3, 2901, 1, 'd2901'), apply(4002, 3, 2902, 1, 'bad')], mon);
    expect(v.map((x) => x.property)).toContain(SAFETY_PROPERTIES.stateMachineSafety);
    expect(mon.unchecked()).toEqual([]);
  });
});

describe('SafetyMonitor: apply events lost in telemetry are reported unchecked', () => {
  it('a gap between a node\'s applied indices', () => {
    const mon = new SafetyMonitor({ nodes: [1, 2] });
    for (let i = 1; i <= 30; i++) mon.observe(apply(i, 1, i, 1, `d${i}`));
    for (let i = 1; i <= 30; i++) if (i <= 10 || i >= 20) mon.observe(apply(i, 2, i, 1, `d${i}`));
    expect(mon.unchecked()).toEqual([{ node: 2, from: 11, to: 19, reason: 'telemetry' }]);
    expect(mon.closingNotes()[0]).toMatch(/9 applied entries were unchecked.*node 2 indices 11-19 \(no apply event seen: lost in telemetry/);
  });

  it('applies a node reported in its metrics that no apply event ever showed', () => {
    const mon = new SafetyMonitor({ nodes: [1] });
    for (let i = 1; i <= 30; i++) mon.observe(apply(i, 1, i, 1, `d${i}`));
    mon.observe(metrics(40, 1, { term: 1, commit: 40, applied: 40 }));
    expect(mon.unchecked()).toEqual([{ node: 1, from: 31, to: 40, reason: 'telemetry' }]);
  });

  it('says nothing when every applied entry was checked', () => {
    const mon = new SafetyMonitor({ nodes: [1, 2] });
    for (let i = 1; i <= 30; i++) for (const n of [1, 2]) mon.observe(apply(i, n, i, 1, `d${i}`));
    mon.observe(metrics(40, 1, { term: 1, commit: 30, applied: 30 }));
    expect(mon.unchecked()).toEqual([]);
    expect(mon.closingNotes()).toEqual([]);
  });
});

describe('SafetyMonitor: Log Matching and Leader Completeness where telemetry shows them', () => {
  it('Log Matching (§5.3): a node applying a lower term after a higher one', () => {
    const v = feed([apply(1, 1, 1, 1, 'a'), apply(2, 1, 2, 3, 'b'), apply(3, 1, 3, 2, 'c')]);
    expect(v.map((x) => x.property)).toEqual([SAFETY_PROPERTIES.logMatching]);
    expect(v[0].message).toContain("a log's terms never go down");
  });

  const sample = (t: number, node: number, role: 'leader' | 'follower', term: number, commit: number, lastIndex: number): RunEvent =>
    ({ type: 'metrics', t, node, role, leader: role === 'leader' ? node : null, term, commit, applied: commit, lastIndex }) as unknown as RunEvent;

  it('Leader Completeness (§5.4): a leader of a later term without every committed entry, in either arrival order', () => {
    const first = feed([sample(1, 1, 'follower', 2, 50, 50), sample(2, 2, 'leader', 3, 10, 40)]);
    expect(first.map((x) => [x.property, x.term, x.node])).toEqual([[SAFETY_PROPERTIES.leaderCompleteness, 3, 2]]);
    const reversed = feed([sample(2, 2, 'leader', 3, 10, 40), sample(1, 1, 'follower', 2, 50, 50)]);
    expect(reversed.map((x) => x.property)).toEqual([SAFETY_PROPERTIES.leaderCompleteness]);
  });

  it('Leader Completeness: no false alarm for entries committed only in a later term (Figure 8)', () => {
    // Node 5 leads term 3 with a short log; entries up to 3 commit in term 4 (node 1 leads).
    const v = feed([sample(1, 5, 'leader', 3, 1, 2), sample(2, 1, 'leader', 4, 3, 4), sample(3, 2, 'follower', 4, 3, 4)]);
    expect(v).toEqual([]);
    expect(feed([sample(1, 1, 'follower', 2, 5, 5), sample(2, 2, 'leader', 3, 5, 6)])).toEqual([]);
  });
});
