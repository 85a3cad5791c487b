/**
 * What waits on something else the step did, run once at its end by node.ts (etcd runs the
 * same reactions from `raft.go` after the step, never from inside the actions that cause them):
 * 1. the leader's commit index moved: reads parked for an own-term commit start (§8), a
 *    committed C_old,new is followed by C_new (§6), peers hear the new index, servers removed
 *    by a committed configuration stop being tracked, and a leader outside C_new steps down (§6);
 * 2. an acknowledgement was handled: a transfer target that caught up is told to campaign
 *    (thesis §3.10), then that follower's pipeline is refilled;
 * 3. the configuration changed on the leader: quorums are re-evaluated (commit, reads).
 * The order is the order these happened in when the actions ran them inline, so the messages
 * of a step come out in the same order.
 */
import { advanceCommit } from './commit';
import { syncProgress } from './configEffects';
import { isMember } from './membership';
import { maybeLeaveJoint } from './membershipChange';
import { confirmReads, releaseReadsAwaitingCommit } from './readIndex';
import { becomeFollower } from './roles';
import { fillPipeline, sendCommitIfIdle, sendTimeoutNow } from './send';
import type { RaftState } from './state';

/** Runs every reaction due at the end of a step. */
export function runReactions(s: RaftState): void {
  afterLeaderCommit(s);
  followUpAck(s);
  if (s.configDirty) {
    s.configDirty = false;
    if (s.role === 'leader') {
      advanceCommit(s);
      afterLeaderCommit(s);
      confirmReads(s);
    }
  }
}

/** Everything that waits on the leader's commit index. */
function afterLeaderCommit(s: RaftState): void {
  if (!s.commitAdvanced) return;
  s.commitAdvanced = false;
  releaseReadsAwaitingCommit(s);
  maybeLeaveJoint(s);
  propagateCommit(s);
  // Servers removed by a now-committed configuration no longer need our messages.
  if (s.role === 'leader' && s.configs.current.index <= s.commit) syncProgress(s);
  maybeStepDownRemoved(s);
}

/** The follower whose acknowledgement this step handled: finish a transfer, refill its pipeline. */
function followUpAck(s: RaftState): void {
  const pr = s.ackProgress;
  if (pr === null) return;
  s.ackProgress = null;
  if (s.role !== 'leader') return;
  const peer = s.ackPeer;
  if (s.ackProgressed && s.transferTarget === peer && pr.match === s.log.lastIndex()) {
    // The target caught up: tell it to campaign now (thesis §3.10).
    sendTimeoutNow(s, peer);
  }
  fillPipeline(s, peer, pr);
  sendCommitIfIdle(s, peer, pr);
}

/** Tell peers the new commit index: with their next entries, or alone when they have everything. */
function propagateCommit(s: RaftState): void {
  if (s.role !== 'leader') return;
  const peers = s.tracker.ids;
  const last = s.log.lastIndex();
  for (let i = 0; i < peers.length; i++) {
    const pr = s.tracker.get(peers[i]);
    if (pr === undefined) continue;
    if (pr.next <= last) fillPipeline(s, peers[i], pr);
    else sendCommitIfIdle(s, peers[i], pr);
  }
}

/**
 * §6: "the leader ... steps down (returns to follower state) once it has committed the
 * C_new log entry" when it is not part of C_new. Until then it manages the cluster without
 * counting itself in majorities.
 */
function maybeStepDownRemoved(s: RaftState): void {
  if (s.role !== 'leader') return;
  const c = s.configs.current;
  if (c.joint || c.index > s.commit || isMember(c.config, s.id)) return;
  becomeFollower(s, s.term, null);
}
