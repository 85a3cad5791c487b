/**
 * The receiving side of InstallSnapshot (§7). The message has passed validateInput.ts: its
 * metadata is sane and its data matches the checksum, so what goes out to persist is what the
 * leader sent.
 */
import { replyAppend } from './appendReply';
import { onConfigChanged } from './configEffects';
import type { RaftState } from './state';
import type { SnapshotRequest } from './types';

/**
 * A snapshot newer than our commit index replaces our state: if our log holds the snapshot's
 * last entry, the entries after it are kept; otherwise the whole log is discarded. The reply
 * acknowledges the snapshot index.
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
  // Verified against this very data (validateInput.ts): keep it for when we lead and send it on.
  s.snapshotChecksum = m.checksum;
  s.snapshotChecksumFor = snap;
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
