/**
 * A lab that disappears (SIGKILL: no cleanup code runs) must not leave node processes
 * behind: each node watches its stdin pipe, which closes when the lab dies, and exits.
 * The lab here is a real separate process (fixtures/labProcess.ts, bundled with esbuild)
 * running the real Cluster class.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { bundleFixture } from './helpers/bundle';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { nodeScript, repoRoot } from './helpers/nodeBuild';
import { killSurvivors, pidAlive, waitForPidsGone } from './helpers/processes';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

describe('lab disappearance', () => {
  it('every node process exits within 2 s of its lab being SIGKILLed', async () => {
    const script = await bundleFixture(join(repoRoot(), 'test/integration/helpers/fixtures/labProcess.ts'));
    const dir = mkdtempSync(join(tmpdir(), 'raftlab-it-orphans-'));
    const lab = spawn(process.execPath, [script, '--node-script', await nodeScript(), '--dir', dir, '--nodes', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    lab.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const labExited = new Promise<void>((resolve) => lab.once('exit', () => resolve()));
    let pids: number[] = [];
    onCleanup(async () => {
      if (lab.exitCode === null && lab.signalCode === null) lab.kill('SIGKILL');
      await labExited;
      killSurvivors(pids);
      rmSync(dir, { recursive: true, force: true });
    });

    let line: string | null = null;
    createInterface({ input: lab.stdout }).on('line', (l) => (line ??= l));
    await waitFor(() => line !== null || lab.exitCode !== null, {
      timeoutMs: 30_000,
      what: 'the lab process to report its node pids',
      describe: () => stderr,
    });
    expect(line, `the lab exited early: ${stderr}`).not.toBeNull();
    pids = (JSON.parse(line!) as { pids: Array<number | null> }).pids.filter((p): p is number => p !== null);
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(pidAlive(pid)).toBe(true);

    lab.kill('SIGKILL');
    await labExited;
    await waitForPidsGone(pids, { timeoutMs: 2000, what: 'every node process to exit after the lab was SIGKILLed' });
  });
});
