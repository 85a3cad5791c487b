/**
 * End to end in the desktop app: the same flow as lab.e2e.test.ts, driven in the real
 * Electron window (main process, preload bridge, IPC) through playwright's `_electron`.
 *
 * Runs only where the Electron binary is installed (`require('electron')` names an existing
 * file; this repository's CI skips Electron's download) and, on Linux, where there is a
 * display (run under `xvfb-run` otherwise). Otherwise it is skipped with the reason.
 * Exported files are read from the run directory the app shows: the desktop app writes
 * them to disk and has no download buttons. Screenshots: test-results/e2e/electron-*.png.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { findElectron, type Found } from './helpers/browsers';
import { REPO_ROOT, clearScreenshots, screenshotter } from './helpers/artefacts';
import { collectPageProblems } from './helpers/pageProblems';
import {
  isolateLeaderThenHeal,
  killLeaderAndAwaitNewLeader,
  restartNodeAndAwaitFollower,
  startClusterAndAwaitLeader,
  stopAndExport,
  type FlowContext,
} from './helpers/labFlow';

/** Same reasoning as in lab.e2e.test.ts: slower timings keep a busy machine from churning leaders. */
const E2E_TIMINGS = { electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 2000, heartbeatMs: 100 };

function electronUsable(): Found {
  const found = findElectron();
  if (!found.ok) return found;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset); run the tests under xvfb-run' };
  }
  return found;
}

const electron = electronUsable();
if (!electron.ok) console.warn(`[e2e] skipping the Electron tests: ${electron.reason}`);

describe.skipIf(!electron.ok)('raftlab desktop app (Electron)', () => {
  let app: ElectronApplication | undefined;
  let page: Page;
  let ctx: FlowContext;
  let problems: string[] = [];
  /** Electron's userData (and with it the recorded runs) goes here, not into the user's profile. */
  let userDataDir = '';
  const startedAt = performance.now();
  const done = { started: false, killed: false, healed: false };

  beforeAll(async () => {
    if (!electron.ok) throw new Error(electron.reason);
    clearScreenshots('electron');
    userDataDir = mkdtempSync(join(tmpdir(), 'raftlab-e2e-electron-'));
    app = await _electron.launch({
      executablePath: electron.path,
      // The repository root: Electron runs package.json's "main" (out/main/index.js).
      args: [REPO_ROOT, `--user-data-dir=${userDataDir}`, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      // XDG_CONFIG_HOME: where Electron puts userData on Linux when the switch is not honoured.
      env: { ...process.env, XDG_CONFIG_HOME: userDataDir } as Record<string, string>,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    problems = collectPageProblems(page);
    const shoot = screenshotter(page, 'electron');
    ctx = {
      page,
      shot: shoot,
      readExported: (runDir, name) => readFile(join(runDir, name), 'utf8'),
      log: (m) => console.log(`[e2e electron +${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${m}`),
    };
    await page.getByRole('button', { name: 'Start cluster' }).waitFor({ timeout: 60_000 });
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && ctx) {
      const path = await ctx.shot(`failed-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
      console.log(`[e2e electron] page at the failure: ${path}`);
    }
  });

  afterAll(async () => {
    // Closing the app stops its lab, which stops the cluster's node processes.
    await app?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('starts a 5-node cluster and shows exactly one leader', async () => {
    expect(await page.getByLabel('Nodes', { exact: true }).inputValue()).toBe('5');
    await startClusterAndAwaitLeader(ctx, E2E_TIMINGS);
    await ctx.shot('01-leader');
    done.started = true;
  });

  it('elects a new leader with a higher term when the leader is killed', async () => {
    if (!done.started) throw new Error('an earlier step failed');
    const result = await killLeaderAndAwaitNewLeader(ctx);
    expect(result.newLeader.term).toBeGreaterThan(result.killed.term ?? 0);
    await ctx.shot('02-after-kill');
    await restartNodeAndAwaitFollower(ctx, result.killed.id);
    done.killed = true;
  });

  it('isolating the leader and healing the network', async () => {
    if (!done.killed) throw new Error('an earlier step failed');
    const p = await isolateLeaderThenHeal(ctx);
    expect(p.oldLeaderCaughtUp.commit).toBeGreaterThanOrEqual(p.commitAtHeal);
    await ctx.shot('04-healed');
    done.healed = true;
  });

  it('stops and exports a run without violations', async () => {
    if (!done.healed) throw new Error('an earlier step failed');
    const run = await stopAndExport(ctx);
    ctx.log(`run directory ${run.runDir} (${run.runDir.startsWith(userDataDir) ? 'inside' : 'OUTSIDE'} the test's userData ${userDataDir})`);
    expect(run.summary.violations).toEqual([]);
    expect(run.metrics.rows).toBeGreaterThan(0);
  });

  it('raised no errors in the window', () => {
    expect(problems).toEqual([]);
  });
});
