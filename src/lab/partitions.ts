/**
 * Resolves partition specs (Jepsen's nemesis topologies, or explicit groups) to the set of
 * links they cut. Presets depend on the cluster at the moment they are applied (who leads,
 * who is up), so they are resolved then, with the lab's seeded RNG for 'random'.
 */
import type { NodeId } from '../raft/types';
import type { PartitionPreset, ResolvedPartition } from '../contract/faults';

export interface PartitionRequest {
  preset?: PartitionPreset;
  /** The node to isolate, for 'isolate-node'. */
  node?: NodeId;
  groups?: NodeId[][];
}

export class PartitionError extends Error {}

/** Every ordered pair (a, b), a != b, with a and b in different groups. */
function pairsAcrossGroups(groups: NodeId[][]): Array<[NodeId, NodeId]> {
  const groupOf = new Map<NodeId, number>();
  groups.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
  const all = [...groupOf.keys()].sort((a, b) => a - b);
  const out: Array<[NodeId, NodeId]> = [];
  for (const a of all) for (const b of all) if (a !== b && groupOf.get(a) !== groupOf.get(b)) out.push([a, b]);
  return out;
}

/** Cuts every link except those in `allowed` (unordered pairs), for shapes that are not groupings. */
function pairsExcept(nodes: NodeId[], allowed: (a: NodeId, b: NodeId) => boolean): Array<[NodeId, NodeId]> {
  const out: Array<[NodeId, NodeId]> = [];
  for (const a of nodes) for (const b of nodes) if (a !== b && !allowed(a, b)) out.push([a, b]);
  return out;
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function describeGroups(groups: NodeId[][]): string {
  return groups.map((g) => `{${g.join(',')}}`).join(' | ');
}

/**
 * @param nodes every node of the cluster (sorted ids)
 * @param leader the current leader, if known (needed for 'isolate-leader')
 * @param random a seeded RNG in [0, 1) (for 'random', 'halves' shuffling is not used: halves
 *               split by id so a run is easy to read)
 */
export function resolvePartition(
  req: PartitionRequest,
  nodes: NodeId[],
  leader: NodeId | null,
  random: () => number,
): ResolvedPartition {
  const sorted = [...nodes].sort((a, b) => a - b);
  if (sorted.length < 2) throw new PartitionError('a partition needs at least two nodes');
  const grouped = (groups: NodeId[][], description: string): ResolvedPartition => ({
    description,
    groups,
    blocked: pairsAcrossGroups(groups),
  });

  if (req.groups) {
    const seen = new Set<NodeId>();
    for (const g of req.groups) {
      for (const n of g) {
        if (!sorted.includes(n)) throw new PartitionError(`node ${n} is not in the cluster`);
        if (seen.has(n)) throw new PartitionError(`node ${n} is in more than one group`);
        seen.add(n);
      }
    }
    // Nodes not named in any group form one more group together.
    const rest = sorted.filter((n) => !seen.has(n));
    const groups = req.groups.filter((g) => g.length > 0).map((g) => [...g].sort((a, b) => a - b));
    if (rest.length > 0) groups.push(rest);
    if (groups.length < 2) throw new PartitionError('a partition needs at least two non-empty groups');
    return grouped(groups, `partition ${describeGroups(groups)}`);
  }

  switch (req.preset) {
    case 'isolate-node': {
      const n = req.node;
      if (n === undefined || !sorted.includes(n)) throw new PartitionError('isolate-node needs a node of the cluster');
      return grouped([[n], sorted.filter((x) => x !== n)], `isolate node ${n}`);
    }
    case 'isolate-leader': {
      if (leader === null || !sorted.includes(leader)) throw new PartitionError('there is no known leader to isolate');
      return grouped([[leader], sorted.filter((x) => x !== leader)], `isolate leader (node ${leader})`);
    }
    case 'halves': {
      // Jepsen's partition-random-halves splits into a majority and a minority; splitting
      // by id order keeps runs readable ("{1,2} | {3,4,5}").
      const cut = Math.floor(sorted.length / 2);
      const groups = [sorted.slice(0, cut), sorted.slice(cut)];
      return grouped(groups, `halves ${describeGroups(groups)}`);
    }
    case 'random': {
      const s = shuffled(sorted, random);
      const cut = 1 + Math.floor(random() * (s.length - 1));
      const groups = [s.slice(0, cut).sort((a, b) => a - b), s.slice(cut).sort((a, b) => a - b)];
      return grouped(groups, `random ${describeGroups(groups)}`);
    }
    case 'majorities-ring': {
      // Jepsen's majorities-ring: nodes on a ring, each sees itself and its nearest
      // neighbours, a majority in all, but no two nodes see the same majority.
      // With three nodes every node would see everyone: there is no such ring.
      if (sorted.length < 4) throw new PartitionError('majorities-ring needs at least four nodes');
      const n = sorted.length;
      const pos = new Map(sorted.map((id, i) => [id, i]));
      // Seeing `side` neighbours each way gives 2*side+1 >= floor(n/2)+1 nodes: a majority.
      const side = Math.ceil(Math.floor(n / 2) / 2);
      const allowed = (a: NodeId, b: NodeId) => {
        const d = Math.abs(pos.get(a)! - pos.get(b)!);
        return Math.min(d, n - d) <= side;
      };
      return { description: `majorities-ring over ${sorted.join(',')}`, blocked: pairsExcept(sorted, allowed) };
    }
    case 'bridge': {
      // Jepsen's bridge: two halves that cannot talk, joined by one node that sees both.
      if (sorted.length < 3) throw new PartitionError('bridge needs at least three nodes');
      const mid = Math.floor(sorted.length / 2);
      const bridge = sorted[mid];
      const left = sorted.slice(0, mid);
      const right = sorted.slice(mid + 1);
      const inLeft = new Set(left);
      const inRight = new Set(right);
      const allowed = (a: NodeId, b: NodeId) =>
        a === bridge || b === bridge || (inLeft.has(a) && inLeft.has(b)) || (inRight.has(a) && inRight.has(b));
      return {
        description: `bridge: {${left.join(',')}} <- ${bridge} -> {${right.join(',')}}`,
        blocked: pairsExcept(sorted, allowed),
      };
    }
    default:
      throw new PartitionError(`unknown partition preset ${String(req.preset)}`);
  }
}
