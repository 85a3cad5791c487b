/**
 * Run paths named by a request (the renderer, in Electron or browser mode) reach only what
 * docs/security.md#paths-and-files promises: exports and file reads inside the real path of
 * the runs folder, open read-only. Driven through dispatchLabRequest, the path every
 * renderer request takes, against the real Lab.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab } from '../../../../src/lab/lab';
import { dispatchLabRequest } from '../../../../src/lab/api/dispatch';
import { syntheticRun } from '../runGen';

let root: string;
let runsDir: string;
let outside: string;
let lab: Lab;

function writeRun(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const { events, history } = syntheticRun();
  fs.writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  fs.writeFileSync(join(dir, 'history.jsonl'), history.map((o) => JSON.stringify(o)).join('\n') + '\n');
}

function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

const call = (channel: string, request: unknown) => dispatchLabRequest(lab, channel, request);

beforeEach(() => {
  root = fs.mkdtempSync(join(tmpdir(), 'raftlab-paths-'));
  runsDir = join(root, 'runs');
  outside = join(root, 'x');
  writeRun(join(runsDir, 'run-a'));
  writeRun(outside);
  lab = Lab.create({ runsDir, nodeScript: join(root, 'no-node-needed.mjs') });
});

afterEach(async () => {
  await lab.shutdown();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('run:export writes only inside the runs folder', () => {
  it('refuses ../x, an absolute path outside, and a link that leads out, writing nothing there', async () => {
    fs.symlinkSync(outside, join(runsDir, 'sneaky'));
    const before = listing(outside);
    for (const runDir of ['../x', outside, 'sneaky', join(runsDir, 'sneaky')]) {
      const result = await call('run:export', { runDir });
      expect(result.ok, runDir).toBe(false);
      if (!result.ok) expect(result.error, runDir).toMatch(/outside the runs folder/);
    }
    expect(listing(outside)).toEqual(before);
  });

  it('still exports a run recorded in the runs folder', async () => {
    const result = await call('run:export', { runDir: 'run-a' });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(listing(join(runsDir, 'run-a'))).toEqual(expect.arrayContaining(['summary.json', 'report.html', 'trace.json', 'history.edn', 'metrics.csv']));
  });
});

describe('run:file reads only plain run files inside the runs folder', () => {
  it('refuses a run outside, and a run file that is a link to elsewhere', async () => {
    const outsideRead = await call('run:file', { runDir: '../x', name: 'events.jsonl' });
    expect(outsideRead.ok).toBe(false);
    const secret = join(root, 'secret.txt');
    fs.writeFileSync(secret, 'not for the renderer');
    fs.symlinkSync(secret, join(runsDir, 'run-a', 'report.html'));
    const linked = await call('run:file', { runDir: 'run-a', name: 'report.html' });
    expect(linked).toEqual({ ok: false, error: expect.stringMatching(/symbolic link/) });
    const plain = await call('run:file', { runDir: 'run-a', name: 'events.jsonl' });
    expect(plain.ok).toBe(true);
  });
});

describe('run:open is read-only', () => {
  it('opens a shared run from anywhere without writing into it, and that run cannot be exported', async () => {
    const before = listing(outside);
    const opened = await call('run:open', { path: outside });
    expect(opened.ok, JSON.stringify(opened).slice(0, 200)).toBe(true);
    expect(listing(outside)).toEqual(before);
    const exported = await call('run:export', { runDir: outside });
    expect(exported.ok).toBe(false);
    expect(listing(outside)).toEqual(before);
  });

  it('refuses an events.jsonl that is a link (it could point at any file)', async () => {
    const dir = join(root, 'linked-run');
    fs.mkdirSync(dir);
    fs.symlinkSync(join(outside, 'events.jsonl'), join(dir, 'events.jsonl'));
    const opened = await call('run:open', { path: dir });
    expect(opened).toEqual({ ok: false, error: expect.stringMatching(/not a plain file/) });
  });
});
