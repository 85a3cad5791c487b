/**
 * Leader election (§5.2, §5.4.1) and PreVote (thesis §9.6): the election timer, campaigns,
 * the vote a node casts, and the candidate's tally.
 */
import { jointVote, type VoteOutcome } from './quorum';
import { becomeCandidate, becomeFollower, becomeLeader, becomePreCandidate } from './roles';
import { stepFollower } from './follower';
import type { RaftState } from './state';
import type { Message, VoteRequest, VoteResponse } from './types';

export type CampaignKind = 'preVote' | 'election' | 'transfer';

/**
 * Followers' and candidates' tick: when no leader is heard from within the randomized
 * election timeout, start an election (§5.2). Only voters of the latest configuration do
 * (§6), so a removed or joining node stays quiet.
 */
export function tickElection(s: RaftState): void {
  s.electionElapsed++;
  s.leaderContactElapsed++;
  if (s.electionElapsed < s.randomizedElectionTimeout) return;
  s.resetElectionTimer();
  if (!s.promotable()) return;
  if (s.role === 'candidate') {
    s.emit({ type: 'electionLost', term: s.preCandidate ? s.term + 1 : s.term, reason: 'timeout' });
  }
  campaign(s, s.cfg.preVote ? 'preVote' : 'election');
}

/**
 * Ask every member for its vote. A pre-vote asks for term + 1 without changing ours; a
 * transfer election (thesis §3.10) skips the pre-vote and tells voters to ignore their lease.
 */
export function campaign(s: RaftState, kind: CampaignKind): void {
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
  for (const to of s.configs.current.peers) {
    s.send({ type: 'vote', from: s.id, to, term, lastLogIndex, lastLogTerm, preVote, transfer });
  }
}

function tally(s: RaftState): VoteOutcome {
  const c = s.configs.current;
  return jointVote(c.voters, c.outgoing, s.votes);
}

function electionWon(s: RaftState): void {
  // A won pre-election turns into the real one (thesis §9.6).
  if (s.preCandidate) campaign(s, 'election');
  else becomeLeader(s);
}

/**
 * Decide on a vote request whose term is >= ours (or a pre-vote for a future term).
 *
 * Grant when (§5.2, §5.4.1, thesis §9.6):
 * - we have not voted for someone else in this term and follow no leader in it
 *   (a pre-vote for a later term is always free: it promises nothing);
 * - for a pre-vote, we have not heard from a leader within the minimum election timeout
 *   (unless the election comes from a leadership transfer);
 * - the candidate's log is at least as up-to-date as ours (election restriction).
 *
 * A real vote is recorded in `vote`, goes out in `hardState` with the reply, and restarts our
 * election timer (we just helped someone else become leader).
 */
export function handleVoteRequest(s: RaftState, m: VoteRequest): void {
  let reason: string | null = null;
  const canVote = s.vote === m.from || (s.vote === 0 && s.leader === null) || (m.preVote && m.term > s.term);
  if (m.preVote && !m.transfer && s.leader !== null && s.leaderContactElapsed < s.cfg.electionTicksMin) {
    reason = 'leader_recently_heard';
  } else if (!canVote) {
    reason = s.vote !== 0 ? `already_voted_for_${s.vote}` : 'leader_known';
  } else if (!s.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
    reason = 'candidate_log_behind';
  }
  if (reason === null) {
    if (!m.preVote) {
      s.vote = m.from;
      s.electionElapsed = 0;
      s.counters.votesGranted++;
    }
    // A granted pre-vote carries the candidate's future term, so it is not taken as stale.
    s.send({ type: 'voteResp', from: s.id, to: m.from, term: m.preVote ? m.term : s.term, granted: true, preVote: m.preVote });
    s.emit({ type: 'voteGranted', to: m.from, term: m.term, preVote: m.preVote });
  } else {
    refuseVote(s, m, reason);
  }
}

export function refuseVote(s: RaftState, m: VoteRequest, reason: string): void {
  s.send({ type: 'voteResp', from: s.id, to: m.from, term: s.term, granted: false, preVote: m.preVote });
  s.emit({ type: 'voteRefused', to: m.from, term: m.term, preVote: m.preVote, reason });
}

/** Candidates (and pre-candidates): a leader of our term makes us follow; votes are tallied. */
export function stepCandidate(s: RaftState, m: Message): void {
  switch (m.type) {
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      // Someone won this term (§5.2: "if AppendEntries RPC received from new leader: convert to follower").
      becomeFollower(s, m.term, m.from);
      stepFollower(s, m);
      return;
    case 'voteResp':
      handleVoteResponse(s, m);
      return;
    default:
      return;
  }
}

function handleVoteResponse(s: RaftState, m: VoteResponse): void {
  if (m.preVote !== s.preCandidate) return; // an answer to an earlier round
  if (s.preCandidate ? m.granted && m.term !== s.term + 1 : m.term !== s.term) return;
  if (!s.configs.current.members.includes(m.from) || s.votes.has(m.from)) return;
  s.votes.set(m.from, m.granted);
  const outcome = tally(s);
  if (outcome === 'won') electionWon(s);
  else if (outcome === 'lost') becomeFollower(s, s.term, null);
}
