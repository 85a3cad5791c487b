/**
 * Reading and damaging a node's write-ahead log on purpose (dataDir/wal/<seq>.log), for
 * crash-recovery tests. Record boundaries come from the node's own scanner, so a test can
 * cut "mid-record" or flip a byte "inside an early record" precisely.
 */
import { closeSync, openSync, readdirSync, readFileSync, statSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { scanRecords, RECORD_HEADER_BYTES } from '../../../src/node/storage/walRecord';

export interface WalRecordSpan {
  /** Offset of the record header in the file. */
  offset: number;
  /** Header plus payload. */
  bytes: number;
  type: number;
}

/** Segment files of a node's WAL, oldest first. */
export function walSegments(nodeDataDir: string): string[] {
  const dir = join(nodeDataDir, 'wal');
  return readdirSync(dir)
    .filter((n) => /^\d{20}\.log$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

/** The newest segment (the one being appended to). */
export function newestWalSegment(nodeDataDir: string): string {
  const segments = walSegments(nodeDataDir);
  if (segments.length === 0) throw new Error(`no WAL segment in ${nodeDataDir}/wal`);
  return segments[segments.length - 1];
}

/** The records of one segment as the node would read them (a torn tail is left out). */
export function walRecords(path: string): WalRecordSpan[] {
  const scan = scanRecords(readFileSync(path), path, true);
  return scan.records.map((r) => ({ offset: r.offset, bytes: RECORD_HEADER_BYTES + r.payload.byteLength, type: r.type }));
}

/**
 * Cuts the file in the middle of its last record (keeps the header and part of the
 * payload): what a crash during the final append leaves. Returns the new size and the
 * offset of the torn record.
 */
export function tearLastRecord(path: string): { size: number; recordOffset: number } {
  const records = walRecords(path);
  if (records.length === 0) throw new Error(`${path} has no record to tear`);
  const last = records[records.length - 1];
  if (last.bytes < RECORD_HEADER_BYTES + 2) throw new Error(`the last record of ${path} is too small to cut mid-payload`);
  const size = last.offset + RECORD_HEADER_BYTES + Math.floor((last.bytes - RECORD_HEADER_BYTES) / 2);
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  return { size, recordOffset: last.offset };
}

/**
 * Flips one byte in the payload of record number `recordIndex` (not the last one, so the
 * damage cannot pass for a torn write). Returns the record's offset and the byte's offset.
 */
export function flipByteInRecord(path: string, recordIndex: number): { recordOffset: number; byteOffset: number } {
  const records = walRecords(path);
  if (recordIndex >= records.length - 1) throw new Error(`${path} has ${records.length} records: record ${recordIndex} is not followed by another`);
  const rec = records[recordIndex];
  const byteOffset = rec.offset + RECORD_HEADER_BYTES + Math.floor((rec.bytes - RECORD_HEADER_BYTES) / 2);
  const bytes = readFileSync(path);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.from([bytes[byteOffset] ^ 0xff]), 0, 1, byteOffset);
  } finally {
    closeSync(fd);
  }
  return { recordOffset: rec.offset, byteOffset };
}

export function fileSize(path: string): number {
  return statSync(path).size;
}
