/**
 * The data directory as a boundary against other local users (docs/security.md#paths-and-files):
 * private modes, no writes through planted links, an atomic lock, a cluster identity, and no
 * silent restart from a lost hard state (Figure 2: currentTerm and votedFor are persistent).
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskStorage, StorageCorruptionError } from '../../../src/node/storage';
import { entries, makeTempDir } from './fixtures/storageTestUtil';

const dirs: string[] = [];
const opened: DiskStorage[] = [];

function tempDir(): string {
  const d = makeTempDir('raftlab-bounds-');
  dirs.push(d);
  return d;
}

function open(dir: string, clusterId?: string): DiskStorage {
  const s = DiskStorage.open(dir, { fsync: 'never', clusterId });
  opened.push(s);
  return s;
}

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const mode = (path: string) => fs.statSync(path).mode & 0o777;
const isRoot = process.getuid?.() === 0;
const posix = process.platform !== 'win32';

describe.runIf(posix)('data directory permissions', () => {
  it('creates the directory 0700 and every state file 0600', async () => {
    const dir = join(tempDir(), 'fresh', 'node-1');
    const s = open(dir, 'cluster-a');
    s.recover();
    await s.save({ entries: entries(1, 3, 1), hardState: { term: 1, vote: 1, commit: 0 } });
    await s.save({ snapshot: { meta: { index: 2, term: 1, config: { voters: [1] } }, data: new Uint8Array([1]) }, entries: [] });
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, '..'))).toBe(0o700);
    for (const f of ['LOCK', 'CLUSTER', 'hardstate', ...s.segmentFiles()]) expect(mode(f.startsWith('/') ? f : join(dir, f)), f).toBe(0o600);
    const snap = fs.readdirSync(join(dir, 'snapshot'));
    expect(snap).toHaveLength(1);
    expect(mode(join(dir, 'snapshot', snap[0]))).toBe(0o600);
    expect(mode(join(dir, 'wal'))).toBe(0o700);
  });

  it('refuses an existing directory other users can read, and says how to fix it', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    expect(() => open(dir)).toThrow(/other users have access to it \(mode 755\); run `chmod 700/);
    expect(fs.existsSync(join(dir, 'LOCK'))).toBe(false);
  });

  it.runIf(isRoot)('refuses a directory that belongs to another user', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o700);
    fs.chownSync(dir, 65534, 65534);
    expect(() => open(dir)).toThrow(/belongs to uid 65534, not to you/);
  });
});

describe.runIf(posix)('planted symbolic links', () => {
  it('never writes the LOCK through a link (it stays pointing at an untouched file)', () => {
    const dir = tempDir();
    const victim = join(tempDir(), 'victim.txt');
    fs.writeFileSync(victim, 'precious\n');
    fs.symlinkSync(victim, join(dir, 'LOCK'));
    expect(() => open(dir)).toThrow(/symbolic link/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('refuses a hard state file that is a link', () => {
    const dir = tempDir();
    const victim = join(tempDir(), 'victim.bin');
    fs.writeFileSync(victim, Buffer.alloc(8192));
    fs.symlinkSync(victim, join(dir, 'hardstate'));
    const s = open(dir);
    expect(() => s.recover()).toThrow(/symbolic link/);
    expect(fs.readFileSync(victim).every((b) => b === 0)).toBe(true);
  });

  it('takes a lock atomically: a lock of a live process is never overwritten', () => {
    const dir = tempDir();
    fs.writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    expect(() => open(dir)).toThrow(/in use by process/);
    expect(fs.readFileSync(join(dir, 'LOCK'), 'utf8')).toBe(`${process.ppid}\n`);
  });
});

describe('cluster identity', () => {
  it('claims a new directory and refuses it to another cluster', async () => {
    const dir = tempDir();
    const s = open(dir, 'run-A');
    s.recover();
    await s.save({ entries: entries(1, 2, 1), hardState: { term: 1, vote: 1, commit: 0 } });
    s.close();
    expect(() => open(dir, 'run-B')).toThrow(/belongs to cluster "run-A", not to "run-B": a node never resumes another cluster's log/);
    // The owner may come back.
    expect(open(dir, 'run-A').recover().state.entries).toHaveLength(2);
  });

  it('refuses to adopt a directory that holds a log but names no cluster', async () => {
    const dir = tempDir();
    const s = open(dir);
    s.recover();
    await s.save({ entries: entries(1, 2, 1), hardState: { term: 1, vote: 1, commit: 0 } });
    s.close();
    expect(() => open(dir, 'run-A')).toThrow(/holds a hard state but no CLUSTER file/);
  });
});

describe('a lost hard state refuses to start (§5.2: one vote per term)', () => {
  it('a zero-filled hard state file is refused even with an empty log, naming file and offset', () => {
    const dir = tempDir();
    open(dir).recover();
    opened.pop()!.close();
    fs.writeFileSync(join(dir, 'hardstate'), Buffer.alloc(8192));
    const s = open(dir);
    expect(() => s.recover()).toThrow(StorageCorruptionError);
    try {
      open(dir).recover();
    } catch (err) {
      expect((err as StorageCorruptionError).file).toBe(join(dir, 'hardstate'));
      expect((err as StorageCorruptionError).offset).toBe(0);
      expect((err as Error).message).toMatch(/zero-filled/);
    }
  });

  it('an empty hard state beside a log is refused', async () => {
    const dir = tempDir();
    const s = open(dir);
    s.recover();
    await s.save({ entries: entries(1, 3, 2), hardState: { term: 2, vote: 3, commit: 0 } });
    s.close();
    fs.truncateSync(join(dir, 'hardstate'), 0);
    expect(() => open(dir).recover()).toThrow(/hardstate at byte offset 0: no hard state record, but the log holds entries up to index 3/);
  });

  it('a brand-new directory still starts at term 0, also after a first start that wrote nothing', () => {
    const dir = tempDir();
    expect(open(dir).recover().state.hardState).toEqual({ term: 0, vote: 0, commit: 0 });
    opened.pop()!.close();
    expect(fs.statSync(join(dir, 'hardstate')).size).toBe(0);
    expect(open(dir).recover().state.hardState).toEqual({ term: 0, vote: 0, commit: 0 });
  });
});
