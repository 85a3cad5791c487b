/** The log view's pure helpers: timers as ms counting down (§5.2), conflicting suffixes marked (§5.3). */
import { describe, expect, it } from 'vitest';
import type { CoreStateView, NodeAt } from '../../../src/contract/labApiTimeTravel';
import { conflictMarks, leaderAt, timerCountdowns } from '../../../renderer/src/components/timeTravel/logView';

function state(node: number, over: Partial<CoreStateView> & { terms?: number[]; snapshotIndex?: number } = {}): CoreStateView {
  const terms = over.terms ?? [];
  const snap = over.snapshotIndex ?? 0;
  const entries = terms.map((term, i) => ({ index: snap + i + 1, term, kind: 'command' as const, size: 1 }));
  const { terms: _t, snapshotIndex: _s, ...rest } = over;
  return {
    node, incarnation: 1, step: 1, globalStep: 1, t: 0, role: 'follower', preCandidate: false, term: 1, vote: 0, leader: null,
    commit: 0, applied: 0, persistedIndex: 0,
    log: { snapshotIndex: snap, snapshotTerm: 0, lastIndex: snap + terms.length, lastTerm: terms.at(-1) ?? 0, entries },
    config: { voters: [1, 2, 3] }, configIndex: 0,
    timers: { electionElapsed: 3, electionTimeout: 12, heartbeatElapsed: 1, heartbeatTimeout: 2, leaderContactElapsed: 0 },
    votes: {}, followers: {}, reads: { pending: 0, heartbeatSeq: 0 }, transfer: { target: null, elapsed: 0 },
    ...rest,
  };
}
const at = (s: CoreStateView, down = false): NodeAt => ({ node: s.node, ok: true, state: s, prevStepAt: null, nextStepAt: null, ...(down ? { down: { since: 0, how: 'killed' } } : {}) });

describe('timerCountdowns', () => {
  it('a follower counts down to its election timeout in ms, ticks in the tooltip', () => {
    const [t] = timerCountdowns(state(2), 50);
    expect(t).toMatchObject({ what: 'election', leftTicks: 9, leftMs: 450, text: 'election timeout in 450 ms' });
    expect(t.title).toBe('3 of 12 ticks elapsed, 50 ms per tick');
  });
  it('a leader counts down to its next heartbeat', () => {
    const [t] = timerCountdowns(state(1, { role: 'leader' }), 50);
    expect(t).toMatchObject({ what: 'heartbeat', leftMs: 50, text: 'next heartbeat in 50 ms' });
  });
  it('falls back to ticks, and says so, when the run did not record its tick', () => {
    const [t] = timerCountdowns(state(2), null);
    expect(t.text).toBe('election timeout in 9 ticks');
    expect(t.title).toContain('not recorded');
  });
});

describe('conflictMarks (Figure 7 of the paper)', () => {
  const leader = state(1, { role: 'leader', term: 6, terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6], commit: 8 });
  it('marks entries of another term at the same index, and uncommitted ones past the leader', () => {
    // Figure 7 (f): 1 1 1 4 4 2 2 2 3 3 3 ... against the leader's 1 1 1 4 4 5 5 6 6 6.
    const f = state(3, { terms: [1, 1, 1, 4, 4, 2, 2, 2, 3, 3, 3], commit: 3 });
    const marks = conflictMarks(f, leader);
    expect([...marks.keys()]).toEqual([6, 7, 8, 9, 10, 11]);
    expect(marks.get(6)).toBe('differs');
    expect(marks.get(11)).toBe('beyond');
  });
  it('a log that is a prefix of the leader is not marked; neither is the leader itself', () => {
    expect(conflictMarks(state(2, { terms: [1, 1, 1, 4] }), leader).size).toBe(0);
    expect(conflictMarks(leader, leader).size).toBe(0);
  });
  it('indices inside the leader snapshot are not compared', () => {
    const compacted = state(1, { role: 'leader', term: 6, snapshotIndex: 5, terms: [5, 5] });
    expect(conflictMarks(state(2, { terms: [1, 1, 1, 4, 4, 5, 6] }), compacted)).toEqual(new Map([[7, 'differs']]));
  });
  it('no leader, no marks; a down leader or an older-term one is not the leader', () => {
    expect(conflictMarks(state(2, { terms: [1, 2] }), null).size).toBe(0);
    const old = state(4, { role: 'leader', term: 2 });
    expect(leaderAt([at(old), at(leader), at(state(2))])?.node).toBe(1);
    expect(leaderAt([at(leader, true), at(state(2))])).toBeNull();
  });
});
