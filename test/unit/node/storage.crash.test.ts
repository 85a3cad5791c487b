/**
 * A node process SIGKILLed in the middle of writing loses at most what it had not yet
 * acknowledged: every index printed after save() resolved is recovered, byte for byte.
 * And whatever a SIGKILL between the writes of one save leaves on disk, the node restarts
 * from it (issue 9, correctness bug 1).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { nodeBundle } from '../../../scripts/esbuildConfig.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskStorage } from '../../../src/node/storage';
import { RaftNode } from '../../../src/raft';
import { makeTempDir, payloadFor } from './fixtures/storageTestUtil';
import { SPLIT_SAVE_CONFIG } from './fixtures/splitSaveConfig';

let bundleDir: string;
let bundle: string;
let splitSaveBundle: string;
const dataDirs: string[] = [];

beforeAll(async () => {
  // Inside node_modules so the bundle's external imports (msgpackr) resolve from the repo.
  const cacheDir = resolve('node_modules/.cache/storage-crash-test');
  fs.mkdirSync(cacheDir, { recursive: true });
  bundleDir = fs.mkdtempSync(join(cacheDir, 'run-'));
  bundle = join(bundleDir, 'storageAppender.mjs');
  splitSaveBundle = join(bundleDir, 'storageSplitSave.mjs');
  await build(
    nodeBundle({
      entryPoints: [resolve('test/unit/node/fixtures/storageAppender.ts'), resolve('test/unit/node/fixtures/storageSplitSave.ts')],
      outdir: bundleDir,
      outExtension: { '.js': '.mjs' },
    }),
  );
});

afterAll(() => {
  fs.rmSync(bundleDir, { recursive: true, force: true });
  if (fs.readdirSync(join(bundleDir, '..')).length === 0) fs.rmdirSync(join(bundleDir, '..'));
  for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs the appender until it has acknowledged `minAcks` more batches, SIGKILLs it, returns the last ack. */
function runAndKill(dir: string, fsync: 'always' | 'never', term: number, minAcks: number): Promise<{ recovered: number; lastAck: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bundle, dir, fsync, String(term)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    let acks = 0;
    let lastAck = -1;
    let recovered = -1;
    let killed = false;
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`appender made ${acks} acks before the deadline; stderr: ${stderr}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const [kind, value] = line.split(' ');
        // Lines read after the kill was sent still describe saves that had returned.
        if (kind === 'recovered') recovered = Number(value);
        if (kind === 'ack') {
          lastAck = Number(value);
          acks++;
        }
        if (acks >= minAcks && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') reject(new Error(`appender exited with ${code} ${signal}; stderr: ${stderr}`));
      else resolvePromise({ recovered, lastAck });
    });
  });
}

function checkRecovered(dir: string, atLeast: number): { last: number; warnings: string[] } {
  const storage = DiskStorage.open(dir, { fsync: 'always' });
  try {
    const { state, warnings } = storage.recover();
    const es = state.entries;
    expect(es.length).toBeGreaterThanOrEqual(atLeast);
    es.forEach((e, i) => {
      expect(e.index).toBe(i + 1);
      // Every byte is what the child wrote for that index (two payload sizes are used).
      const ok = [100, 4000].some((size) => Buffer.from(e.data).equals(Buffer.from(payloadFor(e.index, size))));
      if (!ok) throw new Error(`entry ${e.index} has unexpected data`);
    });
    return { last: es.length, warnings };
  } finally {
    storage.close();
  }
}

describe('DiskStorage under SIGKILL', () => {
  for (const fsync of ['always', 'never'] as const) {
    it(`keeps every acknowledged entry (fsync ${fsync})`, async () => {
      const dir = makeTempDir('raftlab-crash-');
      dataDirs.push(dir);
      let expectedAtLeast = 0;
      for (let round = 1; round <= 4; round++) {
        const { recovered, lastAck } = await runAndKill(dir, fsync, round, 150 + round * 37);
        expect(recovered).toBeGreaterThanOrEqual(expectedAtLeast);
        expect(lastAck).toBeGreaterThan(recovered);
        const { last } = checkRecovered(dir, lastAck);
        expectedAtLeast = lastAck;
        expect(last).toBeGreaterThanOrEqual(lastAck);
      }
    });
  }
});

/** Node 3 of the split-save child (test/unit/node/fixtures/storageSplitSave.ts): the same config object. */
const splitSaveConfig = SPLIT_SAVE_CONFIG;

function runSplitSave(dir: string, fsync: 'always' | 'never'): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [splitSaveBundle, dir, fsync], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`split-save child still running after 20 s; stdout: ${stdout} stderr: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(deadline);
      resolvePromise({ signal, stdout, stderr });
    });
  });
}

describe('DiskStorage: SIGKILL between the log write and the hard-state write of one save', () => {
  for (const fsync of ['always', 'never'] as const) {
    it(`leaves a state the node restarts from, in the new term, unable to vote again in it (§5.1, §5.2; fsync ${fsync})`, async () => {
      const dir = makeTempDir('raftlab-split-save-');
      dataDirs.push(dir);
      const { signal, stdout, stderr } = await runSplitSave(dir, fsync);
      expect(signal, `stdout: ${stdout} stderr: ${stderr}`).toBe('SIGKILL');
      expect(stdout).toContain('killing between the log write and the hard-state write');

      // What the crash left: the entry of term 2 is durable, the hard state still says term 1.
      let storage = DiskStorage.open(dir, { fsync: 'always' });
      const { state } = storage.recover();
      expect(state.hardState).toEqual({ term: 1, vote: 0, commit: 0 });
      expect(state.entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/2']);

      // It used to throw "persisted term 1 is lower than the last log term 2" at every start.
      const node = new RaftNode(splitSaveConfig, state);
      const status = node.status();
      expect(status).toMatchObject({ role: 'follower', term: 2, vote: 3, lastIndex: 2, lastTerm: 2 });
      // The saved commit index is kept: it was written with (after) the entries it covers.
      expect(status.commit).toBe(0);

      // A candidate of term 2 with an up-to-date log is refused: one vote per term (§5.2).
      const refused = node.step({
        type: 'message',
        message: { type: 'vote', from: 1, to: 3, term: 2, lastLogIndex: 2, lastLogTerm: 2, preVote: false, transfer: false },
      });
      expect(refused.messages).toEqual([expect.objectContaining({ type: 'voteResp', to: 1, term: 2, granted: false })]);
      // The adopted term and vote go out in the first step's hard state; once saved, the disk agrees.
      expect(refused.hardState).toEqual({ term: 2, vote: 3, commit: 0 });
      await storage.save({ entries: [], hardState: refused.hardState });
      storage.close();
      storage = DiskStorage.open(dir, { fsync: 'always' });
      expect(storage.recover().state.hardState).toEqual({ term: 2, vote: 3, commit: 0 });
      storage.close();

      // A candidate of the next term gets the vote as usual.
      const granted = new RaftNode(splitSaveConfig, state).step({
        type: 'message',
        message: { type: 'vote', from: 1, to: 3, term: 3, lastLogIndex: 2, lastLogTerm: 2, preVote: false, transfer: false },
      });
      expect(granted.messages).toEqual([expect.objectContaining({ type: 'voteResp', to: 1, term: 3, granted: true })]);
    });
  }
});
