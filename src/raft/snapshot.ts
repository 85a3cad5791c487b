/**
 * Snapshots and log compaction (§7): asking the caller for a snapshot, compacting once it
 * arrives, sending it to followers whose entries are gone, and installing one from a leader.
 */
import { copyConfig } from './membership';
import { RaftInputError, RaftInvariantError } from './errors';
import { onConfigChanged } from './configChange';
import { replyAppend } from './appendReply';
import type { Progress } from './progress';
import type { RaftState } from './state';
import type { NodeId, RequestId, SnapshotRequest } from './types';

/** End of step: ask for a snapshot once `snapshotThreshold` applied entries follow the last one. */
export function maybeWantSnapshot(s: RaftState): void {
  const threshold = s.cfg.snapshotThreshold;
  if (threshold <= 0 || s.snapshotRequested) return;
  if (s.applied - s.log.snapshotIndex >= threshold) {
    s.out.snapshotWanted = s.applied;
    s.snapshotRequested = true;
  }
}

/** Admin request: a snapshot now, whatever the threshold. */
export function handleAdminSnapshot(s: RaftState, id: RequestId): void {
  if (s.applied <= s.log.snapshotIndex) {
    s.fail(id, 'admin', {
      code: 'invalid_request',
      message: `nothing to snapshot: applied index ${s.applied} is already covered by the snapshot at ${s.log.snapshotIndex}`,
    });
    return;
  }
  s.out.snapshotWanted = s.applied;
  s.snapshotRequested = true;
  s.result({ type: 'admin', id });
}

/**
 * The caller serialized its state machine at `index`: keep it as our snapshot (its term
 * and configuration come from the log, §7) and let the caller discard the log up to it.
 */
export function handleSnapshotTaken(s: RaftState, index: number, data: Uint8Array): void {
  if (!Number.isSafeInteger(index) || index < 0) throw new RaftInputError(`snapshotTaken index must be an integer >= 0 (got ${String(index)})`);
  if (!(data instanceof Uint8Array)) throw new RaftInputError('snapshotTaken data must be a Uint8Array');
  if (index > s.applied) {
    throw new RaftInputError(`snapshotTaken at ${index}, but only entries up to ${s.applied} were handed out to apply`);
  }
  s.snapshotRequested = false;
  // Already covered (e.g. a leader's snapshot was installed meanwhile): nothing to keep.
  if (index <= s.log.snapshotIndex) return;
  const term = s.log.term(index);
  const config = copyConfig(s.configs.at(index).config);
  s.snapshot = { meta: { index, term, config }, data };
  s.log.compact(index);
  s.configs.compact(index);
  s.out.snapshotTaken = s.snapshot;
  s.out.compactTo = index;
  s.emit({ type: 'compacted', index });
}

/** Leader: the follower needs entries we compacted; send the whole snapshot. */
export function sendSnapshot(s: RaftState, to: NodeId, pr: Progress): void {
  const snap = s.snapshot;
  if (snap === null) throw new RaftInvariantError(`no snapshot held although the log starts after ${s.log.snapshotIndex}`);
  const m: SnapshotRequest = { type: 'snapshot', from: s.id, to, term: s.term, snapshot: snap };
  s.send(m);
  pr.becomeSnapshot(snap.meta.index);
}

/** Leader tick: a snapshot unanswered for an election timeout was probably lost; probe again. */
export function tickSnapshotRetries(s: RaftState): void {
  for (const pr of s.tracker.peers.values()) {
    if (pr.state !== 'snapshot') continue;
    pr.snapshotTicks++;
    if (pr.snapshotTicks >= s.cfg.electionTicksMax) {
      pr.pendingSnapshot = 0;
      pr.becomeProbe();
    }
  }
}

/**
 * Follower: InstallSnapshot (§7). A snapshot newer than our commit index replaces our state:
 * if our log holds the snapshot's last entry, the entries after it are kept; otherwise the
 * whole log is discarded. The reply acknowledges the snapshot index.
 */
export function handleSnapshotRequest(s: RaftState, m: SnapshotRequest): void {
  const snap = m.snapshot;
  const meta = snap.meta;
  if (meta.index <= s.commit) {
    // Old news: we already hold (and committed) everything it covers.
    replyAppend(s, m.from, s.commit);
    return;
  }
  const out = s.out;
  const keepTail = s.log.matchTerm(meta.index, meta.term);
  if (keepTail) {
    s.log.compact(meta.index);
  } else {
    if (s.log.lastIndex() > meta.index) out.truncateFrom = meta.index + 1;
    s.log.reset(meta.index, meta.term);
    s.persistedIndex = meta.index;
  }
  if (s.persistedIndex < meta.index) s.persistedIndex = meta.index;
  out.snapshot = snap;
  out.compactTo = meta.index;
  s.snapshot = snap;
  s.commit = meta.index;
  s.applied = meta.index;
  s.snapshotRequested = false;
  // The snapshot's configuration, then any configuration entries in the kept tail.
  s.configs.reset(meta.config, meta.index);
  for (let i = meta.index + 1; i <= s.log.lastIndex(); i++) {
    const e = s.log.entry(i);
    if (e !== undefined && e.kind === 'config' && e.config !== undefined) s.configs.push(e.index, e.config);
  }
  s.emit({ type: 'snapshotInstalled', index: meta.index, term: meta.term });
  onConfigChanged(s);
  replyAppend(s, m.from, meta.index);
}
