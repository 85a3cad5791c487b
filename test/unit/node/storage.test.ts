import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskStorage, StorageCorruptionError, type DiskStorageOptions } from '../../../src/node/storage';
import { crc32, crc32Portable } from '../../../src/node/storage/crc32';
import { encodeEntries, encodeTruncate } from '../../../src/node/storage/walCodec';
import { encodeRecord, RecordType, scanRecords } from '../../../src/node/storage/walRecord';
import type { Entry, Snapshot } from '../../../src/raft/types';
import { copyDir, entries, entry, flipByte, makeTempDir, payloadFor } from './fixtures/storageTestUtil';

const open: DiskStorage[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const d = makeTempDir();
  dirs.push(d);
  return d;
}

function openStorage(dir: string, opts: Partial<DiskStorageOptions> = {}): DiskStorage {
  const s = DiskStorage.open(dir, { fsync: 'always', ...opts });
  open.push(s);
  return s;
}

/** Opens, recovers and returns both (the usual restart). */
function reopen(dir: string, opts: Partial<DiskStorageOptions> = {}) {
  const storage = openStorage(dir, opts);
  const recovery = storage.recover();
  return { storage, ...recovery };
}

/**
 * Saves a hard state first, as a node always has one before its first entry (entries carry
 * a term >= 1, which the hard state held first); recovery refuses a log without one.
 */
async function voted(storage: DiskStorage, term = 4): Promise<void> {
  await storage.save({ entries: [], hardState: { term, vote: 1, commit: 0 } });
}

function indexes(es: Entry[]): number[] {
  return es.map((e) => e.index);
}

function snapshotAt(index: number, term: number, voters = [1, 2, 3]): Snapshot {
  return { meta: { index, term, config: { voters } }, data: new TextEncoder().encode(`state@${index}`) };
}

function walFiles(dir: string): string[] {
  return fs.readdirSync(join(dir, 'wal')).sort().map((n) => join(dir, 'wal', n));
}

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('crc32', () => {
  it('matches the standard check value and the portable fallback', () => {
    const check = new TextEncoder().encode('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Portable(check)).toBe(0xcbf43926);
    for (let n = 0; n < 300; n += 7) {
      const bytes = payloadFor(n, n);
      expect(crc32Portable(bytes)).toBe(crc32(bytes));
      expect(crc32Portable(bytes.subarray(n >> 1), crc32Portable(bytes.subarray(0, n >> 1)))).toBe(crc32(bytes));
    }
  });
});

describe('DiskStorage round trip', () => {
  it('starts empty and recovers everything written after a restart', async () => {
    const dir = tempDir();
    const first = reopen(dir);
    expect(first.state).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, entries: [] });
    expect(first.warnings).toEqual([]);

    const config: Entry = { index: 2, term: 1, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 3], outgoing: [1, 2] } };
    await first.storage.save({ entries: [{ index: 1, term: 1, kind: 'noop', data: new Uint8Array(0) }, config], hardState: { term: 1, vote: 2, commit: 0 } });
    await first.storage.save({ entries: entries(3, 40, 1), hardState: { term: 1, vote: 2, commit: 2 } });
    await first.storage.save({ entries: entries(41, 41, 3), hardState: { term: 3, vote: 0, commit: 40 } });
    first.storage.close();

    const second = reopen(dir);
    expect(second.warnings).toEqual([]);
    expect(second.state.hardState).toEqual({ term: 3, vote: 0, commit: 40 });
    expect(second.state.snapshot).toBeUndefined();
    expect(indexes(second.state.entries)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(second.state.entries[1]).toEqual(config);
    expect(second.state.entries[0]).toEqual({ index: 1, term: 1, kind: 'noop', data: new Uint8Array(0) });
    expect(second.state.entries[40]).toEqual(entry(41, 3));
    expect(second.state.entries[9].data).toEqual(payloadFor(10));
    expect(second.storage.lastIndex).toBe(41);

    // Writing continues where the log ended.
    await second.storage.save({ entries: entries(42, 43, 3) });
    second.storage.close();
    expect(indexes(reopen(dir).state.entries).slice(-3)).toEqual([41, 42, 43]);
  });

  it('recovers the same state without close() (a crashed process leaves files as they are)', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir);
    await storage.save({ entries: entries(1, 5, 1), hardState: { term: 1, vote: 1, commit: 3 } });
    await storage.save({ entries: [], hardState: { term: 1, vote: 1, commit: 5 } });
    // No close: same process, so the lock is ours; a new instance must see everything.
    const again = DiskStorage.open(dir, { fsync: 'always' });
    open.push(again);
    const { state } = again.recover();
    expect(state.hardState).toEqual({ term: 1, vote: 1, commit: 5 });
    expect(indexes(state.entries)).toEqual([1, 2, 3, 4, 5]);
  });

  it('works the same with fsync never', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir, { fsync: 'never' });
    await storage.save({ entries: entries(1, 20, 1), hardState: { term: 1, vote: 1, commit: 1 } });
    await storage.save({ truncateFrom: 11, entries: entries(11, 12, 2), hardState: { term: 2, vote: 0, commit: 10 } });
    expect(storage.fsyncStats().count).toBe(0); // nothing was fsynced
    storage.close();
    const { state } = reopen(dir, { fsync: 'never' });
    expect(state.hardState).toEqual({ term: 2, vote: 0, commit: 10 });
    expect(state.entries.map((e) => [e.index, e.term])).toEqual([...entries(1, 10, 1), ...entries(11, 12, 2)].map((e) => [e.index, e.term]));
  });

  it('counts fsync latencies with fsync always', async () => {
    const reported: number[] = [];
    const { storage } = reopen(tempDir(), { onFsync: (ms) => reported.push(ms) });
    for (let i = 1; i <= 10; i++) await storage.save({ entries: [entry(i, 1)], hardState: { term: 1, vote: 1, commit: i - 1 } });
    const stats = storage.fsyncStats();
    expect(stats.count).toBe(10);
    expect(stats.p50Ms).toBeGreaterThan(0);
    expect(stats.p99Ms).toBeGreaterThanOrEqual(stats.p50Ms);
    expect(stats.maxMs).toBeGreaterThanOrEqual(stats.p99Ms);
    expect(reported).toHaveLength(10);
    expect(Math.max(...reported)).toBe(stats.maxMs);
    // A save that changes nothing costs no fsync.
    await storage.save({ entries: [], hardState: { term: 1, vote: 1, commit: 9 } });
    expect(storage.fsyncStats().count).toBe(10);
  });
});

