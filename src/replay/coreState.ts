/**
 * The whole inner state of one core (`RaftNode`) at one step, as plain data: what the
 * `raftlab replay` command prints and what a log view or time slider (issue 10 part 3)
 * draws. docs/formats.md ("replay state") documents every field.
 *
 * The core's own read-only `RaftNode.inspect()` (src/raft/node.ts) gives the state; this
 * adds where in the journal it was taken (incarnation, step, time).
 */
import type { RaftNode } from '../raft';
import type { CoreStateView } from '../contract/labApiTimeTravel';
import type { InspectedEntry, InspectedFollower } from '../raft/types';

export type LogEntryView = InspectedEntry;
export type FollowerView = InspectedFollower;
/**
 * Declared once, in the lab API's contract (src/contract/labApiTimeTravel.ts), which the
 * renderer may import. Here `t` is the shared-clock time of the step (ms since the epoch);
 * the lab maps it to run time before the state leaves for the renderer (src/lab/timeTravel.ts).
 */
export type { CoreStateView };

export function viewCore(node: RaftNode, at: { incarnation: number; step: number; globalStep: number; t: number }): CoreStateView {
  const { id, ...rest } = node.inspect();
  return { node: id, ...at, ...rest };
}
