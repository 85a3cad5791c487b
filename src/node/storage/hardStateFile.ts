/**
 * The hard state (term, vote, commit; Figure 2) in a double-buffered record file.
 *
 * WHY not "temp file + rename": the hard state changes on nearly every step of a busy
 * leader (commit advances), and an atomic replace costs two fsyncs of two files plus a
 * directory fsync (~0.6 ms measured). Two fixed slots, written alternately in place with
 * one fdatasync, cost one fsync of one file and no directory update. A crash can tear at
 * most the slot being written; the other slot still holds the previous durable record,
 * and recovery takes the valid slot with the higher sequence number.
 *
 * The slots sit 4 KiB apart so a torn page write cannot touch both.
 *
 * Slot layout (40 bytes, little-endian):
 *   0 u32 magic 'HST1' | 4 u64 sequence | 12 u64 term | 20 u32 vote | 24 u64 commit
 *   32 u32 reserved (0) | 36 u32 CRC-32 of bytes 0..35
 *
 * A change of commit alone is written without an fsync (commit "is persisted lazily (it
 * can be recomputed)", types.ts; etcd does the same): losing it only makes a restarted node
 * re-learn commit from the leader. Such unsynced writes always go to the slot that does NOT
 * hold the last durable record, so whatever a crash does to them, the durable record
 * survives; and since they differ from it only in commit, either slot is a correct choice.
 */
import * as fs from 'node:fs';
import type { HardState } from '../../raft/types';
import { crc32 } from './crc32';
import { StorageCorruptionError } from './errors';
import { fsyncDir, timed, writeFully } from './fsUtil';
import { createPrivateFile, explainCreateError, openExistingNoFollow, readNoFollow } from './privateFiles';

const MAGIC = 0x31545348; // 'HST1' read as u32 LE
const SLOT_BYTES = 40;
const SLOT_STRIDE = 4096;
const SLOT_OFFSETS = [0, SLOT_STRIDE] as const;

interface SlotRecord {
  seq: number;
  hardState: HardState;
}

type SlotRead = { kind: 'empty' } | { kind: 'valid'; record: SlotRecord } | { kind: 'invalid'; reason: string };

export interface HardStateLoad {
  hardState: HardState;
  warnings: string[];
  /**
   * Where the hard state came from: a valid `record`; `none` (no file, or an empty one: never
   * written); or `zeroed`, a file with bytes but no record in any slot — it was written once
   * and the writes are gone (e.g. a file system that zero-fills after a crash), so a term and
   * vote existed and are lost. DiskStorage.recover() refuses to start on that.
   */
  source: 'record' | 'none' | 'zeroed';
}

export class HardStateFile {
  private fd: number | null = null;
  private seq = 0;
  /** Slot holding the newest durable record; writes go to the other one. */
  private durableSlot: 0 | 1 = 1;
  private durableState: HardState = { term: 0, vote: 0, commit: 0 };
  private lastWritten: HardState = { term: 0, vote: 0, commit: 0 };

  constructor(
    private readonly path: string,
    private readonly dir: string,
    private readonly durable: boolean,
  ) {}

