/**
 * The flight recorder's journal format (docs/formats.md, "journal"): what a node writes
 * (src/node/journal) and what replay reads (src/replay). It lives in the contracts because
 * both sides need the same framing, record layout and output digest, and replay may import
 * only the core and the contracts.
 *
 * A segment file starts with the 8-byte magic `RLJRNL01`, then records, each a 12-byte
 * header and a msgpack payload:
 *
 *   offset 0  u32 LE  payload length
 *   offset 4  u32 LE  CRC-32 of the payload (src/raft/checksum.ts)
 *   offset 8  u32 LE  CRC-32 of header bytes 0..7
 *
 * The header has its own checksum, as the WAL's does (src/node/storage/walRecord.ts), so a
 * damaged length is seen as damage and not read as "the file ends inside this record".
 * A node killed with SIGKILL leaves at most a torn last record in its last segment: the
 * scanner cuts it and says so; damage anywhere else is reported, never read past.
 */
import { Packr, Unpackr } from 'msgpackr';
import { crc32 } from '../raft/checksum';
import type { Input, Outputs, PersistedState, RaftConfig } from '../raft/types';
import { writeRaftBatch } from './codecRaftWire';
import { MsgpackWriter } from './codecWriter';
import { validateRaftBatch } from './validateRaft';
import type { RecordingLevel } from './recording';

export const JOURNAL_MAGIC = 'RLJRNL01';
export const JOURNAL_HEADER_BYTES = 12;
/** No record is larger than this; a header claiming more is damage. */
export const JOURNAL_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** How much a node records (cluster option `recording`). */
export { RECORDING_LEVELS, type RecordingLevel } from './recording';

/** `inc-000003-seg-000002.rjl`: incarnation 3, its second segment. */
const SEGMENT_NAME = /^inc-(\d{6})-seg-(\d{6})\.rjl$/;

/** The file name of one segment of one incarnation of a node. */
export function segmentFileName(incarnation: number, segment: number): string {
  return `inc-${String(incarnation).padStart(6, '0')}-seg-${String(segment).padStart(6, '0')}.rjl`;
}

/** Parses a segment file name; null for anything else. */
export function parseSegmentFileName(name: string): { incarnation: number; segment: number } | null {
  const m = SEGMENT_NAME.exec(name);
  return m ? { incarnation: Number(m[1]), segment: Number(m[2]) } : null;
}

/** Record kinds: the first element of every payload array. */
export const RecordKind = {
  /** An incarnation begins: [kind, incarnation, t, level, raftConfig, persisted]. */
  Start: 0,
  /**
   * One core step at level full: [kind, step, t, input, digest | null] (null: the core
   * refused it). `input` is 0 for a tick, [1, batch] for a message (batch: the peer wire's
   * batch of that one message, src/contract/codecRaftWire.ts) or [1, batch, [incarnation, n]]
   * with the id the message arrived with (`from.incarnation.n`, src/contract/debug.ts), [2, id, [command bytes...]]
   * for a proposal, and the `Input` object itself for anything else.
   */
  Step: 1,
  /** A message received at level messages: [kind, step, t, header]. */
  Received: 2,
  /** A message the transport dropped: [kind, t, header, reason]. */
  Dropped: 3,
} as const;

/** The header of a message, as recorded at level `messages` and for drops. */
export interface MessageHeader {
  type: string;
  from: number;
  to: number;
  term: number;
  /** The message's id `from.incarnation.n`, when it is known (src/contract/debug.ts). */
  id?: string;
}

export type JournalRecord =
  | { kind: 'start'; incarnation: number; t: number; level: RecordingLevel; config: RaftConfig; persisted: PersistedState }
  | { kind: 'step'; step: number; t: number; input: Input; digest: OutputDigest | null; msgId?: MessageWireId }
  | { kind: 'received'; step: number; t: number; header: MessageHeader }
  | { kind: 'dropped'; t: number; header: MessageHeader; reason: string };

/** A received message's id as journaled with its step: the sender's incarnation and number (the sender is `from`). */
export interface MessageWireId {
  incarnation: number;
  n: number;
}

