/**
 * The one command that prepares a remote host (src/lab/hosts/remoteHost.ts PREPARE_PROBE),
 * run here by /bin/sh with a temporary $HOME: what it prints, the run folder it makes
 * (0700), and the exit code that names the failed step.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PREPARE_PROBE } from '../../../../src/lab/hosts/remoteHost';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function probe(env: Record<string, string>, version = '0123456789abcdef', clusterId = 'run-1') {
  const r = spawnSync('/bin/sh', ['-c', PREPARE_PROBE, 'sh', version, clusterId], { env, encoding: 'utf8' });
  return { code: r.status, lines: r.stdout.split('\n').filter((l) => l !== ''), stderr: r.stderr };
}

function tempHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'raftlab-probe-'));
  homes.push(h);
  return h;
}

describe('PREPARE_PROBE', () => {
  it('prints Node version, home and "missing", and makes the run folder 0700', () => {
    const home = tempHome();
    const r = probe({ HOME: home, PATH: process.env.PATH ?? '' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toEqual([process.version, home, 'missing']);
    expect(statSync(join(home, '.cache/raftlab/runs/run-1')).mode & 0o777).toBe(0o700);
  });

  it('says "cached" once the version folder is complete', () => {
    const home = tempHome();
    mkdirSync(join(home, '.cache/raftlab/node-0123456789abcdef'), { recursive: true });
    writeFileSync(join(home, '.cache/raftlab/node-0123456789abcdef/.complete'), '');
    expect(probe({ HOME: home, PATH: process.env.PATH ?? '' }).lines[2]).toBe('cached');
    // A half-unpacked copy (no .complete) is not a cache.
    expect(probe({ HOME: home, PATH: process.env.PATH ?? '' }, 'fedcba9876543210').lines[2]).toBe('missing');
  });

  it('exits 3 without node on the PATH and 4 with a relative $HOME, saying why', () => {
    const noNode = probe({ HOME: tempHome(), PATH: '/nonexistent' });
    expect(noNode.code).toBe(3);
    expect(noNode.stderr).toMatch(/no node on the PATH/);
    const relative = probe({ HOME: 'here', PATH: process.env.PATH ?? '' });
    expect(relative.code).toBe(4);
    expect(relative.stderr).toContain('$HOME is "here"');
  });

  it('exits 5 when the run folder cannot be made', () => {
    const home = tempHome();
    writeFileSync(join(home, '.cache'), 'a file where a folder should be');
    expect(probe({ HOME: home, PATH: process.env.PATH ?? '' }).code).toBe(5);
  });

  it('removes the run folders no node wrapper names, and keeps its own and those in use', async () => {
    const home = tempHome();
    const runs = join(home, '.cache/raftlab/runs');
    for (const r of ['dead-lab', 'live-lab', 'run-1']) mkdirSync(join(runs, r, 'node-1'), { recursive: true });
    // A node wrapper's argv names its fifo in its run folder (remoteHost.ts NODE_WRAPPER).
    const wrapper = spawn('/bin/sh', ['-c', 'sleep 30', 'sh', join(runs, 'live-lab', 'node-1.stdin')], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => wrapper.once('spawn', resolve));
      const r = probe({ HOME: home, PATH: process.env.PATH ?? '' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.trim()).toBe('reaped dead-lab');
      expect(existsSync(join(runs, 'dead-lab'))).toBe(false);
      expect(existsSync(join(runs, 'live-lab'))).toBe(true);
      expect(existsSync(join(runs, 'run-1'))).toBe(true);
    } finally {
      wrapper.kill('SIGKILL');
    }
  });
});
