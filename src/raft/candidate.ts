/** The candidate's (and pre-candidate's) role: tally votes, yield to a leader of our term (§5.2, thesis §9.6). */
import { electionWon, tally } from './campaign';
import { stepFollower } from './follower';
import { becomeFollower } from './roles';
import type { RaftState } from './state';
import type { Message, VoteResponse } from './types';

/** A message for a candidate, after the term rules (node.ts). */
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
  if (!s.configs.current.voting.includes(m.from) || s.votes.has(m.from)) return;
  s.votes.set(m.from, m.granted);
  const outcome = tally(s);
  if (outcome === 'won') electionWon(s);
  else if (outcome === 'lost') becomeFollower(s, s.term, null);
}
