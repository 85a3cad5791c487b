/**
 * End to end, in browser mode: time travel (issue 10 part 3, "Done means"). A real 3-node
 * run, recording full, is driven from the test while the page watches: on the live view
 * the slider follows the head, is dragged back (keyboard: Home) and returns with "Back to
 * live". Then the leader is killed, another is elected, the run stops; the page opens the
 * recording, scrubs to just after the new leader's win, and must list the candidate's
 * RequestVotes among the messages in view and show log entries for every node. An axe scan
 * of the view finds nothing serious or critical; an event log row's time jumps the cursor there, and so does the election table's row.
 * The log views show timers as ms counting down, and the killed node's down span is a band on its lane.
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 * Screenshot: test-results/e2e/time-travel.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Lab } from '../../src/lab/lab';
import { withDefaults } from '../../src/contract/clusterOptions';
import { readRun } from '../../src/lab/recorder/readRun';
import type { NodeId } from '../../src/raft/types';
import { waitFor } from '../integration/helpers/waitFor';
import { ARTEFACT_DIR } from './helpers/artefacts';
import { openLabSession, suiteBrowser, type LabSession } from './helpers/labSession';
import { seriousAxeViolations } from './helpers/axe';

/** Slow Raft timings for small, busy machines (the reasoning is in lab.e2e.test.ts). */
const E2E_TIMINGS = { electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 2000, heartbeatMs: 100 };
const LEADER_DEADLINE_MS = 20_000;
const UI_DEADLINE_MS = 15_000;

const chromium = suiteBrowser('the time-travel tests');

async function awaitLeader(lab: Lab, except: NodeId | null): Promise<NodeId> {
  let seen: NodeId | null = null;
  return waitFor(
    () => {
      seen = lab.current?.leader() ?? null;
      return seen !== null && seen !== except ? seen : null;
    },
    { what: except === null ? 'a leader' : `a leader other than node ${except}`, timeoutMs: LEADER_DEADLINE_MS, intervalMs: 50, describe: () => `leader is ${String(seen)}` },
  );
}

async function statusText(page: Page): Promise<string> {
  return (await page.getByTestId('time-travel-status').textContent()) ?? '';
}

/** Entries drawn in each node's log view, by node id. */
async function logEntryCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null; querySelectorAll(s: string): ArrayLike<unknown> }> } }).document;
    const views = doc.querySelectorAll('article.node-log');
    for (let i = 0; i < views.length; i++) out[views[i].getAttribute('data-node') ?? '?'] = views[i].querySelectorAll('[data-testid="log-entry"]').length;
    return out;
  });
}

