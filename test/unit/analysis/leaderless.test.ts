/**
 * The one definition of a leaderless interval (src/analysis/leaderless.ts, documented in
 * docs/formats.md), on recorded event sequences: the incremental tracker the app uses and
 * the batch analysis behind summary.json, the CLI and report.html.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { causeText, ElectionTracker, outcomeText } from '../../../src/analysis/leaderless';
import { analyzeElections } from '../../../src/analysis/elections';
import type { RunEvent } from '../../../src/contract/runEvents';

const e = (x: Record<string, unknown>): RunEvent => x as unknown as RunEvent;
const role = (t: number, node: number, r: string, term: number, extra: Record<string, unknown> = {}) =>
  e({ type: 'role', t, node, role: r, term, leader: r === 'leader' ? node : null, ...extra });
const metrics = (t: number, node: number, r: string, term: number) => e({ type: 'metrics', t, node, role: r, term, leader: r === 'leader' ? node : null, commit: 0, applied: 0, lastIndex: 0 });
const started = (nodes: number) => e({ type: 'run', t: 0, node: null, phase: 'started', options: { nodes } });

/** Every (from, to) pair between different groups, both directions. */
function cut(groups: number[][]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) pairs.push([x, y]);
  return pairs;
}

/**
 * Issue 15's recording, rebuilt from its description: voters {1,3,4,5,6} (node 2 removed),
 * node 1 leads term 6; the partition {4,5} | {1,3} | {6} leaves no side a majority; node 1
 * steps down by CheckQuorum at 351.2 s (thesis §6.2); every other node pre-votes without
 * raising its term (PreVote, thesis §9.6) for 25 s; after the heal node 6 wins term 7 at
 * 376.7 s. The app and the report used to list two elections here ("25,708 ms, the same
 * leader came back" and "6.9 ms, leader stepped down").
 */
function partitionWithoutMajority(): RunEvent[] {
  const ev: RunEvent[] = [started(6)];
  ev.push(role(290_000, 1, 'candidate', 6), role(290_050, 1, 'leader', 6));
  for (const n of [3, 4, 5, 6]) ev.push(role(290_060, n, 'follower', 6, { leader: 1 }));
  ev.push(e({ type: 'membership', t: 300_000, node: null, action: 'remove', target: 2, voters: [1, 3, 4, 5, 6] }));
  ev.push(e({ type: 'fault', t: 351_000, node: null, action: 'apply', fault: { kind: 'partition', groups: [[4, 5], [1, 3], [6]] }, description: 'partition {4,5} | {1,3} | {6}', nodes: [1, 3, 4, 5, 6], blocked: cut([[4, 5], [1, 3], [6]]) }));
  ev.push(e({ type: 'quorumLost', t: 351_200, node: 1, term: 6 }), role(351_200, 1, 'follower', 6));
  for (const [i, n] of [3, 4, 5, 6].entries()) {
    ev.push(role(351_900 + i * 40, n, 'candidate', 6, { preCandidate: true }));
    ev.push(e({ type: 'election', t: 351_900 + i * 40, node: n, phase: 'started', term: 7, preVote: true }));
  }
  // Metrics every second repeat role and term: nobody's term moves while PreVote holds.
  for (let t = 352_000; t < 376_690; t += 1000) {
    ev.push(metrics(t, 1, 'follower', 6));
    for (const n of [3, 4, 5, 6]) ev.push(metrics(t + 5, n, 'candidate', 6));
  }
  ev.push(e({ type: 'fault', t: 376_690, node: null, action: 'heal', fault: { kind: 'all' }, description: 'heal all', nodes: [] }));
  // Node 6's vote request at term 7 turns node 1 into a follower of term 7 6.9 ms before 6 wins.
  ev.push(role(376_693, 6, 'candidate', 7), role(376_693.1, 1, 'follower', 7));
  for (const n of [3, 4, 5]) ev.push(role(376_694, n, 'follower', 7));
  ev.push(role(376_700, 6, 'leader', 7));
  for (const n of [1, 3, 4, 5]) ev.push(role(376_702, n, 'follower', 7, { leader: 6 }));
  return ev;
}