// msgpack without records (a file must decode with any msgpack reader: docs/platform-facts.md#msgpack).
const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** The payload of one record (not yet framed). */
export function encodeJournalRecord(r: JournalRecord): Uint8Array {
  switch (r.kind) {
    case 'start':
      return packr.pack([RecordKind.Start, r.incarnation, r.t, r.level, r.config, r.persisted]);
    case 'step':
      return encodeStep(r.step, r.t, r.input, r.digest, r.msgId);
    case 'received':
      return packr.pack([RecordKind.Received, r.step, r.t, r.header]);
    case 'dropped':
      return packr.pack([RecordKind.Dropped, r.t, r.header, r.reason]);
  }
}

/**
 * WHY a hand-written writer for steps: they are the journal's hot path (every message and
 * proposal of a loaded node). Packing them with msgpackr's Packr (entries as maps, keys
 * written each time) cost the node bench 22% of its throughput; the peer wire's own writer
 * (codecWriter.ts: measured faster than Packr there too) and its tuple layout for messages
 * cut that (figures in docs/formats.md, "journal"). The payload stays standard msgpack.
 */
const stepWriter = new MsgpackWriter();

function encodeStep(step: number, t: number, input: Input, digest: OutputDigest | null, msgId?: MessageWireId): Uint8Array {
  const w = stepWriter;
  w.reset();
  w.arrayHeader(5);
  w.number(RecordKind.Step);
  w.number(step);
  w.number(t);
  switch (input.type) {
    case 'tick':
      w.number(0);
      break;
    case 'message':
      w.arrayHeader(msgId ? 3 : 2);
      w.number(1);
      writeRaftBatch(w, [input.message]);
      if (msgId) {
        w.arrayHeader(2);
        w.number(msgId.incarnation);
        w.number(msgId.n);
      }
      break;
    case 'propose':
      w.arrayHeader(3);
      w.number(2);
      w.number(input.id);
      w.arrayHeader(input.commands.length);
      for (const c of input.commands) w.bytes(c);
      break;
    default:
      w.value(input);
  }
  if (digest === null) w.nil();
  else {
    w.arrayHeader(digest.length);
    for (const d of digest) w.number(d);
  }
  // A view into the writer's scratch buffer: frameJournalRecord copies it before the next step.
  return w.peek();
}

/** The id journaled with a message input (`[1, batch, [incarnation, n]]`), if any. */
function decodeStepMessageId(v: unknown): MessageWireId | undefined {
  if (!Array.isArray(v) || v[0] !== 1 || v.length < 3) return undefined;
  const id = v[2];
  if (!Array.isArray(id) || id.length !== 2 || !Number.isSafeInteger(id[0]) || !Number.isSafeInteger(id[1])) throw new JournalFormatError(`message id does not decode: ${JSON.stringify(id)}`);
  return { incarnation: id[0] as number, n: id[1] as number };
}

function decodeStepInput(v: unknown): Input {
  if (v === 0) return { type: 'tick' };
  if (Array.isArray(v)) {
    if (v[0] === 1) {
      const batch = validateRaftBatch(v[1]);
      if (!batch.ok || batch.value.length !== 1) throw new JournalFormatError(`message input does not decode: ${batch.ok ? `${batch.value.length} messages` : batch.error}`);
      return { type: 'message', message: batch.value[0] };
    }
    if (v[0] === 2 && Array.isArray(v[2])) return { type: 'propose', id: v[1] as number, commands: v[2] as Uint8Array[] };
    throw new JournalFormatError(`unknown step input tag ${String(v[0])}`);
  }
  if (v !== null && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string') return v as Input;
  throw new JournalFormatError('step input is neither a tick, a message, a proposal nor an input object');
}

/** A payload that does not have the shape of a record (a bug or another version; never guessed at). */
export class JournalFormatError extends Error {
  override readonly name = 'JournalFormatError';
}

export function decodeJournalRecord(payload: Uint8Array): JournalRecord {
  const v = unpackr.unpack(payload) as unknown[];
  if (!Array.isArray(v) || typeof v[0] !== 'number') throw new JournalFormatError('record is not an array starting with its kind');
  switch (v[0]) {
    case RecordKind.Start:
      return { kind: 'start', incarnation: v[1] as number, t: v[2] as number, level: v[3] as RecordingLevel, config: v[4] as RaftConfig, persisted: v[5] as PersistedState };
    case RecordKind.Step:
    {
      const msgId = decodeStepMessageId(v[3]);
      const record: JournalRecord = { kind: 'step', step: v[1] as number, t: v[2] as number, input: decodeStepInput(v[3]), digest: (v[4] as OutputDigest | null) ?? null };
      if (msgId) record.msgId = msgId;
      return record;
    }
    case RecordKind.Received:
      return { kind: 'received', step: v[1] as number, t: v[2] as number, header: v[3] as MessageHeader };
    case RecordKind.Dropped:
      return { kind: 'dropped', t: v[1] as number, header: v[2] as MessageHeader, reason: v[3] as string };
    default:
      throw new JournalFormatError(`unknown record kind ${String(v[0])}`);
  }
}

const MAGIC_BYTES = new TextEncoder().encode(JOURNAL_MAGIC);

/** The bytes a segment file starts with. */
export function journalSegmentHeader(): Uint8Array {
  return MAGIC_BYTES.slice();
}

/** Frames one payload: header then payload, in a fresh buffer. */
export function frameJournalRecord(payload: Uint8Array): Uint8Array {
  if (payload.length > JOURNAL_MAX_RECORD_BYTES) throw new RangeError(`journal record of ${payload.length} bytes exceeds ${JOURNAL_MAX_RECORD_BYTES}`);
  const out = new Uint8Array(JOURNAL_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  view.setUint32(8, crc32(out.subarray(0, 8)), true);
  out.set(payload, JOURNAL_HEADER_BYTES);
  return out;
}

export interface JournalScan {
  /** The payloads of the valid records, in order (views into the scanned bytes). */
  payloads: Uint8Array[];
  /** Length of the valid prefix. */
  validEnd: number;
  /** Set when the segment ends in a torn record, which was cut (only when allowed). */
  torn?: { offset: number; reason: string };
}

/** Damage a crash cannot explain: a bad record with valid bytes after it, a bad magic, a bad record in a sealed segment. */
export class JournalCorruptionError extends Error {
  override readonly name = 'JournalCorruptionError';
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`${file} at byte ${offset}: ${reason}`);
  }
}

