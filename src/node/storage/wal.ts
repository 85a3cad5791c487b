/**
 * The write-ahead log: numbered segment files `wal/<seq>.log` (20-digit, from 1), written
 * append-only, one open file descriptor (the last segment), one write per batch.
 *
 * Recovery replays every record in order through a LogTracker, so truncations and
 * snapshot markers take effect exactly where they were written. Compaction deletes whole
 * segments, only ever a prefix of them, so the records left are always a suffix of the
 * record stream and replay of a suffix is correct on its own (see `compactThrough`).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Entry } from '../../raft/types';
import { StorageCorruptionError } from './errors';
import { fsyncDir, timed, writeFully } from './fsUtil';
import { LogTracker } from './logTracker';
import { createPrivateFile, explainCreateError, openExistingNoFollow } from './privateFiles';
import { decodeEntries, decodeSnapshotMarker, decodeTruncate, PayloadError } from './walCodec';
import { RecordType, scanRecords } from './walRecord';

const NAME_PATTERN = /^(\d{20})\.log$/;

interface Segment {
  seq: number;
  path: string;
  /** Highest entry index written into this segment (0 if none): it may go once a snapshot covers it. */
  maxEntryIndex: number;
  size: number;
}

export interface WalRecovery {
  /** The log as replayed (entries held); the snapshot file is not applied yet. */
  tracker: LogTracker;
  warnings: string[];
  /** Run after the whole recovery succeeded: truncates a torn tail, deletes leftovers. */
  finish: () => void;
}

export function segmentFileName(seq: number): string {
  return `${String(seq).padStart(20, '0')}.log`;
}

export class SegmentedWal {
  private segments: Segment[] = [];
  private fd: number | null = null;

  constructor(
    readonly dir: string,
    private readonly segmentBytes: number,
    private readonly durable: boolean,
  ) {}