describe('DiskStorage learners (thesis §4.2.1)', () => {
  it('keeps learners in configuration entries and snapshots across a restart', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir);
    await voted(storage, 1);
    const withLearners: Entry = { index: 1, term: 1, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 3], learners: [4, 5] } };
    const joint: Entry = { index: 2, term: 1, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 3, 4], outgoing: [1, 2, 3], learners: [5] } };
    await storage.save({ entries: [withLearners, joint, entry(3, 1)] });
    storage.close();
    let r = reopen(dir);
    expect(r.state.entries.slice(0, 2)).toEqual([withLearners, joint]);
    const snap: Snapshot = { meta: { index: 3, term: 1, config: { voters: [1, 2, 3], learners: [4] } }, data: new TextEncoder().encode('s') };
    await r.storage.save({ snapshot: snap, entries: [] });
    r.storage.close();
    r = reopen(dir);
    expect(r.state.snapshot).toEqual(snap);
  });

  it('still reads entries and snapshots written without the learners field (older versions)', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir);
    await voted(storage, 1);
    // The old 6-element row, byte for byte what versions before learners wrote.
    const config: Entry = { index: 1, term: 1, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 3], outgoing: [1, 2] } };
    await storage.save({ entries: [config] });
    await storage.save({ snapshot: snapshotAt(1, 1), entries: [] });
    storage.close();
    const rows = (await import('msgpackr')).unpack(encodeEntries([config])) as unknown[][];
    expect(rows[0]).toHaveLength(6);
    const r = reopen(dir);
    expect(r.state.snapshot?.meta.config).toEqual({ voters: [1, 2, 3] });
    expect(r.state.snapshot?.meta.config.learners).toBeUndefined();
  });
});