describe('leaderless intervals (docs/formats.md)', () => {
  it('a partition that leaves no majority is ONE outage, from the partition to the next leader of a higher term (§5.2)', () => {
    const a = analyzeElections(partitionWithoutMajority());
    expect(a.intervals).toEqual([
      { kind: 'outage', start: 351_000, end: 376_700, cause: 'partitioned', from: 1, fromTerm: 6, steppedDownAt: 351_200, to: 6, toTerm: 7 },
    ]);
    expect(a.samples).toEqual([25_700]);
    expect(a.transfers).toEqual([]);
    expect(outcomeText(a.intervals[0])).toBe('node 6 leads term 7');
  });

  it('the same sequence fed live, event by event in arrival order, gives the same single interval', () => {
    const tr = new ElectionTracker();
    const closed = partitionWithoutMajority().map((ev) => tr.observe(ev)).filter((x) => x !== null);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ start: 351_000, end: 376_700, cause: 'partitioned' });
  });

  it('a heal closes a partition as "the same leader came back" only if the leader never stepped down', () => {
    const base = [
      started(3),
      role(10, 1, 'leader', 1),
      e({ type: 'fault', t: 100, node: null, action: 'apply', fault: { kind: 'partition', preset: 'isolate-leader' }, description: 'isolate', nodes: [1], blocked: cut([[1], [2, 3]]) }),
    ];
    const heal = e({ type: 'fault', t: 200, node: null, action: 'heal', fault: { kind: 'all' }, description: 'heal', nodes: [] });
    // Without CheckQuorum the isolated leader keeps leading; the heal brings it back.
    const kept = analyzeElections([...base, metrics(150, 1, 'leader', 1), heal]);
    expect(kept.intervals).toEqual([{ kind: 'outage', start: 100, end: 200, cause: 'partitioned', from: 1, fromTerm: 1 }]);
    expect(outcomeText(kept.intervals[0])).toBe('node 1 came back, still leading term 1');
    // With CheckQuorum it stepped down: the heal ends nothing; the next leader does.
    const stepped = analyzeElections([...base, e({ type: 'quorumLost', t: 150, node: 1, term: 1 }), heal, role(260, 2, 'leader', 2)]);
    expect(stepped.intervals).toEqual([{ kind: 'outage', start: 100, end: 260, cause: 'partitioned', from: 1, fromTerm: 1, steppedDownAt: 150, to: 2, toTerm: 2 }]);
  });

  it('CheckQuorum stepping down without a recorded partition opens a quorum-lost outage (thesis §6.2)', () => {
    const a = analyzeElections([started(3), role(10, 1, 'leader', 1), e({ type: 'quorumLost', t: 500, node: 1, term: 1 }), role(500, 1, 'follower', 1), role(900, 3, 'leader', 2)]);
    expect(a.intervals).toEqual([{ kind: 'outage', start: 500, end: 900, cause: 'quorum-lost', from: 1, fromTerm: 1, steppedDownAt: 500, to: 3, toTerm: 2 }]);
    expect(causeText('quorum-lost')).toBe('leader lost its quorum (CheckQuorum)');
  });

  it('a planned leadership transfer is reported apart, not as an election (thesis §3.10)', () => {
    const a = analyzeElections([
      started(3),
      role(10, 1, 'leader', 1),
      e({ type: 'transfer', t: 1000, node: 1, phase: 'started', to: 3 }),
      role(1010, 3, 'candidate', 2),
      role(1012, 1, 'follower', 2),
      role(1015, 3, 'leader', 2),
      e({ type: 'process', t: 5000, node: 3, state: 'killed' }),
      role(5300, 2, 'leader', 3),
    ]);
    expect(a.transfers).toEqual([{ kind: 'transfer', start: 1012, end: 1015, cause: 'transfer', from: 1, fromTerm: 1, steppedDownAt: 1012, to: 3, toTerm: 2 }]);
    expect(a.intervals).toEqual([{ kind: 'outage', start: 5000, end: 5300, cause: 'killed', from: 3, fromTerm: 2, to: 2, toTerm: 3 }]);
    expect(a.samples).toEqual([300]);
    expect(a.leaderChanges).toBe(3);
  });

  it('a transfer whose target does not take over is an outage (transfer-failed); an aborted one is forgotten', () => {
    const failed = analyzeElections([
      started(3),
      role(10, 1, 'leader', 1),
      e({ type: 'transfer', t: 1000, node: 1, phase: 'started', to: 3 }),
      role(1012, 1, 'follower', 2),
      e({ type: 'process', t: 1013, node: 3, state: 'killed' }),
      role(1400, 2, 'leader', 3),
    ]);
    expect(failed.transfers).toEqual([]);
    expect(failed.intervals).toMatchObject([{ kind: 'outage', cause: 'transfer-failed', start: 1012, end: 1400, to: 2 }]);
    const aborted = analyzeElections([
      started(3),
      role(10, 1, 'leader', 1),
      e({ type: 'transfer', t: 1000, node: 1, phase: 'started', to: 3 }),
      e({ type: 'transfer', t: 1500, node: 1, phase: 'aborted', to: 3, reason: 'timeout' }),
      role(3000, 1, 'follower', 1),
      role(3300, 2, 'leader', 2),
    ]);
    expect(aborted.intervals).toMatchObject([{ kind: 'outage', cause: 'stepped-down', start: 3000, end: 3300 }]);
  });

  it('returns each interval from the event that closes it and exposes the open one meanwhile', () => {
    const tr = new ElectionTracker();
    expect(tr.observe(started(3))).toBeNull();
    expect(tr.observe(role(50, 1, 'leader', 1))).toBeNull(); // the first election is not an interval
    expect(tr.firstLeaderAt).toBe(50);
    expect(tr.observe(e({ type: 'process', t: 100, node: 1, state: 'killed' }))).toBeNull();
    expect(tr.openInterval).toEqual({ kind: 'outage', start: 100, end: null, cause: 'killed', from: 1, fromTerm: 1 });
    expect(tr.currentLeader).toBeNull();
    expect(tr.observe(role(300, 2, 'leader', 2))).toEqual({ kind: 'outage', start: 100, end: 300, cause: 'killed', from: 1, fromTerm: 1, to: 2, toTerm: 2 });
    expect(tr.openInterval).toBeNull();
    expect(tr.currentLeader).toEqual({ node: 2, term: 2 });
    expect(tr.leaderChanges).toBe(2);
    expect(tr.leadershipsSeen()).toEqual([{ t: 50, node: 1, term: 1 }, { t: 300, node: 2, term: 2 }]);
  });

  it('closes a pause without a new leader when the old one resumes first', () => {
    const tr = new ElectionTracker();
    tr.observe(role(10, 1, 'leader', 1));
    tr.observe(e({ type: 'process', t: 100, node: 1, state: 'paused' }));
    expect(tr.observe(e({ type: 'process', t: 250, node: 1, state: 'resumed' }))).toEqual({ kind: 'outage', start: 100, end: 250, cause: 'paused', from: 1, fromTerm: 1 });
  });

  it('keeps a pause open when a higher term was seen before the old leader resumed', () => {
    const tr = new ElectionTracker();
    tr.observe(role(10, 1, 'leader', 1));
    tr.observe(e({ type: 'process', t: 100, node: 1, state: 'paused' }));
    tr.observe(role(150, 2, 'candidate', 2));
    expect(tr.observe(e({ type: 'process', t: 250, node: 1, state: 'resumed' }))).toBeNull();
    expect(tr.openInterval?.cause).toBe('paused');
  });

  it('on any sequence: outages do not overlap, never end before they start, and the samples are the closed ones', () => {
    const event = fc.oneof(
      fc.record({ type: fc.constant('role'), node: fc.integer({ min: 1, max: 3 }), role: fc.constantFrom('follower', 'candidate', 'leader'), term: fc.integer({ min: 1, max: 6 }), preCandidate: fc.boolean() }),
      fc.record({ type: fc.constant('process'), node: fc.integer({ min: 1, max: 3 }), state: fc.constantFrom('killed', 'paused', 'resumed', 'restarted') }),
      fc.record({ type: fc.constant('quorumLost'), node: fc.integer({ min: 1, max: 3 }), term: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ type: fc.constant('transfer'), node: fc.integer({ min: 1, max: 3 }), phase: fc.constantFrom('started', 'aborted'), to: fc.integer({ min: 1, max: 3 }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), event), { maxLength: 60 }), (raw) => {
        const events = [started(3), ...raw.map(([t, x]) => e({ ...x, t, leader: x.type === 'role' && x.role === 'leader' ? x.node : null }))];
        const a = analyzeElections(events);
        let lastEnd = -Infinity;
        for (const i of [...a.intervals, ...a.transfers].sort((x, y) => x.start - y.start)) {
          expect(i.start).toBeGreaterThanOrEqual(lastEnd);
          if (i.end !== null) expect(i.end).toBeGreaterThanOrEqual(i.start);
          lastEnd = i.end ?? Infinity;
        }
        expect(a.samples).toEqual(a.intervals.filter((i) => i.end !== null).map((i) => (i.end as number) - i.start));
        expect(a.intervals.every((i) => i.kind === 'outage') && a.transfers.every((i) => i.kind === 'transfer')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
