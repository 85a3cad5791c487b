/**
 * End to end, in browser mode: the lab server (src/lab/server) serving the built renderer
 * to headless Chromium, real node processes behind it. One page and one cluster go through
 * the lab's main flow, one step per test; a step that fails leaves the later ones failing
 * with "an earlier step failed" rather than with confusing errors of their own.
 *
 * Needs a Chromium (see helpers/browsers.ts). Without one the suite is skipped, except when
 * CI is set: there a missing browser is a broken setup, and the suite fails saying so.
 * Screenshots of every step go to test-results/e2e/browser-*.png, the recorded run to
 * test-results/e2e/runs-browser/. RAFTLAB_DOCS_SCREENSHOT=1 also refreshes docs/screenshot.png.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT, clearScreenshots, screenshotter } from './helpers/artefacts';
import { openLabSession, suiteBrowser, type LabSession } from './helpers/labSession';
import {
  isolateLeaderThenHeal,
  killLeaderAndAwaitNewLeader,
  restartNodeAndAwaitFollower,
  startClusterAndAwaitLeader,
  stopAndExport,
  type AfterKill,
  type FlowContext,
} from './helpers/labFlow';
import type { CardView } from './helpers/labPage';

/**
 * Slower Raft timings than the defaults (150-300 ms, heartbeat 50 ms). The machines that run
 * these tests are small and busy (two cores shared with builds and other test processes);
 * node event loops stalled for up to ~600 ms there, and with the default timeouts CheckQuorum
 * then stepped leaders down every few seconds, so "the leader" the test had just read was
 * often gone before its Kill button was clicked. Every other option keeps its default.
 */
const E2E_TIMINGS = { electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 2000, heartbeatMs: 100 };

const browser = suiteBrowser('the browser-mode tests');

describe.skipIf(browser.skip)('raftlab in browser mode (headless Chromium)', () => {
  let session: LabSession | undefined;
  let page: Page;
  let ctx: FlowContext;
  let problems: string[] = [];

  const startedAt = performance.now();

  beforeAll(async () => {
    clearScreenshots('browser');
    session = await openLabSession(browser, { runs: 'runs-browser', viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    ({ page, problems } = session);
    const shoot = screenshotter(page, 'browser');
    ctx = {
      page,
      shot: async (name) => {
        const t = performance.now();
        const path = await shoot(name);
        ctx.log(`screenshot ${name} (${Math.round(performance.now() - t)} ms)`);
        return path;
      },
      readExported: (runDir, name) => downloadThroughUi(page, runDir, name),
      log: (m) => console.log(`[e2e browser +${((performance.now() - startedAt) / 1000).toFixed(1)} s] ${m}`),
    };
  });

  afterEach(async ({ task }) => {
    // A picture of the page at the moment a step failed, next to the step screenshots.
    if (task.result?.state === 'fail' && ctx) {
      const path = await ctx.shot(`failed-${task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`);
      console.log(`[e2e browser] page at the failure: ${path}`);
    }
  });

  // The lab's shutdown in close() is what stops the node processes: it runs even if the browser's close failed.
  afterAll(() => session?.close());

  let firstLeader: CardView | undefined;
  let afterKill: AfterKill | undefined;
  let healed = false;

  it('starts a 5-node cluster and shows exactly one leader', async () => {
    expect(await page.getByLabel('Nodes', { exact: true }).inputValue(), 'the form defaults to 5 nodes').toBe('5');
    firstLeader = await startClusterAndAwaitLeader(ctx, E2E_TIMINGS);
    await ctx.shot('01-leader');
  });

  it('elects a new leader with a higher term when the leader is killed, and charts the election', async () => {
    if (!firstLeader) throw new Error('an earlier step failed');
    const result = await killLeaderAndAwaitNewLeader(ctx);
    expect(result.newLeader.id).not.toBe(result.killed.id);
    expect(result.newLeader.term).toBeGreaterThan(result.killed.term ?? 0);
    expect(result.electionsAfter.count).toBeGreaterThan(result.electionsBefore.count ?? 0);
    expect(result.electionsAfter.recent.length).toBeGreaterThan(0);
    await ctx.shot('02-after-kill');
    await restartNodeAndAwaitFollower(ctx, result.killed.id);
    afterKill = result;
  });

  it('isolating the leader: the majority elects another, the old one stops committing, then catches up after the heal', async () => {
    if (!afterKill) throw new Error('an earlier step failed');
    const p = await isolateLeaderThenHeal(ctx);
    expect(p.newLeader.id).not.toBe(p.oldLeader.id);
    expect(p.newLeader.term).toBeGreaterThan(p.oldLeader.term ?? 0);
    expect(p.majorityCommitDuringStall.to).toBeGreaterThan(p.majorityCommitDuringStall.from);
    expect(p.oldLeaderCaughtUp.commit).toBeGreaterThanOrEqual(p.commitAtHeal);
    const healedShot = await ctx.shot('04-healed');
    if (process.env.RAFTLAB_DOCS_SCREENSHOT === '1') copyFileSync(healedShot, join(REPO_ROOT, 'docs', 'screenshot.png'));
    // The same moment in the dark scheme: both themes get looked at.
    await page.emulateMedia({ colorScheme: 'dark' });
    await ctx.shot('04-healed-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    healed = true;
  });

  it('stops, exports, and every exported file parses; the run has no violations', async () => {
    if (!healed) throw new Error('an earlier step failed');
    const run = await stopAndExport(ctx);
    expect(run.summary.violations).toEqual([]);
    expect(run.summary.nodes).toBe(5);
    // Two forced leader changes at least: the kill and the isolation.
    expect(run.summary.electionMs.count).toBeGreaterThanOrEqual(2);
    expect(run.summary.ops.ok).toBeGreaterThan(0);
    expect(run.summary.linearizable, run.summary.linearizability).not.toBe(false);
    const types = new Set(run.events.map((e) => e.type));
    for (const t of ['run', 'role', 'process', 'fault']) expect(types, `events.jsonl has ${t} events`).toContain(t);
    expect(run.events.some((e) => e.type === 'process' && e.state === 'killed')).toBe(true);
    expect(run.events.some((e) => e.type === 'fault' && e.action === 'heal')).toBe(true);
    expect(run.traceEvents).toBeGreaterThan(0);
    expect(run.metrics.rows).toBeGreaterThan(0);
    expect(run.historyEdnLines).toBeGreaterThan(0);
    console.log(
      `[e2e browser] summary: ${run.events.length} events, ${run.summary.leaderChanges} leader changes, elections ${JSON.stringify(run.summary.electionMs.samples)}, ops ${JSON.stringify(run.summary.ops)}, linearizable ${String(run.summary.linearizable)}`,
    );
  });

  it('raised no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});

/**
 * Gets an exported file the way a browser-mode user does: the "Download <file>" button,
 * whose blob download Chromium saves; the text must equal the file in the run directory.
 */
async function downloadThroughUi(page: Page, runDir: string, name: string): Promise<string> {
  const region = page.getByRole('region', { name: 'Exported files' });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    region.getByRole('button', { name: `Download ${name}` }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(name);
  const failure = await download.failure();
  if (failure) throw new Error(`downloading ${name} failed: ${failure}`);
  const text = await readFile(await download.path(), 'utf8');
  const onDisk = await readFile(join(runDir, name), 'utf8');
  expect(text === onDisk, `${name} as downloaded (${text.length} chars) equals the file on disk (${onDisk.length} chars)`).toBe(true);
  // The button gives way to a link for saving again.
  await region.getByRole('link', { name: `Save ${name}` }).waitFor();
  return text;
}
