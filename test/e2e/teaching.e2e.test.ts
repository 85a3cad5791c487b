/**
 * End to end, in browser mode: a teaching scenario's notes in the app (docs/scenarios.md,
 * "Teaching scenarios"). The split-vote scenario runs through the lab in-process as
 * `raftlab run` runs it, while the page watches; its event log must show, by default, each
 * explained step as a row with the file's note beside what the step did.
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 * Screenshot: test-results/e2e/teaching-notes.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Lab } from '../../src/lab/lab';
import { plansFrom, type RunArgs } from '../../src/lab/cliPlans';
import { runPlan } from '../../src/lab/scenarioRunner';
import { ARTEFACT_DIR, REPO_ROOT } from './helpers/artefacts';
import { openLabSession, suiteBrowser, type LabSession } from './helpers/labSession';

const browser = suiteBrowser('the teaching scenario tests');

describe.skipIf(browser.skip)('a teaching scenario in browser mode (headless Chromium)', () => {
  let session: LabSession | undefined;
  let lab: Lab;
  let page: Page;

  beforeAll(async () => {
    session = await openLabSession(browser, { runs: 'runs-teaching', viewport: { width: 1440, height: 900 } });
    ({ lab, page } = session);
  });

  afterAll(() => session?.close());

  it("shows each explained step's note in the event log", async () => {
    const [plan] = plansFrom({ scenario: join(REPO_ROOT, 'scenarios', 'teaching', 'split-vote.yaml') } as RunArgs);
    const outcome = await runPlan(lab, plan);
    expect(outcome.skipped).toEqual([]);
    const log = page.getByRole('list', { name: 'Events, newest first' });
    for (const step of plan.steps.filter((s) => s.note !== undefined)) {
      // The row says which step of the file it is, and the note (its first words are enough to find it).
      const row = log.getByRole('listitem').filter({ hasText: `(line ${step.source.line})` }).filter({ hasText: step.note!.slice(0, 40) });
      await row.first().waitFor({ timeout: 15_000 });
    }
    await log.scrollIntoViewIfNeeded();
    await log.screenshot({ path: join(ARTEFACT_DIR, 'teaching-notes.png') });
  }, 120_000);
});
