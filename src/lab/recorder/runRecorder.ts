/**
 * Records a run as it happens: events.jsonl, history.jsonl and metrics.csv grow while the
 * cluster runs, so a crash of the lab loses at most the last flush interval; `finishRun`
 * (src/lab/finishRun.ts) then closes it and writes the derived files (summary.json,
 * trace.json, history.edn, report.html). The recorder knows nothing of the exporters.
 *
 * `record` and `recordOp` only push onto an array (O(1), no serialization): the collector
 * must keep up with ~100k events/s. Every `flushIntervalMs` the buffers are serialized and
 * appended with one synchronous write per file. Measured on the 2-core dev VM: serializing
 * dominates (about 1-2 µs per small event, more under load); the synchronous append of the
 * resulting text costs a few ms per flush, versus well under 1 ms of main-thread time for
 * an async append, which would however need a chained queue (no overlapping writes on one
 * file) and cannot run in an exit handler. The JSON cost is the same either way, so sync it
 * is. Files are opened per flush rather than held open, so an exporter may atomically
 * replace metrics.csv between flushes without the recorder writing into the replaced file.
 * Recording is not fsynced per flush: a crash of the lab process loses nothing the kernel
 * already has; only `close` fsyncs.
 *
 * Write failures (docs/security.md#paths-and-files): each serialized batch is a pending
 * write that remembers how many of its bytes reached the file, so a retry appends only the
 * rest and a partial append never turns into a duplicated line. A full or failing disk
 * (ENOSPC, EDQUOT, EIO, EROFS, EFBIG), repeated failures, or pending writes beyond a cap
 * make the recorder FAIL: it cuts any half line it left, keeps what was written, drops (and
 * counts) what comes after, and calls `onFatal` once so the lab can stop the run cleanly.
 */
import { appendFileSync, chmodSync, closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryOp, RunEvent } from '../../contract/runEvents';
import { metricsCsvHeader, metricsCsvRow } from './metricsCsv';
import { EVENTS_FILE, HISTORY_FILE } from './readRun';

export const METRICS_FILE = 'metrics.csv';

export interface RunRecorderOptions {
  /** How often buffers are written (ms, default 250). */
  flushIntervalMs?: number;
  /** Write metrics.csv rows as metrics events arrive (default true). */
  metricsCsv?: boolean;
  /** Told about write failures of the periodic flush (default: printed to stderr). */
  onError?: (err: Error) => void;
  /**
   * Told once when recording has failed for good (a full or failing disk, see the module
   * comment); nothing more is written after it (default: printed to stderr).
   */
  onFatal?: (err: Error) => void;
}

/** Errors that retrying will not cure while a run goes on: the disk is full or failing. */
const FATAL_WRITE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EFBIG']);
/** Consecutive failed flushes after which recording gives up. */
const MAX_FAILED_FLUSHES = 5;
/** Serialized bytes waiting for a retry beyond which recording gives up (memory bound). */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

interface PendingWrite {
  file: string;
  bytes: Buffer;
  /** How many of `bytes` are already in the file. */
  written: number;
}

export interface RecorderStats {
  events: number;
  ops: number;
  bytesWritten: number;
  flushes: number;
  /** Total and longest time spent in flush (serialization + writes), ms. */
  flushMs: number;
  maxFlushMs: number;
  /** Records offered after close (not written). */
  droppedAfterClose: number;
  writeErrors: number;
  /** Records JSON could not represent, replaced by an error 'log' event. */
  unserializable: number;
  /** Records dropped because recording had failed (disk full or failing). */
  droppedAfterFailure: number;
}

