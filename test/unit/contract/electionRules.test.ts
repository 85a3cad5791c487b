/** The shared leaderless-interval rules (§9.3) as an incremental API; the lab and renderer wrappers have their own tests. */
import { describe, expect, it } from 'vitest';
import { ElectionTracker } from '../../../src/contract/electionRules';
import type { RunEvent } from '../../../src/contract/runEvents';

const e = (x: Record<string, unknown>): RunEvent => x as unknown as RunEvent;
const role = (t: number, node: number, r: string, term: number) => e({ type: 'role', t, node, role: r, term, leader: r === 'leader' ? node : null });

describe('ElectionTracker (shared rules)', () => {
  it('returns each interval from the event that closes it and exposes the open one meanwhile', () => {
    const tr = new ElectionTracker();
    expect(tr.observe(e({ type: 'run', t: 0, node: null, phase: 'started', options: { nodes: 3 } }))).toBeNull();
    expect(tr.observe(role(50, 1, 'leader', 1))).toBeNull(); // the first election is not an interval
    expect(tr.firstLeaderAt).toBe(50);
    expect(tr.observe(e({ type: 'process', t: 100, node: 1, state: 'killed' }))).toBeNull();
    expect(tr.openInterval).toEqual({ start: 100, end: null, cause: 'killed', from: 1, fromTerm: 1 });
    expect(tr.currentLeader).toBeNull();
    expect(tr.observe(role(300, 2, 'leader', 2))).toEqual({ start: 100, end: 300, cause: 'killed', from: 1, fromTerm: 1, to: 2, toTerm: 2 });
    expect(tr.openInterval).toBeNull();
    expect(tr.currentLeader).toEqual({ node: 2, term: 2 });
    expect(tr.leaderChanges).toBe(2);
    expect(tr.leadershipsSeen()).toEqual([{ t: 50, node: 1, term: 1 }, { t: 300, node: 2, term: 2 }]);
  });

  it('closes a pause without a new leader when the old one resumes first', () => {
    const tr = new ElectionTracker();
    tr.observe(role(10, 1, 'leader', 1));
    tr.observe(e({ type: 'process', t: 100, node: 1, state: 'paused' }));
    expect(tr.observe(e({ type: 'process', t: 250, node: 1, state: 'resumed' }))).toEqual({ start: 100, end: 250, cause: 'paused', from: 1, fromTerm: 1 });
  });

  it('keeps a pause open when a higher term was seen before the old leader resumed', () => {
    const tr = new ElectionTracker();
    tr.observe(role(10, 1, 'leader', 1));
    tr.observe(e({ type: 'process', t: 100, node: 1, state: 'paused' }));
    tr.observe(role(150, 2, 'candidate', 2));
    expect(tr.observe(e({ type: 'process', t: 250, node: 1, state: 'resumed' }))).toBeNull();
    expect(tr.openInterval?.cause).toBe('paused');
  });
});
