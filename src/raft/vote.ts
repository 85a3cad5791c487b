/**
 * The vote a node casts (§5.2, §5.4.1, thesis §9.6), whatever its role: the term rules have
 * already run (node.ts), so the request's term is >= ours, or it is a pre-vote for a later one.
 */
import type { RaftState } from './state';
import type { VoteRequest } from './types';

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
 * A learner (thesis §4.2.1) answers by the same rules: it may have been promoted in an entry
 * it has not received yet, and a candidate counts only the voters of its own configuration
 * (candidate.ts), so a learner's vote can never make a quorum on its own. etcd raft does the
 * same (its raft.go, the comment "learners must be allowed to cast votes").
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

/** Refuse a vote, carrying our term, and tell the lab why. */
export function refuseVote(s: RaftState, m: VoteRequest, reason: string): void {
  s.send({ type: 'voteResp', from: s.id, to: m.from, term: s.term, granted: false, preVote: m.preVote });
  s.emit({ type: 'voteRefused', to: m.from, term: m.term, preVote: m.preVote, reason });
}
