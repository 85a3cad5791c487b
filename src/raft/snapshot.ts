/**
 * Snapshots and log compaction on the local side (§7): asking the caller for a snapshot,
 * compacting once it arrives, and the leader's retry of a snapshot that got no answer.
 * (Sending one is in send.ts; installing one from a leader in installSnapshot.ts.)
 */
import { crc32 } from './checksum';
import { copyConfig } from './membership';
import type { RaftState } from './state';
import type { RequestId } from './types';

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
 * and configuration come from the log, §7), checksum it once for sending, and let the caller
 * discard the log up to it.
 */
export function handleSnapshotTaken(s: RaftState, index: number, data: Uint8Array): void {
  s.snapshotRequested = false;
  // Already covered (e.g. a leader's snapshot was installed meanwhile): nothing to keep.
  if (index <= s.log.snapshotIndex) return;
  const term = s.log.term(index);
  const config = copyConfig(s.configs.at(index).config);
  s.snapshot = { meta: { index, term, config }, data };
  s.snapshotChecksum = crc32(data);
  s.snapshotChecksumFor = s.snapshot;
  s.log.compact(index);
  s.configs.compact(index);
  s.out.snapshotTaken = s.snapshot;
  s.out.compactTo = index;
  s.emit({ type: 'compacted', index });
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
