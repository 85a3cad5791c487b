/**
 * Campaigns (§5.2) and pre-votes (thesis §9.6): become a (pre-)candidate, vote for ourselves,
 * ask every member, and win at once when our own vote is a quorum.
 */
import { MAX_TERM } from './limits';
import { jointVote, type VoteOutcome } from './quorum';
import { becomeCandidate, becomeLeader, becomePreCandidate } from './roles';
import type { RaftState } from './state';

/** What starts a campaign: a pre-vote, a real election, or a leadership transfer (thesis §3.10). */
export type CampaignKind = 'preVote' | 'election' | 'transfer';

/**
 * Ask every member for its vote. A pre-vote asks for term + 1 without changing ours; a
 * transfer election (thesis §3.10) skips the pre-vote and tells voters to ignore their lease.
 * At MAX_TERM a node stops campaigning: peers would refuse the next term (limits.ts).
 */
export function campaign(s: RaftState, kind: CampaignKind): void {
  if (s.term >= MAX_TERM) return;
  const preVote = kind === 'preVote';
  if (preVote) becomePreCandidate(s);
  else becomeCandidate(s);
  const term = preVote ? s.term + 1 : s.term;
  if (!preVote) s.counters.electionsStarted++;
  s.emit({ type: 'electionStarted', term, preVote, transfer: kind === 'transfer' });
  s.votes.set(s.id, true);
  if (tally(s) === 'won') {
    electionWon(s);
    return;
  }
  const lastLogIndex = s.log.lastIndex();
  const lastLogTerm = s.log.lastTerm();
  const transfer = kind === 'transfer';
  // Voters only: a learner's answer would not count (thesis §4.2.1).
  for (const to of s.configs.current.votingPeers) {
    s.send({ type: 'vote', from: s.id, to, term, lastLogIndex, lastLogTerm, preVote, transfer });
  }
}

/** The votes so far against the configuration in effect (both halves when joint, §6). */
export function tally(s: RaftState): VoteOutcome {
  const c = s.configs.current;
  return jointVote(c.voters, c.outgoing, s.votes);
}

/** A quorum granted: a won pre-election turns into the real one (thesis §9.6), a real one makes us leader. */
export function electionWon(s: RaftState): void {
  if (s.preCandidate) campaign(s, 'election');
  else becomeLeader(s);
}