describe.skipIf(chromium.skip)('time travel in browser mode (headless Chromium)', () => {
  let session: LabSession | undefined;
  let lab: Lab | undefined;
  let page: Page;
  let problems: string[] = [];
  let recorded: { runDir: string; killed: NodeId; next: NodeId } | undefined;

  beforeAll(async () => {
    session = await openLabSession(chromium, { runs: 'runs-time-travel', viewport: { width: 1440, height: 900 } });
    ({ lab, page, problems } = session);
  });

  afterAll(() => session?.close());

  it('follows a live run, is dragged back, and returns to live', async () => {
    if (!lab) throw new Error('the lab did not start');
    const cluster = await lab.startCluster(withDefaults({ nodes: 3, ...E2E_TIMINGS, recording: 'full', workload: { clients: 1, rate: 10 } }));
    const first = await awaitLeader(lab, null);
    // Closed until asked for (it replays the journals once a second while open).
    await page.getByRole('button', { name: 'Show time travel' }).click();
    let status = '';
    let counts: Record<string, number> = {};
    await waitFor(
      async () => {
        status = await statusText(page);
        counts = await logEntryCounts(page);
        return status.startsWith('following the live run') && Object.keys(counts).length === 3 && Object.values(counts).every((n) => n > 0);
      },
      { what: 'the live head with entries in every log', timeoutMs: UI_DEADLINE_MS, intervalMs: 200, describe: () => `status "${status}", entries ${JSON.stringify(counts)}` },
    );
    const slider = page.getByRole('slider', { name: 'Run time' });
    await slider.focus();
    await slider.press('Home');
    await page.getByTestId('back-to-live').waitFor({ timeout: UI_DEADLINE_MS });
    status = await statusText(page);
    expect(status).toMatch(/^at \d+\.\d{3} s;/);
    await page.getByTestId('back-to-live').click();
    await waitFor(async () => (await statusText(page)).startsWith('following the live run'), { what: 'following the head again', timeoutMs: UI_DEADLINE_MS, intervalMs: 100 });
    expect(await page.getByTestId('back-to-live').count()).toBe(0);

    await cluster.kill(first);
    const next = await awaitLeader(lab, first);
    await lab.stopCluster();
    recorded = { runDir: cluster.runDir, killed: first, next };
  });

  it('opens the run, scrubs to just after the kill, and shows the RequestVotes and every log', async () => {
    if (!recorded) throw new Error('an earlier step failed');
    const { events } = readRun(recorded.runDir);
    const killedAt = events.find((e) => e.type === 'process' && e.state === 'killed' && e.node === recorded!.killed)!.t;
    const wonAt = events.find((e) => e.type === 'role' && e.role === 'leader' && e.node === recorded!.next && e.t > killedAt)!.t;

    await page.getByLabel('Run path').fill(recorded.runDir);
    await page.getByRole('button', { name: 'Open run', exact: true }).click();
    const slider = page.getByRole('slider', { name: 'Run time' });
    await slider.waitFor({ timeout: UI_DEADLINE_MS });
    // The slider steps by 10 ms from the journals' start: aim 20 ms after the win, so a step down still lands after it.
    await slider.evaluate((el, v) => {
      const input = el as unknown as { value: string; dispatchEvent(e: unknown): boolean };
      input.value = String(v);
      input.dispatchEvent(new (globalThis as unknown as { Event: new (t: string, o: unknown) => unknown }).Event('input', { bubbles: true }));
    }, wonAt + 20);
    await page.locator('summary', { hasText: /^Messages in view/ }).click();

    const votes = page.locator(`[data-testid="messages-in-view"] li[data-type="vote"][data-from="${recorded.next}"]`);
    let counts: Record<string, number> = {};
    let status = '';
    let voteCount = 0;
    await waitFor(
      async () => {
        status = await statusText(page);
        counts = await logEntryCounts(page);
        voteCount = await votes.count();
        return voteCount > 0 && Object.values(counts).length === 3 && Object.values(counts).every((n) => n > 0);
      },
      { what: `node ${recorded.next}'s RequestVotes in view and entries in every log`, timeoutMs: UI_DEADLINE_MS, intervalMs: 200, describe: () => `status "${status}", entries ${JSON.stringify(counts)}, votes listed ${voteCount}` },
    );
    const cursorS = Number(/^at (\d+\.\d{3}) s/.exec(status)?.[1]);
    expect(cursorS * 1000).toBeGreaterThan(killedAt);
    expect(cursorS * 1000).toBeGreaterThanOrEqual(wonAt);
    const first = (await votes.first().textContent()) ?? '';
    expect(first).toMatch(new RegExp(`^RequestVote( \\(PreVote\\))? ${recorded.next}→\\d term \\d+`));
    // The new leader's view shows it leading, with next/match per follower.
    const leaderView = page.locator(`article.node-log[data-node="${recorded.next}"]`);
    expect(await leaderView.locator('.role').textContent()).toBe('leader');
    expect(await leaderView.getByRole('table').count()).toBe(1);
    // Timers count down as time from the run's tick, the raw ticks in the tooltip (§5.2).
    const heartbeat = leaderView.getByTestId('timer-heartbeat');
    expect(await heartbeat.textContent()).toMatch(/^next heartbeat in \d+ ms$/);
    expect(await heartbeat.getAttribute('title')).toMatch(/^\d+ of \d+ ticks elapsed, \d+ ms per tick$/);
    const third = [1, 2, 3].find((n) => n !== recorded!.next && n !== recorded!.killed)!;
    expect(await page.locator(`article.node-log[data-node="${third}"]`).getByTestId('timer-election').textContent()).toMatch(/^election timeout in \d+ ms$/);
    // The killed leader is shown down, with the state it went down with.
    expect(await page.locator(`article.node-log[data-node="${recorded.killed}"] .down`).textContent()).toMatch(/^down \(killed at \d+\.\d{3} s\); last state: leader$/);

    // The killed leader's down span is a band on its lane, listed in words beside the canvas.
    const downBand = page.getByTestId('fault-bands').locator('[data-kind="down"]', { hasText: `node ${recorded.killed} down` });
    expect(await downBand.count()).toBeGreaterThan(0);

    // Clicking a listed vote shows its fields.
    await votes.first().getByRole('button').click();
    const selected = page.getByTestId('selected-message');
    await selected.waitFor({ timeout: UI_DEADLINE_MS });
    expect(await selected.textContent()).toContain('lastLogIndex');

    // "Jump to" from the event log: the kill's row moves the cursor to the kill.
    const killRow = page.getByRole('list', { name: 'Events, newest first' }).getByRole('listitem').filter({ hasText: 'killed' }).first();
    await killRow.getByRole('button', { name: /^Jump to / }).click();
    const killText = `at ${(killedAt / 1000).toFixed(3)} s;`;
    await waitFor(async () => (await statusText(page)).startsWith(killText), { what: `the cursor at the kill (${killText})`, timeoutMs: UI_DEADLINE_MS, intervalMs: 100 });

    // "Jump to" from the election table: the election after the kill moves the cursor to the new leader's win.
    await page.getByRole('button', { name: new RegExp(`^Jump to node ${recorded.next} winning term \\d+ at `) }).first().click();
    let winCursor = NaN;
    await waitFor(
      async () => {
        winCursor = Number(/^at (\d+\.\d{3}) s/.exec(await statusText(page))?.[1]) * 1000;
        return winCursor > killedAt;
      },
      { what: 'the cursor at the win after the kill', timeoutMs: UI_DEADLINE_MS, intervalMs: 100, describe: () => `cursor at ${winCursor} ms, kill at ${killedAt} ms` },
    );
    expect(Math.abs(winCursor - wonAt)).toBeLessThan(50);

    const violations = await seriousAxeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await page.screenshot({ path: join(ARTEFACT_DIR, 'time-travel.png'), fullPage: true });
    console.log(`[e2e time-travel] killed ${recorded.killed} at ${killedAt.toFixed(0)} ms, node ${recorded.next} won at ${wonAt.toFixed(0)} ms; ${await votes.count()} of its votes in view; entries ${JSON.stringify(counts)}`);
  });

  it('raised no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});
