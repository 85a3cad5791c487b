import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRunFiles } from '../../../main/runExport';

describe('copyRunFiles (File > Export Run)', () => {
  let dir: string;
  let runDir: string;
  let dest: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftlab-export-'));
    runDir = join(dir, 'runs', 'run-42');
    dest = join(dir, 'dest');
    await mkdir(runDir, { recursive: true });
    await mkdir(dest);
    await writeFile(join(runDir, 'events.jsonl'), '{"t":0}\n');
    await writeFile(join(runDir, 'summary.json'), '{}');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('copies the files into a new folder named after the run, never over an existing one', async () => {
    const first = await copyRunFiles(runDir, ['events.jsonl', 'summary.json'], dest);
    expect(first.folder).toBe(join(dest, 'run-42'));
    expect(await readFile(join(first.folder, 'events.jsonl'), 'utf8')).toBe('{"t":0}\n');
    const second = await copyRunFiles(runDir, ['events.jsonl'], dest);
    expect(second.folder).toBe(join(dest, 'run-42-2'));
    expect((await readdir(dest)).sort()).toEqual(['run-42', 'run-42-2']);
  });

  it('refuses names that are not plain file names', async () => {
    for (const name of ['../secret', 'a/b', '..', '', 'a\\b']) {
      await expect(copyRunFiles(runDir, [name], dest), name).rejects.toThrow(/not a plain file name/);
    }
    expect(await readdir(dest)).toEqual([]);
  });
});
