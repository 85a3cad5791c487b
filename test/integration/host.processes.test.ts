/**
 * No node process outlives its lab, not even a paused one (src/lab/nodeLauncher.ts), nodes
 * are out of reach of a terminal's Ctrl+C, and what a lab without `setpriv` leaves behind is
 * reaped at the next start (src/lab/leftovers.ts). The lab is a real separate process
 * (host.labFixture.ts) running the real Cluster with real node processes.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hasSetprivPdeathsig } from '../../src/lab/nodeLauncher';
import { PID_DIR, reapLeftovers } from '../../src/lab/leftovers';
import { bundleFixture } from './helpers/bundle';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { nodeScript, repoRoot } from './helpers/nodeBuild';
import { killSurvivors, pidAlive, waitForPidsGone } from './helpers/processes';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

const linux = process.platform === 'linux';

interface Started {
  lab: ChildProcessByStdio<null, Readable, Readable>;
  pids: number[];
  runDir: string;
  dataDir: string;
  lines: Array<Record<string, unknown>>;
  labExited: Promise<void>;
}

async function startLab(extra: string[] = []): Promise<Started> {
  const script = await bundleFixture(join(repoRoot(), 'test/integration/host.labFixture.ts'));
  const dir = mkdtempSync(join(tmpdir(), 'raftlab-it-host-'));
  // Its own process group, as a shell runs a job: signals to the group model the terminal.
  const lab = spawn(process.execPath, [script, '--node-script', await nodeScript(), '--dir', dir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  lab.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const labExited = new Promise<void>((resolve) => lab.once('exit', () => resolve()));
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: lab.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  const started: Started = { lab, pids: [], runDir: '', dataDir: '', lines, labExited };
  onCleanup(async () => {
    if (lab.exitCode === null && lab.signalCode === null) lab.kill('SIGKILL');
    await labExited;
    for (const pid of started.pids) if (pidAlive(pid)) process.kill(pid, 'SIGCONT');
    killSurvivors(started.pids);
    rmSync(dir, { recursive: true, force: true });
    if (started.dataDir) rmSync(started.dataDir, { recursive: true, force: true });
  });
  await waitFor(() => lines.length > 0 || lab.exitCode !== null, { timeoutMs: 30_000, what: 'the lab to report its node pids', describe: () => stderr });
  expect(lines.length, `the lab exited early: ${stderr}`).toBeGreaterThan(0);
  const first = lines[0] as { pids: Array<number | null>; runDir: string; dataDir: string };
  started.pids = first.pids.filter((p): p is number => p !== null);
  started.runDir = first.runDir;
  started.dataDir = first.dataDir;
  expect(started.pids).toHaveLength(3);
  return started;
}

/** Process group of a live process (field 5 of /proc/PID/stat). */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe.runIf(linux)('nodes never outlive the lab', () => {
  it.runIf(hasSetprivPdeathsig())('SIGKILL of the lab with one node paused leaves no node process within 2 s', async () => {
    const { lab, pids, labExited } = await startLab();
    process.kill(pids[0], 'SIGSTOP');
    await waitFor(() => readFileSync(`/proc/${pids[0]}/stat`, 'utf8').includes(') T '), { timeoutMs: 2000, what: 'node 1 to be stopped' });
    lab.kill('SIGKILL');
    await labExited;
    await waitForPidsGone(pids, { timeoutMs: 2000, what: 'every node process, the paused one too, to be gone 2 s after the lab was SIGKILLed' });
  });

  it('puts nodes in their own process group, so Ctrl+C reaches the lab only, which stops them in order', async () => {
    const { lab, pids, lines, labExited } = await startLab();
    const labGroup = processGroup(lab.pid!);
    for (const pid of pids) expect(processGroup(pid), `node pid ${pid}`).not.toBe(labGroup);
    // What a terminal does on Ctrl+C: SIGINT to the foreground process group.
    process.kill(-labGroup, 'SIGINT');
    await labExited;
    const stopped = lines.find((l) => 'stopped' in l) as { stopped: Array<{ node: number; state: string }> } | undefined;
    expect(stopped, 'the lab printed the states of its stop').toBeDefined();
    expect(stopped!.stopped.filter((s) => s.node !== null).map((s) => s.state).sort()).toEqual(['stopped', 'stopped', 'stopped']);
    await waitForPidsGone(pids, { timeoutMs: 2000, what: 'the nodes the lab stopped to be gone' });
  });

  it('without setpriv, the next lab start reaps the paused node and the temporary folder a killed lab left', async () => {
    const { lab, pids, runDir, dataDir, labExited } = await startLab(['--no-setpriv']);
    expect(readdirSync(join(runDir, PID_DIR)).sort()).toEqual(['node-1.pid', 'node-2.pid', 'node-3.pid']);
    expect(existsSync(dataDir)).toBe(true);
    process.kill(pids[0], 'SIGSTOP');
    lab.kill('SIGKILL');
    await labExited;
    // The running nodes see stdin close and exit; the paused one cannot.
    await waitForPidsGone(pids.slice(1), { timeoutMs: 2000, what: 'the running nodes to exit after the lab died' });
    expect(pidAlive(pids[0])).toBe(true);

    const report = reapLeftovers(join(runDir, '..'));
    expect(report.problems).toEqual([]);
    expect(report.killed.map((k) => k.pid)).toEqual([pids[0]]);
    expect(report.removedDirs).toContain(dataDir);
    await waitForPidsGone([pids[0]], { timeoutMs: 2000, what: 'the reaped node to be gone' });
    expect(readdirSync(join(runDir, PID_DIR))).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
  });
});
