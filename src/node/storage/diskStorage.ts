/**
 * Durable storage for one Raft node process: a segmented write-ahead log, a
 * double-buffered hard-state file and the latest snapshot, under one data directory:
 *
 *   dataDir/LOCK                      pid of the process using the directory (dirLock.ts)
 *   dataDir/CLUSTER                   the cluster the directory belongs to (clusterIdentity.ts)
 *   dataDir/wal/<seq>.log             log records (see walRecord.ts, walCodec.ts)
 *   dataDir/hardstate                 term, vote, commit (see hardStateFile.ts)
 *   dataDir/snapshot/<index>-<term>.snap
 *
 * One `save()` carries one `Outputs`' worth of persistence, in the order Outputs demands:
 * snapshot, then the log change (truncate, entries), then the hard state. It costs at most
 * one fsync per file it touches (group commit): the WAL gets one write and one fdatasync
 * for the whole batch.
 *
 * WHY save() is async while all I/O inside it is synchronous: the lab injects disk
 * slowness (`setFsyncDelay`), and the delay must not block the event loop (a busy-wait
 * would freeze the node's timers and sockets, which is a different fault). So every write
 * and fsync happens synchronously, in call order, before save() returns its promise; the
 * promise resolves once the batch is durable AND the injected delay has passed. Delays
 * queue like a disk that completes one flush at a time, and promises resolve in call
 * order. The caller must not send the step's messages before the promise resolves.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Entry, HardState, PersistedState, Snapshot } from '../../raft/types';
import { claimClusterIdentity } from './clusterIdentity';
import { DirLock } from './dirLock';
import { StorageCorruptionError, StorageFailedError } from './errors';
import { fsyncDir } from './fsUtil';
import { HardStateFile, type HardStateLoad } from './hardStateFile';
import { type FsyncStats, LatencyWindow } from './latencyStats';
import { LogTracker } from './logTracker';
import { ensurePrivateDir, PRIVATE_DIR_MODE } from './privateFiles';
import { SnapshotStore } from './snapshotStore';
import { SegmentedWal } from './wal';
import { encodeEntries, encodeSnapshotMarker, encodeTruncate } from './walCodec';
import { encodeRecord, RecordType } from './walRecord';

export type FsyncPolicy = 'always' | 'never';
export type StorageLogLevel = 'info' | 'warn' | 'error';

export interface DiskStorageOptions {
  /** 'always': save() is durable (fdatasync) before it resolves. 'never': no fsync at all (survives a process crash, not a machine crash). */
  fsync: FsyncPolicy;
  /** Start a new WAL segment when the current one would grow beyond this (default 8 MiB). */
  segmentBytes?: number;
  log?: (level: StorageLogLevel, message: string) => void;
  /** Called with each durable batch's latency in ms (fsync time plus injected delay). */
  onFsync?: (ms: number) => void;
  /**
   * The cluster this node belongs to. When given, the directory is claimed for it on first
   * use and refused when it belongs to another cluster (clusterIdentity.ts).
   */
  clusterId?: string;
}

/** What one save() persists: the persistence part of one Outputs. */
export interface SaveBatch {
  snapshot?: Snapshot;
  truncateFrom?: number;
  entries: readonly Entry[];
  hardState?: HardState;
}

export interface Recovery {
  state: PersistedState;
  /** Things recovery repaired (torn tail cut, leftovers removed); each was also logged. */
  warnings: string[];
}

export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;

