/**
 * End to end, in browser mode: the start panel's timer and network fidelity fields
 * (docs/network-emulation.md). A tick outside 1–10 ms is refused inline; the hint states the
 * effective timeout randomness; the values reach the lab, and a cluster with 1 ms ticks and an
 * emulated network delay elects a leader.
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Lab } from '../../src/lab/lab';
import { waitFor } from '../integration/helpers/waitFor';
import { openLabSession, suiteBrowser, type LabSession } from './helpers/labSession';

const chromium = suiteBrowser('the fidelity tests');

describe.skipIf(chromium.skip)('timer tick and network delay in the start panel (headless Chromium)', () => {
  let session: LabSession | undefined;
  let lab: Lab | undefined;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    session = await openLabSession(chromium, { runs: 'runs-fidelity', viewport: { width: 1280, height: 800 } });
    ({ lab, page, problems } = session);
  });

  afterAll(() => session?.close());

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
