/**
 * Payloads of write-ahead-log records, in standard msgpack (no msgpackr records or shared
 * structures: a file must decode with any msgpack reader, see docs/platform-facts.md#msgpack).
 *
 * Decoders validate every field: the checksum proves the bytes are the ones written, but
 * a payload written by a buggy or different version must still never yield a bad entry.
 */
import { Packr } from 'msgpackr';
import type { ClusterConfig, Entry, EntryKind, NodeId } from '../../raft/types';

const packr = new Packr({ useRecords: false, copyBuffers: true });

/** A payload that decoded to the wrong shape. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

const KIND_CODES: Record<EntryKind, number> = { command: 0, noop: 1, config: 2 };
const KINDS: EntryKind[] = ['command', 'noop', 'config'];
const EMPTY = new Uint8Array(0);

/**
 * Encodes a batch of entries as one payload: [[index, term, kind, data, voters?, outgoing?,
 * learners?], ...]. `learners` (thesis §4.2.1) is written only when there are some, so logs
 * without learners keep the 6-element rows older versions wrote and read.
 */
export function encodeEntries(entries: readonly Entry[]): Uint8Array {
  return packr.pack(
    entries.map((e) => {
      const row: unknown[] = [e.index, e.term, KIND_CODES[e.kind], e.data];
      if (e.config) {
        row.push(...encodeConfig(e.config));
        const learners = encodeLearners(e.config);
        if (learners !== undefined) row.push(learners);
      }
      return row;
    }),
  );
}

export function decodeEntries(payload: Uint8Array): Entry[] {
  const rows = unpack(payload);
  if (!Array.isArray(rows)) throw new PayloadError('entries payload is not an array');
  if (rows.length === 0) throw new PayloadError('entries payload is empty');
  return rows.map((row: unknown, i) => {
    if (!Array.isArray(row) || (row.length !== 4 && row.length !== 6 && row.length !== 7)) {
      throw new PayloadError(`entry #${i} is not a 4-, 6- or 7-element array`);
    }
    const [index, term, kindCode, data] = row as unknown[];
    const kind = KINDS[kindCode as number];
    if (!isPositiveInt(index)) throw new PayloadError(`entry #${i} has a bad index`);
    if (!isPositiveInt(term)) throw new PayloadError(`entry #${i} (index ${index}) has a bad term`);
    if (!Number.isInteger(kindCode) || kind === undefined) throw new PayloadError(`entry ${index} has unknown kind ${String(kindCode)}`);
    if (!(data instanceof Uint8Array)) throw new PayloadError(`entry ${index} data is not bytes`);
    const entry: Entry = { index, term, kind, data: data.length === 0 ? EMPTY : asPlainBytes(data) };
    if (row.length >= 6) entry.config = decodeConfig(row[4], row[5], index, row[6]);
    if (kind === 'config' && !entry.config) throw new PayloadError(`config entry ${index} has no configuration`);
    return entry;
  });
}

/** Encodes a truncate-from record: the first index removed. */
export function encodeTruncate(from: number): Uint8Array {
  return packr.pack(from);
}

export function decodeTruncate(payload: Uint8Array): number {
  const from = unpack(payload);
  if (!isPositiveInt(from)) throw new PayloadError('truncate payload is not a positive integer');
  return from;
}

/** Encodes a snapshot marker: [index, term]. */
export function encodeSnapshotMarker(index: number, term: number): Uint8Array {
  return packr.pack([index, term]);
}

export function decodeSnapshotMarker(payload: Uint8Array): { index: number; term: number } {
  const value = unpack(payload);
  if (!Array.isArray(value) || value.length !== 2 || !isPositiveInt(value[0]) || !isPositiveInt(value[1])) {
    throw new PayloadError('snapshot marker payload is not [index, term]');
  }
  return { index: value[0], term: value[1] };
}

/** A configuration as [voters, outgoing | null]. */
export function encodeConfig(config: ClusterConfig): [NodeId[], NodeId[] | null] {
  return [config.voters, config.outgoing ?? null];
}

/** A configuration's learners (thesis §4.2.1) when it has any; stored after [voters, outgoing]. */
export function encodeLearners(config: ClusterConfig): NodeId[] | undefined {
  return config.learners && config.learners.length > 0 ? config.learners : undefined;
}

/**
 * Validates a decoded [voters, outgoing] pair and the optional learners that follow it
 * (absent in data written before learners existed); `where` names it in errors.
 */
export function decodeConfig(voters: unknown, outgoing: unknown, where: number | string, learners?: unknown): ClusterConfig {
  if (!isNodeIdList(voters)) throw new PayloadError(`configuration at ${where} has bad voters`);
  const config: ClusterConfig = { voters };
  if (outgoing !== null && outgoing !== undefined) {
    if (!isNodeIdList(outgoing)) throw new PayloadError(`configuration at ${where} has bad outgoing voters`);
    config.outgoing = outgoing;
  }
  if (learners !== null && learners !== undefined) {
    if (!isNodeIdList(learners)) throw new PayloadError(`configuration at ${where} has bad learners`);
    if (learners.length > 0) config.learners = learners;
  }
  return config;
}

/** Standard-msgpack pack with this module's settings (used by the snapshot file too). */
export function packStandard(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** Unpacks, turning decoder exceptions into PayloadError. */
export function unpack(payload: Uint8Array): unknown {
  try {
    return packr.unpack(payload);
  } catch (err) {
    throw new PayloadError(`msgpack decode failed: ${(err as Error).message}`);
  }
}

/** A safe integer > 0 (indexes, terms, node ids). */
export function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function isNodeIdList(v: unknown): v is NodeId[] {
  return Array.isArray(v) && v.every(isPositiveInt);
}

/** msgpackr returns Buffers; hand out plain Uint8Array views (no copy) so callers see one type. */
function asPlainBytes(data: Uint8Array): Uint8Array {
  return data.constructor === Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