export class DiskStorage {
  private readonly wal: SegmentedWal;
  private readonly hardState: HardStateFile;
  private readonly snapshots: SnapshotStore;
  private readonly latency = new LatencyWindow();
  private readonly log: (level: StorageLogLevel, message: string) => void;
  private readonly durable: boolean;
  private tracker: LogTracker | null = null;
  private fsyncDelayMs = 0;
  /** Acknowledgements still waiting for an injected delay. */
  private delayedPending = 0;
  /** Resolves when every earlier save() has been acknowledged; keeps acks in call order. */
  private ackTail: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private recoverCalled = false;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly opts: DiskStorageOptions,
    private readonly lock: DirLock,
  ) {
    const durable = opts.fsync === 'always';
    this.durable = durable;
    this.wal = new SegmentedWal(join(dir, 'wal'), opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES, durable);
    this.hardState = new HardStateFile(join(dir, 'hardstate'), dir, durable);
    this.snapshots = new SnapshotStore(join(dir, 'snapshot'), durable);
    this.log = opts.log ?? (() => undefined);
  }

  /** Creates the directory layout if needed and locks it. Call `recover()` next. */
  static open(dir: string, opts: DiskStorageOptions): DiskStorage {
    if (opts.fsync !== 'always' && opts.fsync !== 'never') throw new TypeError(`fsync must be 'always' or 'never', got ${String(opts.fsync)}`);
    const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1024) throw new RangeError(`segmentBytes must be an integer >= 1024, got ${segmentBytes}`);
    // The directory must be new or private to this user (docs/security.md#paths-and-files):
    // the log, votes and snapshots are not for other local users to read or replace.
    let created = ensurePrivateDir(dir);
    for (const sub of ['wal', 'snapshot']) {
      const path = join(dir, sub);
      if (!fs.existsSync(path)) {
        fs.mkdirSync(path, { mode: PRIVATE_DIR_MODE });
        created = true;
      }
    }
    if (created && opts.fsync === 'always') {
      fsyncDir(dir);
      fsyncDir(join(dir, '..'));
    }
    const lock = DirLock.acquire(dir);
    try {
      if (opts.clusterId !== undefined) claimClusterIdentity(dir, opts.clusterId, opts.fsync === 'always');
      return new DiskStorage(dir, opts, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /**
   * Reads everything back: hard state, latest snapshot, and the log entries after it
   * (contiguous, truncations and snapshots applied in the order they were written).
   * A torn final WAL record is cut off with a warning; any other damage throws
   * StorageCorruptionError naming the file and byte offset (nothing is repaired then).
   * Must be called exactly once, before save(); after it throws, close() the storage.
   */
  recover(): Recovery {
    if (this.recoverCalled) throw new Error('recover() was already called');
    this.recoverCalled = true;
    const snap = this.snapshots.load();
    const hs = this.hardState.load();
    const wal = this.wal.recover();
    const tracker = wal.tracker;
    refuseLostHardState(join(this.dir, 'hardstate'), hs, tracker, snap.snapshot !== undefined);

    const snapIndex = this.snapshots.index;
    if (snap.snapshot) tracker.snapshot(snapIndex, this.snapshots.term);
    if (!tracker.isEmpty && tracker.firstIndex !== snapIndex + 1) {
      const paths = this.wal.segmentPaths();
      throw new StorageCorruptionError(
        paths[0] ?? this.wal.dir,
        0,
        `the log starts at index ${tracker.firstIndex} but the snapshot covers only up to ${snapIndex}: entries are missing`,
      );
    }
    const entries = tracker.heldEntries();
    tracker.releaseEntries();
    this.tracker = tracker.isEmpty ? new LogTracker(false, snapIndex) : tracker;

    wal.finish();
    const warnings = [...snap.warnings, ...hs.warnings, ...wal.warnings];
    for (const w of warnings) this.log('warn', w);
    this.log('info', `recovered term ${hs.hardState.term}, vote ${hs.hardState.vote}, commit ${hs.hardState.commit}, snapshot ${snapIndex}, ${entries.length} log entries`);
    const state: PersistedState = { hardState: hs.hardState, entries };
    if (snap.snapshot) state.snapshot = snap.snapshot;
    return { state, warnings };
  }

  /**
   * Persists one batch (see the module comment for ordering and durability): the writes of
   * one step, collected by the runtime's sink and handed over at the executor's `sync`
   * barrier (src/raft/execute.ts). They are separate durable writes, in the executor's
   * order: the snapshot file, then the WAL records (snapshot marker, truncation, entries),
   * then the hard-state file. A crash can leave any prefix of them, and each prefix is a
   * state the node restarts from: entries newer than the saved term are handled by
   * `RaftNode`'s restore (src/raft/node.ts); the hard state goes last, so its commit index
   * never covers entries that are not yet durable. The simulator crashes between each pair
   * (src/sim/hostSink.ts) and test/unit/node/storage.crash.test.ts SIGKILLs a process
   * between the WAL and the hard state. Validation
   * errors (entries that do not continue the log, a truncation below the snapshot) reject
   * before anything is written. An I/O error rejects with StorageFailedError and makes
   * every later save() reject too: the tail of the log is then unknown, and writing after
   * it could turn a torn record into mid-log corruption.
   */
  async save(batch: SaveBatch): Promise<void> {
    const tracker = this.checkWritable();
    const next = this.validate(tracker, batch);
    let syncMs = 0;
    let touchedDisk = false;
    try {
      if (batch.snapshot) {
        syncMs += this.snapshots.write(batch.snapshot);
        touchedDisk = true;
      }
      const records: Buffer[] = [];
      if (batch.snapshot) records.push(encodeRecord(RecordType.SnapshotMarker, encodeSnapshotMarker(batch.snapshot.meta.index, batch.snapshot.meta.term)));
      if (batch.truncateFrom !== undefined) records.push(encodeRecord(RecordType.Truncate, encodeTruncate(batch.truncateFrom)));
      if (batch.entries.length > 0) records.push(encodeRecord(RecordType.Entries, encodeEntries(batch.entries)));
      if (records.length > 0) {
        const maxIndex = batch.entries.length > 0 ? batch.entries[batch.entries.length - 1].index : 0;
        syncMs += this.wal.append(records.length === 1 ? records[0] : Buffer.concat(records), maxIndex);
        touchedDisk = true;
      }
      this.tracker = next;
      if (batch.hardState) {
        const ms = this.hardState.write(batch.hardState);
        if (ms !== undefined) {
          syncMs += ms;
          touchedDisk = true;
        }
      }
    } catch (err) {
      this.failure = new StorageFailedError(`storage write failed: ${(err as Error).message}`, { cause: err });
      this.log('error', this.failure.message);
      throw this.failure;
    }
    await this.acknowledge(touchedDisk, syncMs);
  }

  /**
   * Deletes WAL segments wholly covered by the latest durable snapshot, up to `upToIndex`
   * (Outputs.compactTo). Asking beyond the snapshot is clamped to it. Returns the number
   * of segment files deleted.
   */
  compact(upToIndex: number): number {
    this.checkWritable();
    const limit = Math.min(upToIndex, this.snapshots.index);
    if (limit < upToIndex) this.log('warn', `compact(${upToIndex}) clamped to the durable snapshot index ${limit}`);
    try {
      return this.wal.compactThrough(limit);
    } catch (err) {
      // A failed unlink leaves the log intact (compaction only removes covered records).
      this.log('error', `compaction failed: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Adds `ms` to every durable write from now on, to model a slow disk (0 removes it). */
  setFsyncDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`fsync delay must be a finite number >= 0, got ${ms}`);
    this.fsyncDelayMs = ms;
  }

  get fsyncDelay(): number {
    return this.fsyncDelayMs;
  }

  /**
   * Latency of durable batches: count since open; p50/p99/max over the last 1024. A sample
   * is the fsync time of one save() plus the time its acknowledgement waited for injected
   * delay (including queueing behind earlier delayed batches). Saves that did no fsync
   * and waited for no delay (nothing changed, or fsync 'never' without delay) add none.
   */
  fsyncStats(): FsyncStats {
    return this.latency.stats();
  }

  /** Index of the latest durable snapshot (0 when none). */
  get snapshotIndex(): number {
    return this.snapshots.index;
  }

  /** Last log index written (the snapshot index when the log after it is empty). */
  get lastIndex(): number {
    return this.tracker?.lastIndex ?? 0;
  }

  /** WAL segment files, oldest first (diagnostics and tests). */
  segmentFiles(): string[] {
    return this.wal.segmentPaths();
  }

  /** Closes files and releases the directory lock. Pending acknowledgements still resolve. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wal.close();
    this.hardState.close();
    this.lock.release();
  }

  private checkWritable(): LogTracker {
    if (this.closed) throw new Error('storage is closed');
    if (this.failure) throw this.failure;
    if (!this.tracker) throw new Error('call recover() before writing');
    return this.tracker;
  }

  /** Applies the batch to a copy of the log shape; throws (nothing written) if it is invalid. */
  private validate(tracker: LogTracker, batch: SaveBatch): LogTracker {
    const next = tracker.clone();
    let snapIndex = this.snapshots.index;
    if (batch.snapshot) {
      const { index, term } = batch.snapshot.meta;
      if (index < snapIndex) throw new Error(`snapshot at ${index} is older than the durable snapshot at ${snapIndex}`);
      next.snapshot(index, term);
      snapIndex = index;
    }
    if (batch.truncateFrom !== undefined) {
      if (!Number.isSafeInteger(batch.truncateFrom) || batch.truncateFrom <= snapIndex) {
        throw new Error(`truncateFrom ${batch.truncateFrom} would remove entries covered by the snapshot at ${snapIndex}`);
      }
      next.truncate(batch.truncateFrom);
    }
    if (batch.entries.length > 0) {
      for (const e of batch.entries) {
        if (!Number.isSafeInteger(e.index) || e.index < 1 || !Number.isSafeInteger(e.term) || e.term < 1) {
          throw new Error(`entry index and term must be positive integers (index ${e.index}, term ${e.term})`);
        }
        if (!(e.data instanceof Uint8Array)) throw new Error(`entry ${e.index} data must be a Uint8Array`);
        if (e.kind === 'config' && !e.config) throw new Error(`config entry ${e.index} has no configuration`);
      }
      next.append(batch.entries);
    }
    const hs = batch.hardState;
    if (hs) {
      for (const [name, v] of [['term', hs.term], ['vote', hs.vote], ['commit', hs.commit]] as const) {
        if (!Number.isSafeInteger(v) || v < 0) throw new Error(`hard state ${name} must be a non-negative integer, got ${v}`);
      }
    }
    return next;
  }

  private async acknowledge(touchedDisk: boolean, syncMs: number): Promise<void> {
    const delay = touchedDisk ? this.fsyncDelayMs : 0;
    // Waiting matters only when this batch has a delay or queues behind one that does.
    const delayed = delay > 0 || this.delayedPending > 0;
    if (delay > 0) {
      this.delayedPending++;
      this.ackTail = this.ackTail.then(async () => {
        await sleep(delay);
        this.delayedPending--;
      });
    }
    const waitStart = performance.now();
    await this.ackTail;
    if (!touchedDisk || (!this.durable && !delayed)) return;
    const ms = syncMs + (delayed ? performance.now() - waitStart : 0);
    this.latency.record(ms);
    this.opts.onFsync?.(ms);
  }
}

/**
 * A node without its hard state must not start when anything shows it had one: with the
 * vote gone it could vote twice in a term (Election Safety, §5.2; Figure 2 makes currentTerm
 * and votedFor persistent for exactly this), and with the term gone it could accept a stale
 * leader. Evidence is a log or snapshot (entries have term >= 1, written only after a hard
 * state of at least that term) or a hard-state file that was written and now holds no
 * record (zero-filled). A brand-new directory (no file, or the empty file of a first start
 * that had not voted yet, and no log) starts at term 0 as it should.
 */
function refuseLostHardState(file: string, hs: HardStateLoad, tracker: LogTracker, hasSnapshot: boolean): void {
  if (hs.source === 'record') return;
  if (hs.source === 'zeroed') {
    throw new StorageCorruptionError(file, 0, 'the hard state file was written but holds no valid record (zero-filled): its term and vote are lost, so this node cannot safely vote; restore the directory or start the node from a new one');
  }
  const lastIndex = tracker.isEmpty ? 0 : tracker.lastIndex;
  if (lastIndex > 0 || hasSnapshot) {
    throw new StorageCorruptionError(
      file,
      0,
      `no hard state record, but the log holds ${hasSnapshot ? 'a snapshot and ' : ''}entries up to index ${lastIndex}: the term and vote that went with them are lost, so this node cannot safely vote`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
