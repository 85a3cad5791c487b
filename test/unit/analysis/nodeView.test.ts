/**
 * The one node-view fold (src/analysis/nodeView.ts): consistent snapshots per card
 * (commit ≤ lastIndex, always), pre-candidates told apart, the process rules, and the lab
 * and the renderer showing the same views for the same events.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { joinLiveView, NodeViewFold, shownRole, type NodeState } from '../../../src/analysis/nodeView';
import { ClusterState } from '../../../src/lab/clusterState';
import type { RunEvent } from '../../../src/contract/runEvents';

const e = (x: Record<string, unknown>): RunEvent => x as unknown as RunEvent;
const role = (t: number, node: number, r: string, term: number, extra: Record<string, unknown> = {}) =>
  e({ type: 'role', t, node, role: r, term, leader: r === 'leader' ? node : null, ...extra });
const metrics = (t: number, node: number, r: string, term: number, commit: number, lastIndex: number, applied = commit) =>
  e({ type: 'metrics', t, node, role: r, term, leader: r === 'leader' ? node : null, commit, applied, lastIndex });
const commit = (t: number, node: number, index: number) => e({ type: 'commit', t, node, index });
const proc = (t: number, node: number, state: string) => e({ type: 'process', t, node, state });

describe('NodeViewFold', () => {
  it('never pairs a newer commit event with an older last index (issue 15: "commit 60 / last 59")', () => {
    const f = new NodeViewFold(true);
    f.apply(role(1, 1, 'leader', 3));
    f.apply(metrics(100, 1, 'leader', 3, 59, 59));
    // The leader appends entry 60 and commits it between two samples: only the commit event says so.
    f.apply(commit(150, 1, 60));
    expect(f.get(1)).toMatchObject({ commit: 59, lastIndex: 59 });
    f.apply(metrics(200, 1, 'leader', 3, 60, 61));
    expect(f.get(1)).toMatchObject({ commit: 60, applied: 60, lastIndex: 61, indicesKnown: true });
  });

  it('refuses and counts a sample that reports commit above its own last index, keeping the last consistent one', () => {
    const f = new NodeViewFold(true);
    f.apply(metrics(100, 2, 'follower', 1, 10, 12));
    f.apply(metrics(200, 2, 'follower', 1, 178, 176));
    expect(f.get(2)).toMatchObject({ commit: 10, lastIndex: 12 });
    expect(f.inconsistentSamples).toBe(1);
  });

  it('commit ≤ lastIndex for every view after any interleaving of samples, commit events, roles and process changes', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('metrics' as const), node: fc.integer({ min: 1, max: 3 }), commit: fc.nat(200), ahead: fc.nat(5), bogus: fc.boolean() }),
      fc.record({ kind: fc.constant('commit' as const), node: fc.integer({ min: 1, max: 3 }), index: fc.nat(300) }),
      fc.record({ kind: fc.constant('role' as const), node: fc.integer({ min: 1, max: 3 }), role: fc.constantFrom('follower', 'candidate', 'leader'), term: fc.nat(9) }),
      fc.record({ kind: fc.constant('process' as const), node: fc.integer({ min: 1, max: 3 }), state: fc.constantFrom('killed', 'restarted', 'paused', 'resumed') }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const f = new NodeViewFold(true);
        steps.forEach((s, t) => {
          if (s.kind === 'metrics') {
            // Most samples are consistent; some (bogus) claim commit above last index.
            const last = s.bogus ? Math.max(0, s.commit - 1 - s.ahead) : s.commit + s.ahead;
            f.apply(metrics(t, s.node, 'follower', 1, s.commit, last));
          } else if (s.kind === 'commit') f.apply(commit(t, s.node, s.index));
          else if (s.kind === 'role') f.apply(role(t, s.node, s.role, s.term));
          else f.apply(proc(t, s.node, s.state));
          for (const v of f.list()) expect(v.commit).toBeLessThanOrEqual(v.lastIndex);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('tells a PreVote pre-candidate from a candidate, across metrics that carry no flag (thesis §9.6)', () => {
    const f = new NodeViewFold(true);
    f.apply(role(10, 4, 'candidate', 6, { preCandidate: true }));
    expect(shownRole(f.get(4)!)).toBe('preCandidate');
    f.apply(metrics(100, 4, 'candidate', 6, 0, 0));
    expect(shownRole(f.get(4)!), 'a metrics sample at the same term keeps the flag').toBe('preCandidate');
    f.apply(role(200, 4, 'candidate', 7));
    expect(shownRole(f.get(4)!), 'a real candidate raises its term (§5.2)').toBe('candidate');
    f.apply(metrics(300, 4, 'candidate', 7, 0, 0));
    expect(shownRole(f.get(4)!)).toBe('candidate');
  });

  it('keeps a dead process\'s last role as last known, never as the leader; a restart comes back as a follower (§5.2)', () => {
    const f = new NodeViewFold(true);
    f.apply(e({ type: 'process', t: 1, node: 1, state: 'started', pid: 77 }));
    f.apply(role(10, 1, 'leader', 2));
    expect(f.leader()).toBe(1);
    f.apply(proc(20, 1, 'killed'));
    expect(f.get(1)).toMatchObject({ role: 'leader', term: 2, pid: null, process: 'killed' });
    expect(f.leader()).toBeNull();
    f.apply(proc(30, 1, 'restarted'));
    expect(f.get(1)).toMatchObject({ role: 'follower', term: 2, leader: null });
  });

  it('the lab\'s ClusterState shows the fold\'s views (the renderer\'s RunModel: test/unit/renderer/modelNodeView.test.ts)', () => {
    const events: RunEvent[] = [
      e({ type: 'run', t: 0, node: null, phase: 'started', options: { nodes: 3 } }),
      ...[1, 2, 3].map((n) => e({ type: 'process', t: 1, node: n, state: 'started', pid: 100 + n })),
      role(5, 2, 'candidate', 1, { preCandidate: true }),
      role(10, 1, 'leader', 1),
      role(11, 2, 'follower', 1, { leader: 1 }),
      metrics(100, 1, 'leader', 1, 4, 5),
      commit(120, 1, 6),
      metrics(100, 2, 'follower', 1, 4, 4),
      e({ type: 'config', t: 130, node: 1, config: { voters: [1, 2] }, index: 6 }),
      proc(140, 3, 'killed'),
    ];
    const lab = new ClusterState();
    for (const n of [1, 2, 3]) lab.add(n, true);
    for (const ev of events) lab.apply(ev);
    const fold = new NodeViewFold(true);
    for (const ev of events) fold.apply(ev);
    expect(lab.list()).toEqual(fold.list());
    expect(lab.list().map((v) => [v.id, v.voter, v.commit, v.lastIndex])).toEqual([[1, true, 4, 5], [2, true, 4, 4], [3, false, 0, 0]]);
  });
});

describe('joinLiveView', () => {
  const labView: NodeState = {
    id: 1, process: 'started', pid: 101, role: 'follower', preCandidate: false, term: 3, leader: 2, commit: 9, applied: 9, lastIndex: 9, voter: true, member: true, roleKnown: true, indicesKnown: true,
  };

  it('takes each group whole from one side, never "the higher term wins"', () => {
    const fromEvents: NodeState = { ...labView, process: 'starting', pid: null, role: 'candidate', preCandidate: true, term: 3, leader: null, commit: 12, applied: 11, lastIndex: 14 };
    const v = joinLiveView(labView, fromEvents);
    expect(v).toMatchObject({ process: 'started', pid: 101, role: 'candidate', preCandidate: true, term: 3, leader: null, commit: 12, applied: 11, lastIndex: 14 });
    // The events told a LOWER term (the lab's push was fresher this once): still one group, from the events.
    const older = joinLiveView(labView, { ...fromEvents, term: 2 });
    expect(older.term).toBe(2);
    expect(older.role).toBe('candidate');
  });

  it('falls back to the lab for a group the events have not told yet', () => {
    const silent: NodeState = { ...labView, role: 'follower', term: 0, leader: null, commit: 0, applied: 0, lastIndex: 0, roleKnown: false, indicesKnown: false };
    expect(joinLiveView(labView, silent)).toMatchObject({ term: 3, leader: 2, commit: 9, lastIndex: 9 });
    expect(joinLiveView(labView, undefined)).toMatchObject({ term: 3, commit: 9 });
  });
});
