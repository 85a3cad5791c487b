/**
 * The leader's outgoing replication messages (§5.2, §5.3, §7, thesis §3.10): AppendEntries
 * with batching and pipelining, heartbeats, snapshots and TimeoutNow. Flow control lives in
 * progress.ts; this module only decides what to put in the next message.
 */
import { crc32 } from './checksum';
import { RaftInvariantError } from './errors';
import type { Progress } from './progress';
import type { RaftState } from './state';
import type { AppendRequest, Heartbeat, NodeId, SnapshotRequest, TimeoutNow } from './types';

/**
 * Sends `to` the entries it is missing, if its flow control allows: at most
 * maxEntriesPerMsg entries and about maxBytesPerMsg bytes, starting at `next`. In replicate
 * state `next` advances on send (pipelining); in probe state one message is outstanding at a
 * time. A follower whose `next` was compacted away gets the snapshot instead (§7).
 * Returns true when something was sent.
 */
export function maybeSendAppend(s: RaftState, to: NodeId, pr: Progress, sendIfEmpty: boolean): boolean {
  if (pr.isPaused()) return false;
  const log = s.log;
  const last = log.lastIndex();
  if (pr.next > last + 1) pr.next = last + 1;
  const prevIndex = pr.next - 1;
  if (prevIndex < log.snapshotIndex) {
    sendSnapshot(s, to, pr);
    return true;
  }
  const entries = pr.next <= last ? log.sliceLimited(pr.next, s.cfg.maxEntriesPerMsg, s.cfg.maxBytesPerMsg) : [];
  if (entries.length === 0 && !sendIfEmpty) return false;
  const m: AppendRequest = {
    type: 'append',
    from: s.id,
    to,
    term: s.term,
    prevIndex,
    prevTerm: log.term(prevIndex),
    entries,
    commit: s.commit,
    seq: ++s.appendSeq,
  };
  s.send(m);
  pr.sentAppend(prevIndex + entries.length, entries.length);
  pr.sentCommit = s.commit;
  return true;
}

/** Sends as many AppendEntries to `to` as its flow control allows (fills the pipeline window). */
export function fillPipeline(s: RaftState, to: NodeId, pr: Progress): void {
  while (maybeSendAppend(s, to, pr, false)) {
    // each call sends one message until the window is full or nothing is left
  }
}

/**
 * Sends every peer what it is missing, as many messages as its flow control allows (and,
 * with sendIfEmpty, at least an empty append to announce ourselves or the commit index).
 */
export function bcastAppend(s: RaftState, sendIfEmpty: boolean): void {
  const peers = s.tracker.ids;
  for (let i = 0; i < peers.length; i++) {
    const pr = s.tracker.get(peers[i]);
    if (pr === undefined) continue;
    if (!maybeSendAppend(s, peers[i], pr, sendIfEmpty)) continue;
    fillPipeline(s, peers[i], pr);
  }
}

/**
 * A follower that has everything and nothing in flight still needs to hear about a new
 * commit index: send it one empty append. With messages in flight, their acknowledgement
 * brings us back here, so a busy pipeline is not doubled by commit-only messages.
 */
export function sendCommitIfIdle(s: RaftState, to: NodeId, pr: Progress): void {
  if (
    pr.state === 'replicate' &&
    pr.sentCommit < s.commit &&
    pr.inflights.count === 0 &&
    pr.next > s.log.lastIndex()
  ) {
    maybeSendAppend(s, to, pr, true);
  }
}

/** Heartbeats to every peer (§5.2), stamped with a new round for ReadIndex (§8). */
export function bcastHeartbeat(s: RaftState): void {
  const seq = ++s.heartbeatSeq;
  const peers = s.tracker.ids;
  for (let i = 0; i < peers.length; i++) {
    const to = peers[i];
    const pr = s.tracker.get(to);
    // Never tell a follower a commit index beyond what it is known to hold.
    const commit = pr === undefined ? 0 : Math.min(s.commit, pr.match);
    const m: Heartbeat = { type: 'heartbeat', from: s.id, to, term: s.term, commit, seq };
    s.send(m);
    s.counters.heartbeatsSent++;
  }
}

/** CRC-32 of the snapshot we hold, computed once per snapshot (it may be sent many times). */
export function snapshotChecksum(s: RaftState): number {
  const snap = s.snapshot;
  if (snap === null) return 0;
  if (s.snapshotChecksumFor !== snap) {
    s.snapshotChecksum = crc32(snap.data);
    s.snapshotChecksumFor = snap;
  }
  return s.snapshotChecksum;
}

/** Leader: the follower needs entries we compacted; send the whole snapshot with its checksum (§7). */
export function sendSnapshot(s: RaftState, to: NodeId, pr: Progress): void {
  const snap = s.snapshot;
  if (snap === null) throw new RaftInvariantError(`no snapshot held although the log starts after ${s.log.snapshotIndex}`);
  const m: SnapshotRequest = { type: 'snapshot', from: s.id, to, term: s.term, snapshot: snap, checksum: snapshotChecksum(s) };
  s.send(m);
  pr.becomeSnapshot(snap.meta.index);
}

/** Leadership transfer: tell the caught-up target to campaign now (thesis §3.10). */
export function sendTimeoutNow(s: RaftState, to: NodeId): void {
  const m: TimeoutNow = { type: 'timeoutNow', from: s.id, to, term: s.term };
  s.send(m);
}
