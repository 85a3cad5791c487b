/**
 * The renderer's node cards come from the one node-view fold (src/analysis/nodeView.ts),
 * the same the lab runs (test/unit/analysis/nodeView.test.ts): same events, same views;
 * commit never above last index; pre-candidates in their own lane.
 */
import { describe, expect, it } from 'vitest';
import { NodeViewFold } from '../../../src/analysis/nodeView';
import type { RunEvent } from '../../../src/contract/runEvents';
import { RunModel } from '../../../renderer/src/model/runModel';
import { metrics, proc, role, run } from './events';

const commit = (t: number, node: number, index: number): RunEvent => ({ type: 'commit', t, node, index }) as unknown as RunEvent;
const preCandidate = (t: number, node: number, term: number): RunEvent => ({ type: 'role', t, node, role: 'candidate', term, leader: null, preCandidate: true }) as unknown as RunEvent;

describe('RunModel node views', () => {
  const events: RunEvent[] = [
    run(0),
    ...[1, 2, 3].map((n) => proc(1, n, 'started')),
    role(10, 1, 'leader', 1),
    metrics(100, 1, { role: 'leader', term: 1, commit: 59, applied: 59, lastIndex: 59 }),
    commit(150, 1, 60),
    preCandidate(160, 3, 1),
    metrics(200, 3, { role: 'candidate', term: 1, commit: 58, applied: 58, lastIndex: 59 }),
    proc(300, 2, 'killed'),
  ];

  it('are the fold\'s views of the same events', () => {
    const model = new RunModel();
    model.ingest(events);
    const fold = new NodeViewFold(true);
    for (const ev of events) fold.apply(ev);
    expect(model.nodes().map((v) => ({ ...v }))).toEqual(fold.list());
  });

  it('show one consistent snapshot per card: a commit event after a sample does not lift commit above the last index', () => {
    const model = new RunModel();
    model.ingest(events);
    expect(model.node(1)).toMatchObject({ commit: 59, lastIndex: 59 });
    for (const n of model.nodes()) expect(n.commit).toBeLessThanOrEqual(n.lastIndex);
  });

  it('draw a pre-candidate in its own lane state, kept across metrics at the same term (thesis §9.6)', () => {
    const model = new RunModel();
    model.ingest(events);
    expect(model.timeline.segments(3).map((s) => s.state)).toEqual(['follower', 'preCandidate']);
    model.ingest([role(400, 3, 'candidate', 2)]);
    expect(model.timeline.current(3)).toBe('candidate');
  });
});

describe('learners (thesis §4.2.1) in the cards and the role timeline', () => {
  const membership = (t: number, action: 'add' | 'promote', target: number, voters: number[], learners?: number[]): RunEvent =>
    ({ type: 'membership', t, node: null, action, target, voters, ...(learners ? { learners } : {}) }) as unknown as RunEvent;
  const config = (t: number, node: number, voters: number[], learners?: number[]): RunEvent =>
    ({ type: 'config', t, node, index: t, config: { voters, ...(learners ? { learners } : {}) } }) as unknown as RunEvent;

  it('a node added as a learner shows as one until promoted, then as a voting follower', () => {
    const model = new RunModel();
    model.ingest([
      run(0),
      ...[1, 2, 3].map((n) => proc(1, n, 'started')),
      role(10, 1, 'leader', 1),
      proc(20, 4, 'started'),
      membership(30, 'add', 4, [1, 2, 3], [4]),
      config(40, 4, [1, 2, 3], [4]),
      metrics(100, 4, { role: 'follower', term: 1, commit: 3, applied: 3, lastIndex: 3 }),
    ]);
    expect(model.node(4)).toMatchObject({ learner: true, voter: false, member: true });
    expect(model.timeline.current(4)).toBe('learner');
    model.ingest([
      membership(200, 'promote', 4, [1, 2, 3, 4], []),
      config(210, 4, [1, 2, 3, 4]),
      metrics(300, 4, { role: 'follower', term: 1, commit: 5, applied: 5, lastIndex: 5 }),
    ]);
    expect(model.node(4)).toMatchObject({ learner: false, voter: true, member: true });
    expect(model.timeline.segments(4).map((s) => s.state)).toEqual(['follower', 'learner', 'follower']);
  });
});
