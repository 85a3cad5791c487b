/** The follower's and candidate's clock (§5.2): the randomized election timeout. */
import { campaign } from './campaign';
import type { RaftState } from './state';

/**
 * When no leader is heard from within the randomized election timeout, start an election
 * (§5.2). Only voters of the latest configuration do (§6), so a removed or joining node
 * stays quiet.
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
