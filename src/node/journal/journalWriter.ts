/**
 * The node side of the flight recorder: every core step's input, with its step number, the
 * shared-clock time and a digest of its outputs, appended to segment files in the node's
 * journal directory (format: src/contract/journalFormat.ts, docs/formats.md "journal").
 *
 * Off the hot path: a step only encodes its record into memory. The buffer is written out
 * on a timer (FLUSH_MS) or once it holds FLUSH_BYTES, from a timer or setImmediate callback,
 * never inside a step, and never fsynced: the journal is a diagnostic record, not durable
 * state; a kill -9 loses at most the last buffer (the next incarnation's Start record says
 * what the node recovered, so replay still crosses the restart exactly).
 *
 * A write failure (a full disk) turns the journal off and is reported once through
 * `onError`: the node keeps running, without a record.
 */
import { closeSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  digestOutputs,
  encodeJournalRecord,
  frameJournalRecord,
  journalSegmentHeader,
  messageHeader,
  parseSegmentFileName,
  segmentFileName,
  type JournalRecord,
  type RecordingLevel,
} from '../../contract/journalFormat';
import type { Input, Message, Outputs, PersistedState, RaftConfig } from '../../raft/types';
import { formatMessageId, type MessageId } from '../transport/messageIds';

/** Buffered bytes are written out at least this often. */
const FLUSH_MS = 200;
/** ... or as soon as this many are buffered. */
const FLUSH_BYTES = 256 * 1024;
/** A segment is closed and the next one begun beyond this size. */
const SEGMENT_BYTES = 16 * 1024 * 1024;

export interface JournalOptions {
  level: RecordingLevel;
  onError: (err: Error) => void;
  /** Overrides for tests and benches. */
  flushMs?: number;
  flushBytes?: number;
  segmentBytes?: number;
}

export class JournalWriter {
  /** This process's incarnation: one more than the highest already in the directory. */
  readonly incarnation: number;
  private segment = 0;
  private fd: number | null = null;
  private segmentSize = 0;
  private chunks: Uint8Array[] = [];
  private pending = 0;
  private flushQueued = false;
  private timer: NodeJS.Timeout | null = null;
  private failed = false;
  private closed = false;
  private steps = 0;
  /** Bytes handed to the file so far (framing included), for benches and reports. */
  bytesWritten = 0;
  private readonly flushBytes: number;
  private readonly segmentBytes: number;

  constructor(
    readonly dir: string,
    private readonly options: JournalOptions,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    let highest = 0;
    for (const name of readdirSync(dir)) {
      const p = parseSegmentFileName(name);
      if (p && p.incarnation > highest) highest = p.incarnation;
    }
    this.incarnation = highest + 1;
    this.flushBytes = options.flushBytes ?? FLUSH_BYTES;
    this.segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    this.timer = setInterval(() => this.flush(), options.flushMs ?? FLUSH_MS);
    this.timer.unref();
  }

  get level(): RecordingLevel {
    return this.options.level;
  }

  /** Steps recorded (or counted, at level messages) by this incarnation. */
  get stepCount(): number {
    return this.steps;
  }

  /** The incarnation's first record: the core's config and what storage recovered. */
  start(t: number, config: RaftConfig, persisted: PersistedState): void {
    this.append({ kind: 'start', incarnation: this.incarnation, t, level: this.options.level, config, persisted });
  }

  /**
   * One core step: `out` null when the core refused the input (a RaftInputError). At level
   * `messages` only received messages are recorded, as headers; the step number still counts.
   */
  step(t: number, input: Input, out: Outputs | null, msgId?: MessageId): void {
    const step = ++this.steps;
    if (this.options.level === 'full') {
      const record: JournalRecord = { kind: 'step', step, t, input, digest: out === null ? null : digestOutputs(out) };
      if (msgId && msgId.n > 0) record.msgId = { incarnation: msgId.incarnation, n: msgId.n };
      this.append(record);
    } else if (input.type === 'message') {
      this.append({ kind: 'received', step, t, header: messageHeader(input.message, msgId && msgId.n > 0 ? formatMessageId(msgId) : undefined) });
    }
  }

  /** A message the transport (a fault rule, a dead peer, a full queue) or the debugger dropped. */
  dropped(t: number, message: Message, reason: string, msgId?: MessageId): void {
    this.append({ kind: 'dropped', t, header: messageHeader(message, msgId && msgId.n > 0 ? formatMessageId(msgId) : undefined), reason });
  }

  private append(record: JournalRecord): void {
    if (this.failed || this.closed) return;
    let framed: Uint8Array;
    try {
      framed = frameJournalRecord(encodeJournalRecord(record));
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.chunks.push(framed);
    this.pending += framed.length;
    if (this.pending >= this.flushBytes && !this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  /** Writes the buffer out (page cache only, no fsync). */
  flush(): void {
    if (this.failed || this.pending === 0) return;
    const bytes = Buffer.concat(this.chunks, this.pending);
    this.chunks = [];
    this.pending = 0;
    try {
      if (this.fd === null || this.segmentSize >= this.segmentBytes) this.nextSegment();
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd!, bytes, done, bytes.length - done);
      this.segmentSize += bytes.length;
      this.bytesWritten += bytes.length;
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private nextSegment(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.segment++;
    this.fd = openSync(join(this.dir, segmentFileName(this.incarnation, this.segment)), 'wx', 0o600);
    const header = journalSegmentHeader();
    writeSync(this.fd, header);
    this.segmentSize = header.length;
    this.bytesWritten += header.length;
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.chunks = [];
    this.pending = 0;
    this.options.onError(new Error(`journal off from now on: ${err.message}`));
  }

  /** Writes what is buffered and closes the segment (a graceful stop). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch (err) {
        this.options.onError(err as Error);
      }
      this.fd = null;
    }
  }
}
