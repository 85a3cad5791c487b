/**
 * Records a run as it happens: events.jsonl, history.jsonl and metrics.csv grow while the
 * cluster runs, so a crash of the lab loses at most the last flush interval; `finish`
 * then writes the derived files (summary.json, trace.json, history.edn, report.html).
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
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryOp, RunEvent, Summary } from '../../contract/runEvents';
import { metricsCsvHeader, metricsCsvRow } from '../export/metricsCsv';
import { writeDerivedFiles, type DerivedOptions, type ExportedFile } from '../export/exportRun';
import { EVENTS_FILE, HISTORY_FILE, readRun } from './readRun';

export const METRICS_FILE = 'metrics.csv';

export interface RunRecorderOptions {
  /** How often buffers are written (ms, default 250). */
  flushIntervalMs?: number;
  /** Write metrics.csv rows as metrics events arrive (default true). */
  metricsCsv?: boolean;
  /** Told about write failures of the periodic flush (default: printed to stderr). */
  onError?: (err: Error) => void;
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
}

export interface FinishResult {
  summary: Summary;
  files: ExportedFile[];
  /** Lines skipped while reading the recording back. */
  warnings: string[];
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
  };

  constructor(
    readonly runDir: string,
    options: RunRecorderOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.writeMetricsCsv = options.metricsCsv ?? true;
    this.onError = options.onError ?? ((err) => process.stderr.write(`raftlab recorder: ${err.message}\n`));
  }

  /** Creates the directory and files and starts the periodic flush. */
  start(): void {
    if (this.started) throw new Error('RunRecorder.start called twice');
    this.started = true;
    mkdirSync(this.runDir, { recursive: true });
    appendFileSync(join(this.runDir, EVENTS_FILE), '');
    appendFileSync(join(this.runDir, HISTORY_FILE), '');
    if (this.writeMetricsCsv) {
      const csv = join(this.runDir, METRICS_FILE);
      if (!existsSync(csv) || statSync(csv).size === 0) appendFileSync(csv, metricsCsvHeader());
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
    if (this.closed) {
      this.stats.droppedAfterClose++;
      return;
    }
    this.events.push(ev);
  }

  /** Buffers a completed client operation; written at the next flush. */
  recordOp(op: HistoryOp): void {
    if (this.closed) {
      this.stats.droppedAfterClose++;
      return;
    }
    this.ops.push(op);
  }

  /**
   * Writes everything buffered. On a write error the batch is kept and retried at the next
   * flush, and the error is thrown.
   */
  flush(): void {
    if (!this.started || (this.events.length === 0 && this.ops.length === 0)) return;
    const t0 = performance.now();
    const events = this.events;
    const ops = this.ops;
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
    const eventsBytes = lines.length > 0 ? Buffer.from(`${lines.join('\n')}\n`) : null;
    const opsBytes = opLines.length > 0 ? Buffer.from(`${opLines.join('\n')}\n`) : null;
    const csvBytes = rows.length > 0 ? Buffer.from(rows.join('')) : null;
    try {
      // history.jsonl first: events refer to nothing in it, and a torn pair is harmless.
      if (opsBytes) appendFileSync(join(this.runDir, HISTORY_FILE), opsBytes);
      this.ops = [];
      if (eventsBytes) appendFileSync(join(this.runDir, EVENTS_FILE), eventsBytes);
      this.events = [];
      if (csvBytes) appendFileSync(join(this.runDir, METRICS_FILE), csvBytes);
    } catch (err) {
      this.stats.writeErrors++;
      throw new Error(`cannot write the recording in ${this.runDir}: ${(err as Error).message}`);
    }
    this.stats.events += events.length;
    this.stats.ops += ops.length;
    this.stats.bytesWritten += (eventsBytes?.length ?? 0) + (opsBytes?.length ?? 0) + (csvBytes?.length ?? 0);
    this.stats.flushes++;
    const ms = performance.now() - t0;
    this.stats.flushMs += ms;
    this.stats.maxFlushMs = Math.max(this.stats.maxFlushMs, ms);
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

  /**
   * Closes the recording, reads it back and writes summary.json, trace.json, history.edn
   * and report.html (each atomically). The linearizability check runs in slices so the
   * event loop stays responsive.
   */
  async finish(extras: DerivedOptions = {}): Promise<FinishResult> {
    this.close();
    const run = readRun(this.runDir);
    const formats = ['summary.json', 'trace.json', 'history.edn', 'report.html'] as const;
    const { summary, files, warnings } = await writeDerivedFiles(this.runDir, run, formats, extras);
    if (!summary) throw new Error('internal: summary.json was requested but not computed');
    return { summary, files, warnings: [...run.warnings, ...warnings] };
  }
}