describe('DiskStorage truncation', () => {
  it('later entries supersede truncated ones, across segments and restarts', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir, { segmentBytes: 2048 });
    await voted(storage);
    await storage.save({ entries: entries(1, 30, 1) });
    await storage.save({ truncateFrom: 21, entries: entries(21, 25, 2) });
    await storage.save({ truncateFrom: 24, entries: [] });
    await storage.save({ entries: entries(24, 26, 3) });
    storage.close();
    const first = reopen(dir, { segmentBytes: 2048 });
    expect(first.state.entries.map((e) => `${e.index}:${e.term}`)).toEqual([
      ...entries(1, 20, 1),
      ...entries(21, 23, 2),
      ...entries(24, 26, 3),
    ].map((e) => `${e.index}:${e.term}`));
    expect(first.state.entries[22].data).toEqual(payloadFor(23));
    await first.storage.save({ truncateFrom: 2, entries: [entry(2, 4)] });
    first.storage.close();
    expect(reopen(dir).state.entries.map((e) => `${e.index}:${e.term}`)).toEqual(['1:1', '2:4']);
  });

  it('rejects batches that would break the log, without writing or failing the storage', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir);
    await voted(storage);
    await storage.save({ entries: entries(1, 5, 2) });
    await expect(storage.save({ entries: [entry(7, 2)] })).rejects.toThrow(/expected index 6, got 7/);
    await expect(storage.save({ entries: [entry(6, 2), entry(8, 2)] })).rejects.toThrow(/not contiguous/);
    await expect(storage.save({ entries: [entry(6, 1)] })).rejects.toThrow(/lower than the term before/);
    await expect(storage.save({ entries: [], hardState: { term: -1, vote: 0, commit: 0 } })).rejects.toThrow(/non-negative/);
    await storage.save({ snapshot: snapshotAt(3, 2), entries: [] });
    await expect(storage.save({ truncateFrom: 3, entries: [] })).rejects.toThrow(/covered by the snapshot/);
    await expect(storage.save({ snapshot: snapshotAt(2, 2), entries: [] })).rejects.toThrow(/older than the durable snapshot/);
    await storage.save({ entries: [entry(6, 2)] });
    storage.close();
    expect(indexes(reopen(dir).state.entries)).toEqual([4, 5, 6]);
  });
});

describe('DiskStorage snapshots and compaction', () => {
  it('keeps the log after a matching snapshot and drops a conflicting log (§7)', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir);
    await voted(storage);
    await storage.save({ entries: entries(1, 10, 1) });
    // Local snapshot: the log holds index 6 with term 1, so 7..10 stay.
    await storage.save({ snapshot: snapshotAt(6, 1), entries: [] });
    storage.close();
    let r = reopen(dir);
    expect(r.state.snapshot).toEqual(snapshotAt(6, 1));
    expect(indexes(r.state.entries)).toEqual([7, 8, 9, 10]);
    expect(fs.readdirSync(join(dir, 'snapshot'))).toHaveLength(1);

    // A leader's snapshot whose term at 8 differs: the whole log goes, writing resumes at 9.
    await r.storage.save({ snapshot: snapshotAt(8, 2), entries: [entry(9, 2)], hardState: { term: 2, vote: 0, commit: 9 } });
    await expect(r.storage.save({ entries: [entry(11, 2)] })).rejects.toThrow(/expected index 10/);
    r.storage.close();
    r = reopen(dir);
    expect(r.state.snapshot?.meta).toEqual({ index: 8, term: 2, config: { voters: [1, 2, 3] } });
    expect(r.state.entries.map((e) => `${e.index}:${e.term}`)).toEqual(['9:2']);
    expect(fs.readdirSync(join(dir, 'snapshot'))).toEqual(['00000000000000000008-00000000000000000002.snap']);

    // A snapshot beyond the end of the log also empties it.
    await r.storage.save({ snapshot: snapshotAt(20, 3), entries: [] });
    r.storage.close();
    r = reopen(dir);
    expect(r.state.entries).toEqual([]);
    expect(r.storage.lastIndex).toBe(20);
    await r.storage.save({ entries: [entry(21, 3)] });
  });

  it('rolls segments and compaction deletes only segments the snapshot covers', async () => {
    const dir = tempDir();
    const segmentBytes = 4096;
    const { storage } = reopen(dir, { segmentBytes });
    await voted(storage);
    for (let i = 1; i <= 200; i += 5) await storage.save({ entries: entries(i, i + 4, 1, 100) });
    const segments = walFiles(dir);
    expect(segments.length).toBeGreaterThan(5);
    expect(storage.segmentFiles()).toEqual(segments);
    for (const f of segments) expect(fs.statSync(f).size).toBeLessThanOrEqual(segmentBytes);
    expect(segments.map((f) => f.slice(-24))).toEqual(segments.map((_, i) => `${String(i + 1).padStart(20, '0')}.log`));

    // Nothing to delete without a snapshot (compaction is clamped to the snapshot index).
    expect(storage.compact(150)).toBe(0);
    await storage.save({ snapshot: snapshotAt(150, 1), entries: [] });
    const deleted = storage.compact(150);
    expect(deleted).toBeGreaterThan(0);
    const left = walFiles(dir);
    expect(left.length).toBe(segments.length - deleted);
    // The oldest surviving segment still holds entry 151 or earlier.
    const probe = reopen(dir, { segmentBytes });
    expect(probe.state.snapshot?.meta.index).toBe(150);
    expect(indexes(probe.state.entries)).toEqual(Array.from({ length: 50 }, (_, i) => 151 + i));
    expect(probe.warnings).toEqual([]);
    probe.storage.close();
    storage.close();
  });

  it('a single batch larger than a segment gets a segment of its own', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir, { segmentBytes: 1024 });
    await voted(storage);
    await storage.save({ entries: entries(1, 2, 1, 10) });
    await storage.save({ entries: entries(3, 12, 1, 400) });
    await storage.save({ entries: entries(13, 13, 1, 10) });
    expect(walFiles(dir)).toHaveLength(3);
    storage.close();
    expect(indexes(reopen(dir).state.entries)).toHaveLength(13);
  });

  it('removes a stale segment left before a gap by an interrupted compaction', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir, { segmentBytes: 1024 });
    await voted(storage);
    for (let i = 1; i <= 40; i++) await storage.save({ entries: [entry(i, 1, 200)] });
    await storage.save({ snapshot: snapshotAt(30, 1), entries: [] });
    const before = walFiles(dir);
    const firstBytes = fs.readFileSync(before[0]);
    storage.compact(30);
    storage.close();
    // Resurrect the oldest segment as if its deletion never reached the disk, while a
    // later one's did.
    fs.writeFileSync(before[0], firstBytes);
    const r = reopen(dir, { segmentBytes: 1024 });
    expect(r.warnings.some((w) => w.includes(before[0]) && w.includes('gap'))).toBe(true);
    expect(fs.existsSync(before[0])).toBe(false);
    expect(indexes(r.state.entries)).toEqual(Array.from({ length: 10 }, (_, i) => 31 + i));
  });
});

