/**
 * End to end, in browser mode: the debugger's client request (issue 11, docs/debugger.md). A
 * real 3-node cluster, frozen from the run controls; "Send put" in the Debugger panel's client
 * write form (the leader chosen by default) makes the frozen leader append the entry at once
 * (its last index grows, its commit does not: §5.3), and its AppendEntries appear held at both
 * followers. Resuming real time delivers them and the entry commits on every node; the run's
 * history has the put answered ok. Axe finds nothing serious or critical on the page with the form.
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Lab } from '../../src/lab/lab';
import { withDefaults } from '../../src/contract/clusterOptions';
import { readRun } from '../../src/lab/recorder/readRun';
import type { NodeId } from '../../src/raft/types';
import { waitFor } from '../integration/helpers/waitFor';
import { seriousAxeViolations } from './helpers/axe';
import { openLabSession, suiteBrowser, type LabSession } from './helpers/labSession';

/** Slow Raft timings for small, busy machines (the reasoning is in lab.e2e.test.ts). */
const E2E_TIMINGS = { electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 2000, heartbeatMs: 100 };
const UI_DEADLINE_MS = 15_000;

const chromium = suiteBrowser("the debugger's client request tests");

/** One fact of a node's card in the Debugger panel ("last index", "commit", ...). */
function fact(page: Page, node: NodeId, name: string): Promise<string> {
  return page
    .locator(`[data-testid="debug-node"][data-node="${node}"] dl.debug-facts div`)
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^${name}$`) }) })
    .locator('dd')
    .innerText();
}

describe.skipIf(chromium.skip)("the debugger's client request in browser mode (headless Chromium)", () => {
  let session: LabSession | undefined;
  let lab: Lab | undefined;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    session = await openLabSession(chromium, { runs: 'runs-debugger-put', viewport: { width: 1440, height: 1000 } });
    ({ lab, page, problems } = session);
  });

  afterAll(() => session?.close());

  it('sends a put to the frozen leader from the panel; it commits once real time resumes', async () => {
    if (!lab) throw new Error('the lab did not start');
    const cluster = await lab.startCluster(withDefaults({ nodes: 3, ...E2E_TIMINGS, preVote: false, checkQuorum: false, seed: 21, recording: 'full', workload: { clients: 0, rate: 0 } }));
    const leader = await waitFor(() => cluster.leader(), { what: 'a leader', timeoutMs: 20_000 });
    const followers = [1, 2, 3].filter((n) => n !== leader);

    await page.getByRole('button', { name: 'Freeze', exact: true }).click();
    await page.getByTestId('frozen-indicator').waitFor({ timeout: UI_DEADLINE_MS });
    const form = page.getByRole('form', { name: 'Client write' });
    await waitFor(async () => (await form.getByLabel('Client write to node').inputValue()) === String(leader), { what: 'the leader chosen by default', timeoutMs: UI_DEADLINE_MS });
    const last = Number(await fact(page, leader, 'last index'));
    const commit = Number(await fact(page, leader, 'commit'));

    await form.getByLabel('Key').fill('e2e-key');
    await form.getByLabel('Value').fill('from-the-panel');
    await form.getByRole('button', { name: 'Send put' }).click();
    // The frozen leader appends it at once; nothing commits while its AppendEntries are held (§5.3).
    await waitFor(async () => Number(await fact(page, leader, 'last index')) === last + 1, { what: "the leader's log growing by the put", timeoutMs: UI_DEADLINE_MS });
    expect(Number(await fact(page, leader, 'commit'))).toBe(commit);
    for (const f of followers) {
      await page.locator(`[data-testid="debug-node"][data-node="${f}"] [data-testid="held-message"][data-type="append"][data-from="${leader}"]`).first().waitFor({ timeout: UI_DEADLINE_MS });
    }
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Resume (real time)' }).click();
    await waitFor(() => lab!.state().nodes.every((n) => n.commit >= last + 1), { what: 'every node committing the put', timeoutMs: UI_DEADLINE_MS });
    const { runDir } = await lab.handle('cluster:stop', {});
    const put = readRun(runDir!).history.filter((op) => op.key === 'e2e-key');
    expect(put.map((op) => [op.value, op.status, op.output])).toEqual([['from-the-panel', 'ok', 'from-the-panel']]);
    expect(problems).toEqual([]);
  }, 90_000);
});
