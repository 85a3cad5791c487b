/**
 * Majority arithmetic for single and joint configurations (§5.2 votes, §5.3 commitment,
 * §6 "agreement requires separate majorities from both the old and new configurations",
 * §8 ReadIndex acknowledgements).
 */
import type { NodeId } from './types';

/**
 * The largest value that a majority of the first `n` entries of `values` reach: sort
 * descending and take position floor(n/2). Sorts `values` in place (callers pass a scratch
 * array; n is a handful of voters, so insertion sort beats anything clever).
 * An empty set imposes no constraint and yields +Infinity, so `min` with it is neutral.
 */
export function majorityValue(values: number[], n: number): number {
  if (n === 0) return Number.POSITIVE_INFINITY;
  for (let i = 1; i < n; i++) {
    const v = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] < v) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = v;
  }
  return values[n >> 1];
}

/** Minimum number of members that make a majority of `n`. */
export function quorumSize(n: number): number {
  return (n >> 1) + 1;
}

export type VoteOutcome = 'won' | 'lost' | 'pending';

/** Tally of one majority config: won once a quorum granted, lost once a quorum can no longer grant. */
export function majorityVote(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteOutcome {
  const n = voters.length;
  if (n === 0) return 'won';
  let granted = 0;
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const v = votes.get(voters[i]);
    if (v === true) granted++;
    else if (v === false) refused++;
  }
  const q = quorumSize(n);
  if (granted >= q) return 'won';
  if (n - refused < q) return 'lost';
  return 'pending';
}

/** Joint tally (§6): both majorities must be won; losing either loses. */
export function jointVote(
  voters: readonly NodeId[],
  outgoing: readonly NodeId[],
  votes: ReadonlyMap<NodeId, boolean>,
): VoteOutcome {
  const a = majorityVote(voters, votes);
  const b = majorityVote(outgoing, votes);
  if (a === 'lost' || b === 'lost') return 'lost';
  if (a === 'won' && b === 'won') return 'won';
  return 'pending';
}