  /**
   * Reads the newest valid record (or the zero state when there is none) and opens the file
   * for writing. Throws StorageCorruptionError when the file exists but no slot is valid.
   */
  load(): HardStateLoad {
    const warnings: string[] = [];
    // Never through a planted symbolic link (privateFiles.ts).
    const bytes = readNoFollow(this.path);
    let best: { slot: 0 | 1; record: SlotRecord } | undefined;
    if (bytes) {
      const reads = SLOT_OFFSETS.map((offset) => readSlot(bytes, offset));
      reads.forEach((read, slot) => {
        if (read.kind === 'valid' && (!best || read.record.seq > best.record.seq)) best = { slot: slot as 0 | 1, record: read.record };
      });
      reads.forEach((read, slot) => {
        if (read.kind !== 'invalid') return;
        if (!best) throw new StorageCorruptionError(this.path, SLOT_OFFSETS[slot], `hard state damaged in every copy: ${read.reason}`);
        warnings.push(
          `${this.path}: hard state copy at byte offset ${SLOT_OFFSETS[slot]} is damaged (${read.reason}); ` +
            `using the other copy (term ${best.record.hardState.term}, vote ${best.record.hardState.vote}, commit ${best.record.hardState.commit})`,
        );
      });
    }
    const existed = bytes !== undefined;
    try {
      this.fd = existed ? openExistingNoFollow(this.path, 'readwrite') : createPrivateFile(this.path, 'readwrite');
    } catch (err) {
      throw explainCreateError(this.path, err);
    }
    if (!existed && this.durable) fsyncDir(this.dir);
    if (best) {
      this.seq = best.record.seq;
      this.durableSlot = best.slot;
      this.durableState = best.record.hardState;
      this.lastWritten = best.record.hardState;
      // The record we recovered may so far live only in the page cache (the process died,
      // not the machine). Make it durable before treating its slot as the safe one.
      if (this.durable) fs.fdatasyncSync(this.fd);
    }
    const source = best ? 'record' : bytes !== undefined && bytes.length > 0 ? 'zeroed' : 'none';
    return { hardState: { ...this.lastWritten }, warnings, source };
  }

  /** The last hard state written. */
  get current(): HardState {
    return { ...this.lastWritten };
  }

  /**
   * Writes `hs` unless it equals the last one written. Returns the ms spent in fdatasync
   * (0 when none was needed), or undefined when nothing was written.
   */
  write(hs: HardState): number | undefined {
    if (this.fd === null) throw new Error('hard state file is not open');
    const last = this.lastWritten;
    if (hs.term === last.term && hs.vote === last.vote && hs.commit === last.commit) return undefined;
    const needsSync = this.durable && (hs.term !== this.durableState.term || hs.vote !== this.durableState.vote);
    const target: 0 | 1 = this.durableSlot === 0 ? 1 : 0;
    this.seq++;
    writeFully(this.fd, encodeSlot(this.seq, hs), SLOT_OFFSETS[target]);
    this.lastWritten = { term: hs.term, vote: hs.vote, commit: hs.commit };
    if (!needsSync) return 0;
    const fd = this.fd;
    const ms = timed(() => fs.fdatasyncSync(fd));
    this.durableSlot = target;
    this.durableState = this.lastWritten;
    return ms;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

function encodeSlot(seq: number, hs: HardState): Buffer {
  for (const [name, v] of [['term', hs.term], ['vote', hs.vote], ['commit', hs.commit]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`hard state ${name} must be a non-negative integer, got ${v}`);
  }
  if (hs.vote > 0xffffffff) throw new RangeError(`hard state vote ${hs.vote} does not fit a node id`);
  const buf = Buffer.alloc(SLOT_BYTES);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeBigUInt64LE(BigInt(seq), 4);
  buf.writeBigUInt64LE(BigInt(hs.term), 12);
  buf.writeUInt32LE(hs.vote, 20);
  buf.writeBigUInt64LE(BigInt(hs.commit), 24);
  buf.writeUInt32LE(crc32(buf.subarray(0, 36)), 36);
  return buf;
}

function readSlot(file: Buffer, offset: number): SlotRead {
  const slot = file.subarray(offset, offset + SLOT_BYTES);
  if (slot.every((b) => b === 0)) return { kind: 'empty' }; // never written (or a zero-filled tail)
  if (slot.length < SLOT_BYTES) return { kind: 'invalid', reason: `short record (${slot.length} of ${SLOT_BYTES} bytes)` };
  if (slot.readUInt32LE(0) !== MAGIC) return { kind: 'invalid', reason: 'bad magic number' };
  if (crc32(slot.subarray(0, 36)) !== slot.readUInt32LE(36)) return { kind: 'invalid', reason: 'checksum mismatch' };
  const seq = Number(slot.readBigUInt64LE(4));
  const term = Number(slot.readBigUInt64LE(12));
  const commit = Number(slot.readBigUInt64LE(24));
  if (![seq, term, commit].every(Number.isSafeInteger)) return { kind: 'invalid', reason: 'value out of range' };
  return { kind: 'valid', record: { seq, hardState: { term, vote: slot.readUInt32LE(20), commit } } };
}
