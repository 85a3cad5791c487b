/**
 * The receiving side of AppendEntries and heartbeats (§5.3, Figure 2 receiver rules 2-5):
 * the consistency check, conflict repair, and learning the commit index. The message has
 * passed validateInput.ts: its entries are contiguous, their terms sane, and none of them
 * conflicts with a committed entry.
 */
import { rejectAppend, replyAppend } from './appendReply';
import { commitTo } from './commit';
import { RaftInvariantError } from './errors';
import { appendToLog, truncateLog } from './logAppend';
import type { RaftState } from './state';
import type { AppendRequest, Heartbeat, HeartbeatResponse } from './types';

/**
 * Follower side of AppendEntries:
 * - reply false unless we hold prevIndex with prevTerm (with a hint to skip a term);
 * - delete a conflicting suffix, append only entries we do not already hold, so duplicated
 *   or reordered messages change nothing and never touch committed entries;
 * - commit = min(leaderCommit, index of the last entry this message vouches for).
 */
export function handleAppendRequest(s: RaftState, m: AppendRequest): void {
  let prevIndex = m.prevIndex;
  let prevTerm = m.prevTerm;
  let entries = m.entries;
  const seq = m.seq ?? 0;
  const snapIndex = s.log.snapshotIndex;
  if (prevIndex < snapIndex) {
    // Our snapshot already covers the start of this message. Those entries are committed,
    // so they match the leader (Leader Completeness, §5.4): check from the snapshot on.
    const skip = snapIndex - prevIndex;
    if (entries.length <= skip) {
      replyAppend(s, m.from, s.commit, seq);
      return;
    }
    prevTerm = entries[skip - 1].term;
    prevIndex = snapIndex;
    entries = entries.slice(skip);
  }
  if (!s.log.matchTerm(prevIndex, prevTerm)) {
    rejectAppend(s, m.from, m.prevIndex, seq);
    return;
  }
  const lastNew = prevIndex + entries.length;
  if (entries.length > 0) {
    const conflict = s.log.findConflict(entries);
    if (conflict !== 0) {
      if (conflict <= s.commit) {
        // validateInput.ts refuses such a message before any state changes; reaching this is a core bug.
        throw new RaftInvariantError(
          `leader ${m.from} (term ${m.term}) conflicts with committed entry ${conflict} (commit ${s.commit})`,
        );
      }
      if (conflict <= s.log.lastIndex()) truncateLog(s, conflict);
      const first = entries[0].index;
      appendToLog(s, conflict === first ? entries : entries.slice(conflict - first));
    }
  }
  commitTo(s, Math.min(m.commit, lastNew));
  replyAppend(s, m.from, lastNew, seq);
}

/** Follower: heartbeat from the leader (§5.2): learn the commit index, echo the round. */
export function handleHeartbeat(s: RaftState, m: Heartbeat): void {
  s.counters.heartbeatsReceived++;
  commitTo(s, Math.min(m.commit, s.log.lastIndex()));
  const r: HeartbeatResponse = { type: 'heartbeatResp', from: s.id, to: m.from, term: s.term, seq: m.seq };
  s.send(r);
}
