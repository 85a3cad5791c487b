/**
 * Role transitions (Figure 4). Each `become*` sets the role and its timers; node.ts
 * dispatches on `role`, so this is the one place that decides which role a node has.
 */
import { replicationTargets } from './configEffects';
import { appendToLog } from './logAppend';
import { failAllReads } from './readIndex';
import { bcastAppend } from './send';
import type { RaftState } from './state';
import type { Entry, NodeId } from './types';

const NO_DATA = new Uint8Array(0);

/** Emits a `role` event when role, pre-candidacy, term or known leader changed since the last one. */
export function emitRoleIfChanged(s: RaftState): void {
  if (
    s.emittedRole === s.role &&
    s.emittedPreCandidate === s.preCandidate &&
    s.emittedRoleTerm === s.term &&
    s.emittedLeader === s.leader
  ) {
    return;
  }
  s.emittedRole = s.role;
  s.emittedPreCandidate = s.preCandidate;
  s.emittedRoleTerm = s.term;
  s.emittedLeader = s.leader;
  s.emit({ type: 'role', role: s.role, preCandidate: s.preCandidate, term: s.term, leader: s.leader });
}

function countStateChange(s: RaftState, role: RaftState['role'], preCandidate: boolean): void {
  if (s.role !== role || s.preCandidate !== preCandidate) s.counters.stateChanges++;
}

/**
 * Follow `leader` (or nobody yet) in `term` >= the current term. A newer term clears the
 * vote (§5.1: one vote per term). A leader stepping down fails its pending reads (§8).
 */
export function becomeFollower(s: RaftState, term: number, leader: NodeId | null): void {
  const wasLeader = s.role === 'leader';
  if (s.role === 'candidate') {
    const reason = term > s.term ? 'higher_term' : leader !== null ? 'leader_found' : 'votes_refused';
    s.emit({ type: 'electionLost', term: s.preCandidate ? s.term + 1 : s.term, reason });
  }
  if (term > s.term) {
    s.term = term;
    s.vote = 0;
  }
  countStateChange(s, 'follower', false);
  s.role = 'follower';
  s.preCandidate = false;
  s.leader = leader;
  s.resetElectionTimer();
  s.heartbeatElapsed = 0;
  if (leader !== null) s.leaderContactElapsed = 0;
  if (wasLeader) {
    failAllReads(s, leader);
    s.transferTarget = null;
    s.tracker.clear();
  }
  emitRoleIfChanged(s);
}

/**
 * Start a pre-election (thesis §9.6): a candidate in all but name, it asks whether it could
 * win at term + 1 without touching its term or vote, so a partitioned node cannot disrupt.
 */
export function becomePreCandidate(s: RaftState): void {
  countStateChange(s, 'candidate', true);
  s.role = 'candidate';
  s.preCandidate = true;
  s.leader = null;
  s.resetElectionTimer();
  s.votes.clear();
  emitRoleIfChanged(s);
}

/** Start an election (§5.2): increment the term and vote for ourselves. */
export function becomeCandidate(s: RaftState): void {
  countStateChange(s, 'candidate', false);
  s.term += 1;
  s.vote = s.id;
  s.role = 'candidate';
  s.preCandidate = false;
  s.leader = null;
  s.resetElectionTimer();
  s.votes.clear();
  emitRoleIfChanged(s);
}

/**
 * Take over as leader (§5.2): fresh progress for every peer and an empty (no-op) entry of
 * the new term, which lets earlier entries commit (§5.4.2) and ReadIndex start (§8).
 */
export function becomeLeader(s: RaftState): void {
  countStateChange(s, 'leader', false);
  s.role = 'leader';
  s.preCandidate = false;
  s.leader = s.id;
  s.electionElapsed = 0;
  s.heartbeatElapsed = 0;
  s.leaderContactElapsed = 0;
  s.transferTarget = null;
  s.tracker.reset(replicationTargets(s), s.log.lastIndex());
  s.counters.electionsWon++;
  emitRoleIfChanged(s);
  s.emit({ type: 'electionWon', term: s.term });
  const noop: Entry = { index: s.log.lastIndex() + 1, term: s.term, kind: 'noop', data: NO_DATA };
  appendToLog(s, [noop]);
  bcastAppend(s, true);
}