describe('DiskStorage torn writes and corruption', () => {
  /** Writes 6 single-entry records and returns the dir and the records' offsets. */
  async function writeSix(): Promise<{ dir: string; file: string; offsets: number[]; size: number }> {
    const dir = tempDir();
    const { storage } = reopen(dir);
    for (let i = 1; i <= 6; i++) await storage.save({ entries: [entry(i, 1, 100)], hardState: { term: 1, vote: 1, commit: i } });
    storage.close();
    const file = walFiles(dir)[0];
    const bytes = fs.readFileSync(file);
    return { dir, file, offsets: scanRecords(bytes, file, false).records.map((r) => r.offset), size: bytes.length };
  }

  it('cuts a torn last record at any point, warns, keeps the rest and goes on writing', async () => {
    const { dir, offsets, size } = await writeSix();
    const last = offsets[5];
    for (const cut of [last + 1, last + 5, last + 12, last + 13, last + 14, last + 60, size - 1]) {
      const copy = tempDir();
      copyDir(dir, copy);
      const file = walFiles(copy)[0];
      fs.truncateSync(file, cut);
      const r = reopen(copy);
      expect(indexes(r.state.entries), `cut at ${cut}`).toEqual([1, 2, 3, 4, 5]);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toContain(file);
      expect(r.warnings[0]).toContain(`offset ${last}`);
      expect(fs.statSync(file).size).toBe(last);
      await r.storage.save({ entries: [entry(6, 2)] });
      r.storage.close();
      const again = reopen(copy);
      expect(again.warnings).toEqual([]);
      expect(again.state.entries.map((e) => `${e.index}:${e.term}`)).toEqual(['1:1', '2:1', '3:1', '4:1', '5:1', '6:2']);
      again.storage.close();
    }
  });

  it('treats a zero-filled tail and a bad checksum on the final record as torn', async () => {
    const { dir, file, offsets } = await writeSix();
    fs.appendFileSync(file, Buffer.alloc(100));
    let r = reopen(dir);
    expect(indexes(r.state.entries)).toHaveLength(6);
    expect(r.warnings[0]).toMatch(/zero-filled tail/);
    r.storage.close();
    flipByte(file, offsets[5] + 40);
    r = reopen(dir);
    expect(indexes(r.state.entries)).toEqual([1, 2, 3, 4, 5]);
    expect(r.warnings[0]).toMatch(/checksum mismatch/);
  });

  it('throws StorageCorruptionError naming file and offset for a damaged middle record', async () => {
    const { dir, offsets } = await writeSix();
    for (const [record, delta] of [[2, 40], [2, 0], [3, 10], [0, 20], [4, 13]] as const) {
      const copy = tempDir();
      copyDir(dir, copy);
      const file = walFiles(copy)[0];
      flipByte(file, offsets[record] + delta);
      const storage = openStorage(copy);
      let error: unknown;
      try {
        storage.recover();
      } catch (err) {
        error = err;
      }
      expect(error, `record ${record} byte +${delta}`).toBeInstanceOf(StorageCorruptionError);
      const e = error as StorageCorruptionError;
      expect(e.file).toBe(file);
      expect(e.offset).toBe(offsets[record]);
      expect(e.message).toContain(file);
      expect(e.message).toContain(`offset ${offsets[record]}`);
      // Nothing was repaired or deleted.
      expect(fs.statSync(file).size).toBe(fs.statSync(walFiles(dir)[0]).size);
    }
  });

  it('a torn record at the end of an earlier segment is corruption, not a torn tail', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir, { segmentBytes: 1024 });
    await voted(storage);
    for (let i = 1; i <= 12; i++) await storage.save({ entries: [entry(i, 1, 200)] });
    storage.close();
    const files = walFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    fs.truncateSync(files[0], fs.statSync(files[0]).size - 3);
    expect(() => openStorage(dir).recover()).toThrow(StorageCorruptionError);
    try {
      openStorage(dir).recover();
    } catch (err) {
      expect((err as StorageCorruptionError).file).toBe(files[0]);
      expect((err as Error).message).toMatch(/not in the last segment/);
    }
  });

  it('rejects non-contiguous indexes and missing entries with the location', async () => {
    const dir = tempDir();
    const made = openStorage(dir);
    made.recover();
    await voted(made);
    made.close();
    const first = encodeRecord(RecordType.Entries, encodeEntries(entries(1, 3, 1)));
    const second = encodeRecord(RecordType.Entries, encodeEntries(entries(5, 6, 1)));
    const file = join(dir, 'wal', '00000000000000000001.log');
    fs.writeFileSync(file, Buffer.concat([first, second]));
    expect(() => openStorage(dir).recover()).toThrow(new StorageCorruptionError(file, first.length, 'entries are not contiguous: expected index 4, got 5').message);

    // A log that starts at 2 in the first segment ever written: entry 1 is missing.
    fs.writeFileSync(file, Buffer.concat([encodeRecord(RecordType.Entries, encodeEntries(entries(2, 3, 1)))]));
    expect(() => openStorage(dir).recover()).toThrow(/expected index 1, got 2/);

    // Truncate records replay fine when well formed.
    fs.writeFileSync(file, Buffer.concat([first, encodeRecord(RecordType.Truncate, encodeTruncate(2)), encodeRecord(RecordType.Entries, encodeEntries(entries(2, 2, 2)))]));
    expect(openStorage(dir).recover().state.entries.map((e) => e.term)).toEqual([1, 2]);
  });

  it('falls back to the other hard-state copy when one is damaged, and fails when both are', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir);
    await storage.save({ entries: [], hardState: { term: 1, vote: 1, commit: 0 } });
    await storage.save({ entries: [], hardState: { term: 2, vote: 3, commit: 0 } });
    storage.close();
    const file = join(dir, 'hardstate');
    const copy = tempDir();
    copyDir(dir, copy);

    // The newer record went to the second slot (offset 4096): damage it.
    flipByte(join(copy, 'hardstate'), 4096 + 14);
    const r = reopen(copy);
    expect(r.state.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain(join(copy, 'hardstate'));
    r.storage.close();

    flipByte(file, 4096 + 14);
    flipByte(file, 3);
    expect(() => openStorage(dir).recover()).toThrow(StorageCorruptionError);
    expect(() => openStorage(dir).recover()).toThrow(file);
  });

  it('writes commit-only changes beside, never over, the last durable hard state', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir);
    const file = join(dir, 'hardstate');
    const slot = (i: number) => fs.readFileSync(file).subarray(i * 4096, i * 4096 + 40);
    await storage.save({ entries: [], hardState: { term: 1, vote: 1, commit: 0 } }); // fsynced, slot 0
    const durable = Buffer.from(slot(0));
    await storage.save({ entries: [], hardState: { term: 1, vote: 1, commit: 5 } }); // commit only: slot 1
    await storage.save({ entries: [], hardState: { term: 1, vote: 1, commit: 6 } }); // slot 1 again
    expect(slot(0).equals(durable)).toBe(true);
    await storage.save({ entries: [], hardState: { term: 2, vote: 0, commit: 6 } }); // fsynced, slot 1
    const durable2 = Buffer.from(slot(1));
    await storage.save({ entries: [], hardState: { term: 2, vote: 0, commit: 7 } }); // slot 0
    expect(slot(1).equals(durable2)).toBe(true);
    storage.close();
    expect(reopen(dir).state.hardState).toEqual({ term: 2, vote: 0, commit: 7 });
    // Losing the unsynced write (a machine crash) falls back to the durable record.
    const copy = tempDir();
    copyDir(dir, copy);
    const bytes = fs.readFileSync(join(copy, 'hardstate'));
    bytes.fill(0, 0, 40);
    fs.writeFileSync(join(copy, 'hardstate'), bytes);
    expect(reopen(copy).state.hardState).toEqual({ term: 2, vote: 0, commit: 6 });
  });

  it('reports a damaged snapshot file by name', async () => {
    const dir = tempDir();
    const { storage } = reopen(dir);
    await storage.save({ entries: entries(1, 5, 1) });
    await storage.save({ snapshot: snapshotAt(5, 1), entries: [] });
    storage.close();
    const file = join(dir, 'snapshot', fs.readdirSync(join(dir, 'snapshot'))[0]);
    flipByte(file, fs.statSync(file).size - 2);
    expect(() => openStorage(dir).recover()).toThrow(StorageCorruptionError);
    expect(() => openStorage(dir).recover()).toThrow(`${file} at byte offset 16: snapshot file damaged: body checksum mismatch`);
    fs.truncateSync(file, 10);
    expect(() => openStorage(dir).recover()).toThrow(/shorter than its header/);
  });

  it('removes a leftover temporary snapshot with a warning', async () => {
    const dir = tempDir();
    reopen(dir).storage.close();
    fs.writeFileSync(join(dir, 'snapshot', '00000000000000000009-00000000000000000001.snap.tmp'), 'partial');
    const r = reopen(dir);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/interrupted snapshot write/);
    expect(fs.readdirSync(join(dir, 'snapshot'))).toEqual([]);
  });
});

