/**
 * End to end, in browser mode: the start panel's timer and network fidelity fields
 * (docs/network-emulation.md). A tick outside 1–10 ms is refused inline; the hint states the
 * effective timeout randomness; the values reach the lab, and a cluster with 1 ms ticks and an
 * emulated network delay elects a leader.
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Lab } from '../../src/lab/lab';
import { startLabServer, type LabServer } from '../../src/lab/server/labServer';
import { waitFor } from '../integration/helpers/waitFor';
import { browserRequired, findChromium, launchChromium } from './helpers/browsers';
import { ARTEFACT_DIR, REPO_ROOT } from './helpers/artefacts';
import { collectPageProblems } from './helpers/pageProblems';

const chromium = findChromium();
const mustRun = browserRequired();
if (!chromium.ok && !mustRun) console.warn(`[e2e] skipping the fidelity tests: ${chromium.reason}`);

describe.skipIf(!chromium.ok && !mustRun)('timer tick and network delay in the start panel (headless Chromium)', () => {
  const runsDir = join(ARTEFACT_DIR, 'runs-fidelity');
  let lab: Lab | undefined;
  let server: LabServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    if (!chromium.ok) throw new Error(`CI is set, so the e2e tests must run, but ${chromium.reason}`);
    rmSync(runsDir, { recursive: true, force: true });
    mkdirSync(runsDir, { recursive: true });
    lab = Lab.create({ runsDir });
    server = await startLabServer({ lab, staticDir: join(REPO_ROOT, 'out', 'renderer'), port: 0 });
    browser = await launchChromium(chromium.path);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    problems = collectPageProblems(page);
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Start cluster' }).waitFor();
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      try {
        await server?.close();
      } finally {
        await lab?.shutdown();
      }
    }
  });

  it('refuses a 20 ms tick, states the randomness of a 1 ms one, and starts a cluster with both settings', async () => {
    await page.getByText(/^More options/).click();
    const tick = page.getByLabel('Timer tick (ms)');
    await tick.fill('20');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'tickMs must be between 0 and 10' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Start cluster' }).isDisabled()).toBe(true);
    await tick.fill('1');
    // The default 150-300 ms range in 1 ms ticks: a timeout fires 149-299 ms after its reset.
    await expect.poll(() => page.getByText(/in 1 ms ticks; with tick phase a timeout fires 149-299 ms after its reset/).count()).toBe(1);
    await page.getByLabel('Network delay (ms, one way)').fill('7');
    await page.getByLabel('Network jitter (ms)').fill('2');
    await page.getByRole('button', { name: 'Start cluster' }).click();
    const state = await waitFor(() => (lab!.state().nodes.some((n) => n.role === 'leader') ? lab!.state() : null), {
      what: 'a leader in the cluster started from the page',
      timeoutMs: 20_000,
      describe: () => JSON.stringify(lab!.state().nodes.map((n) => [n.id, n.role, n.term])),
    });
    expect(state.options?.tickMs).toBe(1);
    expect(state.options?.networkDelay).toEqual({ delayMs: 7, jitterMs: 2 });
    await lab!.stopCluster();
  }, 60_000);

  it('raised no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});
