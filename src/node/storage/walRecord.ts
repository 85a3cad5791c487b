/**
 * Framing of write-ahead-log records.
 *
 * A record is a 13-byte header followed by the payload:
 *
 *   offset 0  u32 LE  payload length
 *   offset 4  u8      record type (see `RecordType`)
 *   offset 5  u32 LE  CRC-32 of the payload
 *   offset 9  u32 LE  CRC-32 of header bytes 0..8
 *
 * The header has its own checksum so that a damaged length field is recognised as damage
 * instead of being read as "the file ends in the middle of this record", which would
 * silently throw away every later record. With both checksums the scanner can tell a torn
 * final write (a prefix of the last record, or a zero-filled tail) from corruption.
 */
import { crc32 } from './crc32';
import { StorageCorruptionError } from './errors';

export const RECORD_HEADER_BYTES = 13;

/** No single record may claim more than this; anything larger is a damaged header. */
export const MAX_RECORD_PAYLOAD_BYTES = 256 * 1024 * 1024;

export const RecordType = {
  /** A batch of log entries, contiguous, appended after the current last index. */
  Entries: 1,
  /** Delete every entry with index >= from (conflict truncation, §5.3). */
  Truncate: 2,
  /** A snapshot at (index, term) became durable: entries it covers are dropped (§7). */
  SnapshotMarker: 3,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

const KNOWN_TYPES = new Set<number>(Object.values(RecordType));

/** Frames one payload as a record (header + payload) in a fresh buffer. */
export function encodeRecord(type: RecordType, payload: Uint8Array): Buffer {
  if (payload.length > MAX_RECORD_PAYLOAD_BYTES) {
    throw new RangeError(`WAL record payload of ${payload.length} bytes exceeds ${MAX_RECORD_PAYLOAD_BYTES}`);
  }
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt8(type, 4);
  out.writeUInt32LE(crc32(payload), 5);
  out.writeUInt32LE(crc32(out.subarray(0, 9)), 9);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

export interface ScannedRecord {
  type: RecordType;
  /** Offset of the record header in the file. */
  offset: number;
  /** A view into the scanned buffer; copy it if it must outlive the buffer. */
  payload: Uint8Array;
}

export interface ScanResult {
  records: ScannedRecord[];
  /** Length of the valid prefix: where the next record should be written. */
  validEnd: number;
  /** Set when the file ends in a torn record (only possible when `allowTornTail`). */
  torn?: { offset: number; reason: string };
}

/**
 * Splits a segment's bytes into records.
 *
 * A torn tail is accepted (reported in `torn`, excluded from `records`) only when
 * `allowTornTail` is set, i.e. for the last segment, where a crash can interrupt a write.
 * Anything else throws `StorageCorruptionError` naming `file` and the record's offset.
 */
export function scanRecords(bytes: Uint8Array, file: string, allowTornTail: boolean): ScanResult {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: ScannedRecord[] = [];
  let offset = 0;
  const tornOrCorrupt = (reason: string, canBeTorn: boolean): ScanResult => {
    if (canBeTorn && allowTornTail) return { records, validEnd: offset, torn: { offset, reason } };
    throw new StorageCorruptionError(file, offset, canBeTorn ? `${reason} (not in the last segment)` : reason);
  };
  while (offset < view.length) {
    const remaining = view.length - offset;
    if (remaining < RECORD_HEADER_BYTES) {
      return tornOrCorrupt(`incomplete record header (${remaining} of ${RECORD_HEADER_BYTES} bytes)`, true);
    }
    const headerCrc = view.readUInt32LE(offset + 9);
    if (crc32(view.subarray(offset, offset + 9)) !== headerCrc) {
      // A zero-filled tail is what a crash leaves when the file size reached the disk but
      // the data did not; any other damaged header is corruption.
      const zeroTail = view.subarray(offset).every((b) => b === 0);
      return tornOrCorrupt(zeroTail ? 'zero-filled tail' : 'record header checksum mismatch', zeroTail);
    }
    const length = view.readUInt32LE(offset);
    const type = view.readUInt8(offset + 4);
    if (!KNOWN_TYPES.has(type)) return tornOrCorrupt(`unknown record type ${type}`, false);
    if (length > MAX_RECORD_PAYLOAD_BYTES) return tornOrCorrupt(`record length ${length} exceeds the maximum`, false);
    const end = offset + RECORD_HEADER_BYTES + length;
    if (end > view.length) {
      return tornOrCorrupt(`record payload cut short (${view.length - offset - RECORD_HEADER_BYTES} of ${length} bytes)`, true);
    }
    const payload = view.subarray(offset + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== view.readUInt32LE(offset + 5)) {
      // Only the very last record of the file may be a torn write; a bad checksum with
      // records after it cannot come from an interrupted append.
      return tornOrCorrupt('record payload checksum mismatch', end === view.length);
    }
    records.push({ type: type as RecordType, offset, payload });
    offset = end;
  }
  return { records, validEnd: offset };
}
