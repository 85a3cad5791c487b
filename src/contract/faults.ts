/**
 * Faults the lab can inject (the nemesis), named like Jepsen's. A partition is a list of
 * groups: nodes in different groups cannot talk; nodes left out of every group are isolated
 * only if `isolateRest` is set. Presets are resolved to concrete groups at the moment they
 * are applied (e.g. "isolate the leader" needs to know who leads), and the resolved groups
 * are what the event records.
 */
import type { NodeId } from '../raft/types';

export type PartitionPreset = 'isolate-node' | 'isolate-leader' | 'halves' | 'majorities-ring' | 'bridge' | 'random';

export const PARTITION_PRESETS: readonly PartitionPreset[] = [
  'isolate-node',
  'isolate-leader',
  'halves',
  'majorities-ring',
  'bridge',
  'random',
];

export type FaultSpec =
  /** Explicit groups, or a preset (with `node` for isolate-node). */
  | { kind: 'partition'; preset?: PartitionPreset; node?: NodeId; groups?: NodeId[][] }
  /**
   * Per-link trouble from `from` to `to` (one direction; set `symmetric` for both).
   * drop/duplicate are probabilities in [0, 1].
   */
  | { kind: 'link'; from: NodeId; to: NodeId; symmetric?: boolean; drop?: number; delayMs?: number; jitterMs?: number; duplicate?: number }
  /** Same link trouble on every link of the cluster (a "flaky network"). */
  | { kind: 'flaky'; drop?: number; delayMs?: number; jitterMs?: number; duplicate?: number }
  | { kind: 'clock'; node: NodeId; rate: number }
  | { kind: 'disk'; node: NodeId; fsyncDelayMs: number }
  | { kind: 'kill'; node: NodeId | 'leader' | 'random' }
  | { kind: 'pause'; node: NodeId | 'leader' | 'random' }
  | { kind: 'resume'; node: NodeId }
  | { kind: 'restart'; node: NodeId | 'leader' | 'random' }
  | { kind: 'stop'; node: NodeId | 'leader' | 'random' };

export type FaultKind = FaultSpec['kind'];

/**
 * Which links a partition cuts, as a "connectivity" relation: for majorities-ring each node
 * sees a majority but no two nodes see the same one, so it is not expressible as groups;
 * the lab resolves every partition to the set of blocked (from, to) pairs.
 */
export interface ResolvedPartition {
  description: string;
  /** Pairs that can no longer talk, both directions listed. */
  blocked: Array<[NodeId, NodeId]>;
  /** Groups when the partition is a grouping (for display); absent for ring/bridge shapes. */
  groups?: NodeId[][];
}