  /**
   * Replays every segment into a fresh LogTracker (holding the entries). Throws StorageCorruptionError (file + offset) for
   * any damage except a torn final record of the last segment, which is reported as a
   * warning and cut off by `finish()`.
   */
  recover(): WalRecovery {
    const warnings: string[] = [];
    const seqs = this.listSegmentSeqs(warnings);
    // Segments are deleted oldest first; a crash (or an unsynced directory) can leave an old
    // one behind after a gap. Only the run after the last gap is the log.
    let liveFrom = 0;
    for (let i = 1; i < seqs.length; i++) if (seqs[i] !== seqs[i - 1] + 1) liveFrom = i;
    const stale = seqs.slice(0, liveFrom).map((seq) => join(this.dir, segmentFileName(seq)));
    const live = seqs.slice(liveFrom);
    // Only a log whose first segment was never compacted is known to start at index 1.
    const tracker = new LogTracker(true, live.length === 0 || live[0] === 1 ? 0 : null);

    let tornCut: { path: string; validEnd: number } | undefined;
    this.segments = live.map((seq, i) => {
      const path = join(this.dir, segmentFileName(seq));
      const isLast = i === live.length - 1;
      const bytes = fs.readFileSync(path);
      const scan = scanRecords(bytes, path, isLast);
      let maxEntryIndex = 0;
      for (const record of scan.records) {
        try {
          maxEntryIndex = Math.max(maxEntryIndex, applyRecord(tracker, record.type, record.payload));
        } catch (err) {
          throw new StorageCorruptionError(path, record.offset, (err as Error).message);
        }
      }
      if (scan.torn) {
        warnings.push(
          `${path}: torn final record at byte offset ${scan.torn.offset} (${scan.torn.reason}); ` +
            `cutting ${bytes.length - scan.validEnd} bytes, keeping ${scan.records.length} records`,
        );
        tornCut = { path, validEnd: scan.validEnd };
      }
      return { seq, path, maxEntryIndex, size: scan.validEnd };
    });

    const finish = () => {
      if (tornCut) {
        const fd = fs.openSync(tornCut.path, 'r+');
        try {
          fs.ftruncateSync(fd, tornCut.validEnd);
          if (this.durable) fs.fdatasyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
      }
      for (const path of stale) {
        fs.unlinkSync(path);
        warnings.push(`removed ${path}: a segment older than a gap in the sequence, left by an interrupted compaction`);
      }
      this.openActive();
    };
    return { tracker, warnings, finish };
  }

  /**
   * Appends one batch (already framed records) with one write and, when durable, one
   * fdatasync. A batch never spans segments: when it would overflow the current segment,
   * a new one is started first. Returns the ms spent in fsync calls.
   */
  append(batch: Uint8Array, maxEntryIndex: number): number {
    let syncMs = 0;
    let active = this.active();
    if (active.size > 0 && active.size + batch.length > this.segmentBytes) {
      syncMs += this.roll();
      active = this.active();
    }
    writeFully(this.fd as number, batch, active.size);
    active.size += batch.length;
    active.maxEntryIndex = Math.max(active.maxEntryIndex, maxEntryIndex);
    if (this.durable) {
      const fd = this.fd as number;
      syncMs += timed(() => fs.fdatasyncSync(fd));
    }
    return syncMs;
  }

  /**
   * Deletes the oldest segments whose entries all have index <= `index` (a durable snapshot
   * covers them), never the active segment. Only a prefix is deleted: a truncate record only
   * affects records before it, so the remaining suffix replays to the same log beyond
   * `index`. Returns the number of segments deleted.
   */
  compactThrough(index: number): number {
    let deleted = 0;
    while (this.segments.length > 1 && this.segments[0].maxEntryIndex <= index) {
      fs.unlinkSync(this.segments[0].path);
      this.segments.shift();
      deleted++;
    }
    return deleted;
  }

  /** Segment file paths, oldest first (for tests and diagnostics). */
  segmentPaths(): string[] {
    return this.segments.map((s) => s.path);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private active(): Segment {
    if (this.fd === null) throw new Error('WAL is not open');
    return this.segments[this.segments.length - 1];
  }

  private openActive(): void {
    if (this.segments.length === 0) {
      this.createSegment(1);
      return;
    }
    this.fd = openExistingNoFollow(this.segments[this.segments.length - 1].path, 'readwrite');
  }

  private roll(): number {
    const next = this.segments[this.segments.length - 1].seq + 1;
    this.close();
    return this.createSegment(next);
  }

  /** Creates a segment; its directory entry is made durable before anything relies on it. */
  private createSegment(seq: number): number {
    const path = join(this.dir, segmentFileName(seq));
    try {
      // 0600, and never through a link planted where the new segment goes (privateFiles.ts).
      this.fd = createPrivateFile(path);
    } catch (err) {
      throw explainCreateError(path, err);
    }
    this.segments.push({ seq, path, maxEntryIndex: 0, size: 0 });
    return this.durable ? timed(() => fsyncDir(this.dir)) : 0;
  }

  private listSegmentSeqs(warnings?: string[]): number[] {
    const seqs: number[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const m = NAME_PATTERN.exec(name);
      if (m) seqs.push(Number(m[1]));
      else warnings?.push(`ignoring unexpected file ${join(this.dir, name)}`);
    }
    return seqs.sort((a, b) => a - b);
  }
}

/** Applies one record to the tracker; returns the highest entry index it wrote (or 0). */
function applyRecord(tracker: LogTracker, type: RecordType, payload: Uint8Array): number {
  switch (type) {
    case RecordType.Entries: {
      const entries: Entry[] = decodeEntries(payload);
      tracker.append(entries);
      return entries[entries.length - 1].index;
    }
    case RecordType.Truncate:
      tracker.truncate(decodeTruncate(payload));
      return 0;
    case RecordType.SnapshotMarker: {
      const { index, term } = decodeSnapshotMarker(payload);
      tracker.snapshot(index, term);
      return 0;
    }
    default:
      throw new PayloadError(`unknown record type ${String(type)}`);
  }
}
