/**
 * Snapshots on disk (§7): `snapshot/<index>-<term>.snap` (both numbers zero-padded to 20
 * digits so names sort), written atomically, only the latest kept.
 *
 * File layout:
 *   0  8 bytes  magic 'RLSNAP01'
 *   8  u32 LE   body length
 *   12 u32 LE   CRC-32 of the body
 *   16 body     standard msgpack [index, term, voters, outgoing | null, data, learners?]
 *               (learners, thesis §4.2.1, only when there are some: older files have 5 fields)
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../../raft/types';
import { crc32 } from './crc32';
import { StorageCorruptionError } from './errors';
import { writeFileAtomic } from './fsUtil';
import { decodeConfig, encodeConfig, encodeLearners, isPositiveInt, packStandard, PayloadError, unpack } from './walCodec';

const MAGIC = Buffer.from('RLSNAP01', 'ascii');
const HEADER_BYTES = 16;
const NAME_PATTERN = /^(\d{20})-(\d{20})\.snap$/;

export interface SnapshotLoad {
  snapshot?: Snapshot;
  warnings: string[];
}

export class SnapshotStore {
  private latest: { index: number; term: number; path: string } | undefined;

  constructor(
    readonly dir: string,
    private readonly durable: boolean,
  ) {}

  /** Index of the latest durable snapshot, 0 when there is none. */
  get index(): number {
    return this.latest?.index ?? 0;
  }

  get term(): number {
    return this.latest?.term ?? 0;
  }

  /**
   * Loads the newest snapshot. Leftovers of an interrupted write or replacement (a `.tmp`
   * file, an older `.snap` next to a newer one) are removed with a warning. A damaged newest
   * snapshot throws StorageCorruptionError: an older one, if still present, may already be
   * behind a compacted log, so falling back to it silently is not safe.
   */
  load(): SnapshotLoad {
    const warnings: string[] = [];
    const snaps: { index: number; term: number; path: string }[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const path = join(this.dir, name);
      const m = NAME_PATTERN.exec(name);
      if (m) snaps.push({ index: Number(m[1]), term: Number(m[2]), path });
      else if (name.endsWith('.tmp')) {
        fs.unlinkSync(path);
        warnings.push(`removed ${path}, left by an interrupted snapshot write`);
      } else warnings.push(`ignoring unexpected file ${path}`);
    }
    if (snaps.length === 0) return { warnings };
    snaps.sort((a, b) => b.index - a.index || b.term - a.term);
    const newest = snaps[0];
    const snapshot = readSnapshotFile(newest.path, newest.index, newest.term);
    for (const old of snaps.slice(1)) {
      fs.unlinkSync(old.path);
      warnings.push(`removed older snapshot ${old.path}, left by an interrupted replacement`);
    }
    this.latest = newest;
    return { snapshot, warnings };
  }

  /** Writes `snapshot` atomically, then deletes the previous one. Returns ms spent in fsync. */
  write(snapshot: Snapshot): number {
    const { index, term, config } = snapshot.meta;
    if (!isPositiveInt(index) || !isPositiveInt(term)) throw new RangeError(`snapshot index and term must be positive integers`);
    const path = join(this.dir, snapshotFileName(index, term));
    const learners = encodeLearners(config);
    const fields: unknown[] = [index, term, ...encodeConfig(config), snapshot.data];
    if (learners !== undefined) fields.push(learners);
    const body = packStandard(fields);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header, 0);
    header.writeUInt32LE(body.length, 8);
    header.writeUInt32LE(crc32(body), 12);
    const syncMs = writeFileAtomic(path, this.dir, [header, body], this.durable);
    const previous = this.latest;
    this.latest = { index, term, path };
    if (previous && previous.path !== path) fs.unlinkSync(previous.path);
    return syncMs;
  }
}

export function snapshotFileName(index: number, term: number): string {
  return `${String(index).padStart(20, '0')}-${String(term).padStart(20, '0')}.snap`;
}

function readSnapshotFile(path: string, index: number, term: number): Snapshot {
  const bytes = fs.readFileSync(path);
  const fail = (offset: number, reason: string): never => {
    throw new StorageCorruptionError(path, offset, `snapshot file damaged: ${reason}`);
  };
  if (bytes.length < HEADER_BYTES) fail(0, `file is ${bytes.length} bytes, shorter than its header`);
  if (!bytes.subarray(0, 8).equals(MAGIC)) fail(0, 'bad magic');
  const length = bytes.readUInt32LE(8);
  if (bytes.length !== HEADER_BYTES + length) fail(8, `header says ${length} body bytes, file holds ${bytes.length - HEADER_BYTES}`);
  const body = bytes.subarray(HEADER_BYTES);
  if (crc32(body) !== bytes.readUInt32LE(12)) fail(HEADER_BYTES, 'body checksum mismatch');
  try {
    const fields = unpack(body);
    if (!Array.isArray(fields) || (fields.length !== 5 && fields.length !== 6)) throw new PayloadError('body is not a 5- or 6-element array');
    const [bIndex, bTerm, voters, outgoing, data, learners] = fields as unknown[];
    if (bIndex !== index || bTerm !== term) throw new PayloadError(`body says index ${String(bIndex)} term ${String(bTerm)}, name says ${index}-${term}`);
    if (!(data instanceof Uint8Array)) throw new PayloadError('state machine data is not bytes');
    const config = decodeConfig(voters, outgoing, `snapshot ${index}`, learners);
    return { meta: { index, term, config }, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (err) {
    if (err instanceof PayloadError) return fail(HEADER_BYTES, err.message);
    throw err;
  }
}