export class RunRecorder {
  private events: RunEvent[] = [];
  private ops: HistoryOp[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private started = false;
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly writeMetricsCsv: boolean;
  private readonly onError: (err: Error) => void;
  private readonly onFatal: (err: Error) => void;
  private pending: PendingWrite[] = [];
  private pendingBytes = 0;
  private failedFlushes = 0;
  /** Set once recording has failed for good; see the module comment. */
  private failure: Error | null = null;
  private readonly exitHook = (): void => {
    // The process is exiting (normally or on an uncaught error): save what is buffered.
    try {
      this.flush();
    } catch (err) {
      process.stderr.write(`raftlab recorder: could not save the last events on exit: ${(err as Error).message}\n`);
    }
  };
  readonly stats: RecorderStats = {
    events: 0,
    ops: 0,
    bytesWritten: 0,
    flushes: 0,
    flushMs: 0,
    maxFlushMs: 0,
    droppedAfterClose: 0,
    writeErrors: 0,
    unserializable: 0,
    droppedAfterFailure: 0,
  };

  constructor(
    readonly runDir: string,
    options: RunRecorderOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.writeMetricsCsv = options.metricsCsv ?? true;
    this.onError = options.onError ?? ((err) => process.stderr.write(`raftlab recorder: ${err.message}\n`));
    this.onFatal = options.onFatal ?? ((err) => process.stderr.write(`raftlab recorder: ${err.message}\n`));
  }

  /** Creates the directory and files and starts the periodic flush. */
  start(): void {
    if (this.started) throw new Error('RunRecorder.start called twice');
    this.started = true;
    // Runs are private to their user (docs/security.md#paths-and-files): 0700 folder, 0600 files.
    mkdirSync(this.runDir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32' && statSync(this.runDir).uid === process.getuid?.()) chmodSync(this.runDir, 0o700);
    appendFileSync(join(this.runDir, EVENTS_FILE), '', { mode: 0o600 });
    appendFileSync(join(this.runDir, HISTORY_FILE), '', { mode: 0o600 });
    if (this.writeMetricsCsv) {
      const csv = join(this.runDir, METRICS_FILE);
      if (!existsSync(csv) || statSync(csv).size === 0) appendFileSync(csv, metricsCsvHeader(), { mode: 0o600 });
    }
    this.timer = setInterval(() => {
      try {
        this.flush();
      } catch (err) {
        this.onError(err as Error);
      }
    }, this.flushIntervalMs);
    this.timer.unref();
    process.on('exit', this.exitHook);
  }

  /** Buffers an event; written at the next flush. */
  record(ev: RunEvent): void {
    if (this.accepting()) this.events.push(ev);
  }

  /** Buffers a completed client operation; written at the next flush. */
  recordOp(op: HistoryOp): void {
    if (this.accepting()) this.ops.push(op);
  }

  /** False (and the drop counted) once the recorder is closed or a write has failed. */
  private accepting(): boolean {
    if (this.closed) {
      this.stats.droppedAfterClose++;
      return false;
    }
    if (this.failure) {
      this.stats.droppedAfterFailure++;
      return false;
    }
    return true;
  }

  /**
   * Writes everything buffered. On a write error the unwritten rest is kept and retried at
   * the next flush (never a byte twice), and the error is thrown; on a full or failing disk
   * recording fails for good instead (module comment). A failed recorder's flush does nothing.
   */
  flush(): void {
    if (!this.started || this.failure) return;
    if (this.events.length === 0 && this.ops.length === 0 && this.pending.length === 0) return;
    const t0 = performance.now();
    const events = this.events;
    const ops = this.ops;
    this.events = [];
    this.ops = [];
    // Arrays joined once give a flat string; `+=` builds a rope that the write then has
    // to flatten (measured: about 10 ms extra per 25k events).
    const lines: string[] = new Array(events.length);
    const rows: string[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      lines[i] = this.serialize(e, e.t, e.node ?? null, e.type);
      if (this.writeMetricsCsv && e.type === 'metrics') rows.push(metricsCsvRow(e));
    }
    const opLines = ops.map((o) => this.serialize(o, o.call, null, `${o.op} operation`));
    // history.jsonl first: events refer to nothing in it, and a torn pair is harmless.
    if (opLines.length > 0) this.enqueue(HISTORY_FILE, Buffer.from(`${opLines.join('\n')}\n`));
    if (lines.length > 0) this.enqueue(EVENTS_FILE, Buffer.from(`${lines.join('\n')}\n`));
    if (rows.length > 0) this.enqueue(METRICS_FILE, Buffer.from(rows.join('')));
    this.stats.events += events.length;
    this.stats.ops += ops.length;
    try {
      this.writePending();
    } catch (err) {
      this.stats.writeErrors++;
      this.failedFlushes++;
      const error = new Error(`cannot write the recording in ${this.runDir}: ${(err as Error).message}`, { cause: err });
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (FATAL_WRITE_CODES.has(code) || this.failedFlushes >= MAX_FAILED_FLUSHES || this.pendingBytes > MAX_PENDING_BYTES) {
        this.fail(error);
        return;
      }
      throw error;
    }
    this.failedFlushes = 0;
    this.stats.flushes++;
    const ms = performance.now() - t0;
    this.stats.flushMs += ms;
    this.stats.maxFlushMs = Math.max(this.stats.maxFlushMs, ms);
  }

  /** The error recording failed with, or null while it is fine. */
  get failed(): Error | null {
    return this.failure;
  }

  private enqueue(file: string, bytes: Buffer): void {
    this.pending.push({ file, bytes, written: 0 });
    this.pendingBytes += bytes.length;
  }

  /** Appends pending writes in order, each resuming where a failed attempt stopped. */
  private writePending(): void {
    while (this.pending.length > 0) {
      const w = this.pending[0];
      const fd = openSync(join(this.runDir, w.file), 'a', 0o600);
      try {
        while (w.written < w.bytes.length) {
          const n = writeSync(fd, w.bytes, w.written, w.bytes.length - w.written);
          w.written += n;
          this.stats.bytesWritten += n;
          this.pendingBytes -= n;
        }
      } finally {
        closeSync(fd);
      }
      this.pending.shift();
    }
  }

  /** Recording stops for good: cut half lines, drop what is pending, tell the lab once. */
  private fail(error: Error): void {
    this.failure = error;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const torn = new Set(this.pending.filter((w) => w.written > 0).map((w) => w.file));
    for (const w of this.pending) this.stats.droppedAfterFailure += countLines(w.bytes.subarray(w.written));
    this.pending = [];
    this.pendingBytes = 0;
    for (const file of torn) {
      try {
        cutToLastLine(join(this.runDir, file));
      } catch (err) {
        // The reader skips a torn last line anyway (jsonl.ts); say why it is there.
        error.message += `; ${file} may end in a partial line (${(err as Error).message})`;
      }
    }
    this.onFatal(new Error(`${error.message}. Recording stopped; what was written before is kept.`, { cause: error }));
  }

  /**
   * One JSON line. Something JSON cannot hold (a BigInt, a cycle) must not block every
   * later flush: it is replaced by an error 'log' event saying what was lost.
   */
  private serialize(v: unknown, t: number, node: number | null, what: string): string {
    try {
      return JSON.stringify(v);
    } catch (err) {
      this.stats.unserializable++;
      return JSON.stringify({ type: 'log', t, node, level: 'error', message: `recorder: could not record a ${what}: ${(err as Error).message}` });
    }
  }

  /** Flushes, makes the files durable and stops recording. Idempotent. */
  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    process.off('exit', this.exitHook);
    if (!this.started) {
      this.closed = true;
      return;
    }
    this.flush();
    this.closed = true;
    for (const f of [EVENTS_FILE, HISTORY_FILE, ...(this.writeMetricsCsv ? [METRICS_FILE] : [])]) {
      const path = join(this.runDir, f);
      // A file someone removed mid-run has nothing of ours left to make durable.
      if (!existsSync(path)) continue;
      const fd = openSync(path, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
}

function countLines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Truncates `path` just after its last newline (a failed append may have left half a line). */
function cutToLastLine(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (nl !== -1) {
        if (start + nl + 1 < size) ftruncateSync(fd, start + nl + 1);
        return;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}