/**
 * Splits a segment into record payloads. A torn tail (header or payload cut short, a
 * zero-filled tail, a bad checksum on the very last record) is cut when `allowTornTail` is
 * set: the last segment of an incarnation, where a kill can interrupt a write. Anything else
 * throws `JournalCorruptionError` naming the file and offset.
 */
export function scanJournalSegment(bytes: Uint8Array, file: string, allowTornTail: boolean): JournalScan {
  const payloads: Uint8Array[] = [];
  if (bytes.length < MAGIC_BYTES.length) {
    if (allowTornTail) return { payloads, validEnd: 0, torn: { offset: 0, reason: 'segment shorter than its magic' } };
    throw new JournalCorruptionError(file, 0, 'segment shorter than its magic');
  }
  for (let i = 0; i < MAGIC_BYTES.length; i++) {
    if (bytes[i] !== MAGIC_BYTES[i]) throw new JournalCorruptionError(file, 0, `not a journal segment (magic is not ${JOURNAL_MAGIC})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = MAGIC_BYTES.length;
  const cut = (reason: string, canBeTorn: boolean): JournalScan => {
    if (canBeTorn && allowTornTail) return { payloads, validEnd: offset, torn: { offset, reason } };
    throw new JournalCorruptionError(file, offset, canBeTorn ? `${reason} (not in the last segment)` : reason);
  };
  while (offset < bytes.length) {
    const remaining = bytes.length - offset;
    if (remaining < JOURNAL_HEADER_BYTES) return cut(`incomplete record header (${remaining} of ${JOURNAL_HEADER_BYTES} bytes)`, true);
    if (crc32(bytes.subarray(offset, offset + 8)) !== view.getUint32(offset + 8, true)) {
      // A zero-filled tail is what a crash leaves when the size reached the disk and the data
      // did not. Any other damaged header in the last segment is cut too: its length cannot be
      // trusted, so nothing after it can be read without guessing (the cut is reported).
      const zeroTail = bytes.subarray(offset).every((b) => b === 0);
      return cut(zeroTail ? 'zero-filled tail' : 'record header checksum mismatch', true);
    }
    const length = view.getUint32(offset, true);
    if (length > JOURNAL_MAX_RECORD_BYTES) return cut(`record length ${length} exceeds the maximum`, false);
    const end = offset + JOURNAL_HEADER_BYTES + length;
    if (end > bytes.length) return cut(`record payload cut short (${bytes.length - offset - JOURNAL_HEADER_BYTES} of ${length} bytes)`, true);
    const payload = bytes.subarray(offset + JOURNAL_HEADER_BYTES, end);
    if (crc32(payload) !== view.getUint32(offset + 4, true)) return cut('record payload checksum mismatch', end === bytes.length);
    payloads.push(payload);
    offset = end;
  }
  return { payloads, validEnd: offset };
}

// ---------------------------------------------------------------------------
// The output digest
// ---------------------------------------------------------------------------

/**
 * Names of the digest's fields, in order. A digest is a short array of integers that sums
 * up one step's `Outputs`: replay recomputes it from the core and compares field by field,
 * so a determinism bug is reported with the first field that differs.
 */
export const DIGEST_FIELDS = [
  'hardState.term', 'hardState.vote', 'hardState.commit', 'truncateFrom', 'snapshot.index',
  'entries.count', 'entries.last', 'messages.count', 'messages.hash', 'committed.count',
  'committed.last', 'results.count', 'results.hash', 'events.count', 'events.hash',
  'snapshotTaken.index', 'compactTo', 'snapshotWanted',
] as const;

export type OutputDigest = number[];

const MESSAGE_CODES: Record<string, number> = { vote: 1, voteResp: 2, append: 3, appendResp: 4, heartbeat: 5, heartbeatResp: 6, snapshot: 7, timeoutNow: 8 };

/** FNV-1a over 32-bit words; cheap enough to run on every step. */
function mixWord(h: number, word: number): number {
  h ^= word & 0xffff;
  h = Math.imul(h, 0x01000193);
  h ^= (word >>> 16) & 0xffff;
  return Math.imul(h, 0x01000193) >>> 0;
}

/** The digest of one step's outputs (see DIGEST_FIELDS). Absent values are -1. */
export function digestOutputs(out: Outputs): OutputDigest {
  let mh = 0x811c9dc5;
  for (const m of out.messages) {
    mh = mixWord(mixWord(mixWord(mh, MESSAGE_CODES[m.type] ?? 0), m.to), m.term);
    switch (m.type) {
      case 'append':
        mh = mixWord(mixWord(mixWord(mixWord(mh, m.prevIndex), m.prevTerm), m.entries.length), m.commit);
        break;
      case 'appendResp':
        mh = mixWord(mixWord(mixWord(mh, m.success ? 1 : 0), m.matchIndex), m.hintIndex);
        break;
      case 'heartbeat':
        mh = mixWord(mixWord(mh, m.commit), m.seq);
        break;
      case 'vote':
        mh = mixWord(mixWord(mixWord(mh, m.lastLogIndex), m.lastLogTerm), m.preVote ? 1 : 0);
        break;
      case 'voteResp':
        mh = mixWord(mixWord(mh, m.granted ? 1 : 0), m.preVote ? 1 : 0);
        break;
      case 'snapshot':
        mh = mixWord(mh, m.snapshot.meta.index);
        break;
      default:
        break;
    }
  }
  let rh = 0x811c9dc5;
  for (const r of out.results) rh = mixWord(mixWord(rh, r.type.length), r.id);
  let eh = 0x811c9dc5;
  for (const e of out.events) eh = mixWord(eh, e.type.length * 31 + e.type.charCodeAt(0));
  const hs = out.hardState;
  return [
    hs ? hs.term : -1, hs ? hs.vote : -1, hs ? hs.commit : -1, out.truncateFrom ?? -1, out.snapshot ? out.snapshot.meta.index : -1,
    out.entries.length, out.entries.length > 0 ? out.entries[out.entries.length - 1].index : -1, out.messages.length, mh, out.committed.length,
    out.committed.length > 0 ? out.committed[out.committed.length - 1].index : -1, out.results.length, rh, out.events.length, eh,
    out.snapshotTaken ? out.snapshotTaken.meta.index : -1, out.compactTo ?? -1, out.snapshotWanted ?? -1,
  ];
}

/** The first field where two digests differ, or null when they agree. */
export function digestDifference(expected: OutputDigest, actual: OutputDigest): { field: string; expected: number; actual: number } | null {
  for (let i = 0; i < DIGEST_FIELDS.length; i++) {
    if (expected[i] !== actual[i]) return { field: DIGEST_FIELDS[i], expected: expected[i], actual: actual[i] };
  }
  return null;
}

/** A message's header (level `messages`, drops). */
export function messageHeader(m: { type: string; from: number; to: number; term: number }, id?: string): MessageHeader {
  return id === undefined ? { type: m.type, from: m.from, to: m.to, term: m.term } : { type: m.type, from: m.from, to: m.to, term: m.term, id };
}
