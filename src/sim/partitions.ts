/**
 * Partition shapes for the fault schedule. Each returns the directed links to block and a
 * description for the trace.
 */
import type { NodeId } from '../raft/types';
import type { SeededRng } from './rng';

export type PartitionShape = 'groups' | 'isolate' | 'halves' | 'bridge' | 'oneWay';

export const PARTITION_SHAPES: readonly PartitionShape[] = ['groups', 'isolate', 'halves', 'bridge', 'oneWay'];

export interface Partition {
  description: string;
  links: Array<[NodeId, NodeId]>;
}

function cutBetween(a: readonly NodeId[], b: readonly NodeId[], links: Array<[NodeId, NodeId]>): void {
  for (const x of a) {
    for (const y of b) {
      links.push([x, y], [y, x]);
    }
  }
}

function fmt(group: readonly NodeId[]): string {
  return `{${group.join(',')}}`;
}

/**
 * @param nodes the nodes to partition (at least 2)
 * @param focus a node to single out for 'isolate' and 'oneWay' (usually the leader), if any
 */
export function makePartition(shape: PartitionShape, nodes: readonly NodeId[], rng: SeededRng, focus?: NodeId): Partition {
  const links: Array<[NodeId, NodeId]> = [];
  const shuffled = rng.shuffle([...nodes]);
  switch (shape) {
    case 'groups': {
      const k = rng.range(2, Math.min(3, nodes.length));
      const groups: NodeId[][] = Array.from({ length: k }, () => []);
      // Every group gets one node first, so none is empty.
      shuffled.forEach((n, i) => groups[i < k ? i : rng.int(k)].push(n));
      for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) cutBetween(groups[i], groups[j], links);
      return { description: `groups ${groups.map(fmt).join(' | ')}`, links };
    }
    case 'isolate': {
      const lone = focus !== undefined && nodes.includes(focus) ? focus : shuffled[0];
      const rest = nodes.filter((n) => n !== lone);
      cutBetween([lone], rest, links);
      return { description: `isolate ${lone} from ${fmt(rest)}`, links };
    }
    case 'halves': {
      const half = Math.floor(nodes.length / 2);
      const a = shuffled.slice(0, half);
      const b = shuffled.slice(half);
      cutBetween(a, b, links);
      return { description: `halves ${fmt(a)} | ${fmt(b)}`, links };
    }
    case 'bridge': {
      if (nodes.length < 3) return makePartition('isolate', nodes, rng, focus);
      const [bridge, ...rest] = shuffled;
      const half = Math.max(1, Math.floor(rest.length / 2));
      const a = rest.slice(0, half);
      const b = rest.slice(half);
      cutBetween(a, b, links);
      return { description: `bridge ${bridge} between ${fmt(a)} and ${fmt(b)}`, links };
    }
    case 'oneWay': {
      const node = focus !== undefined && nodes.includes(focus) && rng.chance(0.5) ? focus : shuffled[0];
      const others = nodes.filter((n) => n !== node);
      const outbound = rng.chance(0.5);
      for (const o of others) links.push(outbound ? [node, o] : [o, node]);
      return { description: outbound ? `one-way: ${node} cannot send` : `one-way: ${node} cannot receive`, links };
    }
  }
}