describe('DiskStorage fsync delay and lifecycle', () => {
  it('delays acknowledgements without blocking the event loop, in call order', async () => {
    const { storage } = reopen(tempDir());
    storage.setFsyncDelay(40);
    let timerFired = false;
    const timer = setTimeout(() => (timerFired = true), 5);
    const order: number[] = [];
    const start = performance.now();
    const first = storage.save({ entries: [entry(1, 1)] }).then(() => order.push(1));
    storage.setFsyncDelay(0);
    const second = storage.save({ entries: [entry(2, 1)] }).then(() => order.push(2));
    await Promise.all([first, second]);
    clearTimeout(timer);
    expect(performance.now() - start).toBeGreaterThanOrEqual(39);
    expect(timerFired).toBe(true);
    expect(order).toEqual([1, 2]);
    expect(storage.fsyncStats().maxMs).toBeGreaterThanOrEqual(39);
    expect(() => storage.setFsyncDelay(-1)).toThrow(RangeError);
  });

  it('locks the data directory against another live process', () => {
    const dir = tempDir();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    expect(() => DiskStorage.open(dir, { fsync: 'never' })).toThrow(/in use by process/);
    // A lock left by a process that no longer exists is taken over.
    fs.writeFileSync(join(dir, 'LOCK'), '999999999\n');
    const s = openStorage(dir, { fsync: 'never' });
    s.close();
    expect(fs.existsSync(join(dir, 'LOCK'))).toBe(false);
  });

  it('refuses to write before recover() and after close()', async () => {
    const s = openStorage(tempDir());
    await expect(s.save({ entries: [entry(1, 1)] })).rejects.toThrow(/recover\(\)/);
    s.recover();
    expect(() => s.recover()).toThrow(/already/);
    s.close();
    await expect(s.save({ entries: [entry(1, 1)] })).rejects.toThrow(/closed/);
    expect(() => DiskStorage.open(tempDir(), { fsync: 'sometimes' as 'always' })).toThrow(/fsync/);
  });
});
