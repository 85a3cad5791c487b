/**
 * The whole inner state of one core (`RaftNode`) at one step, as plain data: what the
 * `raftlab replay` command prints and what a log view or time slider (issue 10 part 3)
 * draws. docs/formats.md ("replay state") documents every field.
 *
 * The core's own read-only `RaftNode.inspect()` (src/raft/node.ts) gives the state; this
 * adds where in the journal it was taken (incarnation, step, time).
 */
import type { RaftNode } from '../raft';
import type { InspectedEntry, InspectedFollower, Inspection, NodeId } from '../raft/types';

export type LogEntryView = InspectedEntry;
export type FollowerView = InspectedFollower;

export interface CoreStateView extends Omit<Inspection, 'id'> {
  node: NodeId;
  incarnation: number;
  /** Step number within the incarnation (0: just recovered, before any step). */
  step: number;
  /** Step number across the node's whole journal. */
  globalStep: number;
  /** Shared-clock time of that step (ms since the epoch). */
  t: number;
}

export function viewCore(node: RaftNode, at: { incarnation: number; step: number; globalStep: number; t: number }): CoreStateView {
  const { id, ...rest } = node.inspect();
  return { node: id, ...at, ...rest };
}
