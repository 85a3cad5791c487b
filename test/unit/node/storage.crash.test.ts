/**
 * A node process SIGKILLed in the middle of writing loses at most what it had not yet
 * acknowledged: every index printed after save() resolved is recovered, byte for byte.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { nodeBundle } from '../../../scripts/esbuildConfig.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskStorage } from '../../../src/node/storage';
import { makeTempDir, payloadFor } from './fixtures/storageTestUtil';

let bundleDir: string;
let bundle: string;
const dataDirs: string[] = [];

beforeAll(async () => {
  // Inside node_modules so the bundle's external imports (msgpackr) resolve from the repo.
  const cacheDir = resolve('node_modules/.cache/storage-crash-test');
  fs.mkdirSync(cacheDir, { recursive: true });
  bundleDir = fs.mkdtempSync(join(cacheDir, 'run-'));
  bundle = join(bundleDir, 'appender.mjs');
  await build(nodeBundle({ entryPoints: [resolve('test/unit/node/fixtures/storageAppender.ts')], outfile: bundle }));
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
