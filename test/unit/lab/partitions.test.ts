import { describe, expect, it } from 'vitest';
import { PartitionError, resolvePartition } from '../../../src/lab/partitions';
import type { NodeId } from '../../../src/raft/types';

const five = [1, 2, 3, 4, 5];
const rng = () => 0.42;

/** Who each node can still reach (itself included) once `blocked` is in force. */
function reach(nodes: NodeId[], blocked: Array<[NodeId, NodeId]>): Map<NodeId, NodeId[]> {
  const cut = new Set(blocked.map(([a, b]) => `${a}-${b}`));
  return new Map(nodes.map((a) => [a, nodes.filter((b) => a === b || !cut.has(`${a}-${b}`))]));
}

describe('resolvePartition', () => {
  it('isolates the leader from everyone, in both directions', () => {
    const p = resolvePartition({ preset: 'isolate-leader' }, five, 3, rng);
    expect(p.groups).toEqual([[3], [1, 2, 4, 5]]);
    const r = reach(five, p.blocked);
    expect(r.get(3)).toEqual([3]);
    expect(r.get(1)).toEqual([1, 2, 4, 5]);
  });

  it('refuses to isolate an unknown leader', () => {
    expect(() => resolvePartition({ preset: 'isolate-leader' }, five, null, rng)).toThrow(PartitionError);
  });

  it('splits halves into a minority and a majority', () => {
    const p = resolvePartition({ preset: 'halves' }, five, null, rng);
    expect(p.groups).toEqual([[1, 2], [3, 4, 5]]);
  });

  it('majorities-ring: every node sees a majority, and no two see the same one', () => {
    for (const nodes of [[1, 2, 3, 4], five, [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
      const r = reach(nodes, resolvePartition({ preset: 'majorities-ring' }, nodes, null, rng).blocked);
      const views = [...r.values()].map((v) => v.join(','));
      for (const v of r.values()) expect(v.length).toBeGreaterThan(nodes.length / 2);
      if (nodes.length >= 5) expect(new Set(views).size).toBe(nodes.length);
      // Symmetric: if a sees b, b sees a.
      for (const [a, v] of r) for (const b of v) expect(r.get(b)).toContain(a);
    }
  });

  it('bridge: the middle node sees everyone, the halves do not see each other', () => {
    const r = reach(five, resolvePartition({ preset: 'bridge' }, five, null, rng).blocked);
    expect(r.get(3)).toEqual(five);
    expect(r.get(1)).toEqual([1, 2, 3]);
    expect(r.get(5)).toEqual([3, 4, 5]);
  });

  it('custom groups put unnamed nodes together and reject bad groupings', () => {
    expect(resolvePartition({ groups: [[1], [2, 3]] }, five, null, rng).groups).toEqual([[1], [2, 3], [4, 5]]);
    expect(() => resolvePartition({ groups: [[1], [1, 2]] }, five, null, rng)).toThrow(/more than one group/);
    expect(() => resolvePartition({ groups: [[9]] }, five, null, rng)).toThrow(/not in the cluster/);
    expect(() => resolvePartition({ groups: [five] }, five, null, rng)).toThrow(/two non-empty groups/);
  });

  it('random splits into two non-empty groups deterministically for a given RNG', () => {
    let s = 7;
    const seeded = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    const a = resolvePartition({ preset: 'random' }, five, null, seeded);
    s = 7;
    const b = resolvePartition({ preset: 'random' }, five, null, seeded);
    expect(a).toEqual(b);
    expect(a.groups!.every((g) => g.length > 0)).toBe(true);
  });
});
