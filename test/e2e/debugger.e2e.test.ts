/**
 * End to end, in browser mode: the debugger (issue 11, docs/debugger.md). A real 3-node cluster
 * (seed 17: node 1's first election timeout is 800 ms shorter than the others', so the same node
 * leads first in the app and in the CLI's repeat). From the page only: freeze from the run
 * controls (FROZEN shows), "until next timer" on a follower makes it a candidate (§5.2) whose
 * RequestVote is held at the other follower, delivered from the panel; the granted vote held at
 * the candidate is clicked on the space-time diagram and delivered from there (it then leads,
 * 2 of 3 votes). A role-change breakpoint is set, real time resumes, the old leader steps down on
 * the higher term (§5.1) and the cluster breaks by itself: the panel shows the reason. The
 * session is saved as a scenario (downloaded from its link), `raftlab run` repeats it headless,
 * and its run records the same debugger actions in the same order as the app's. An axe scan
 * with the panel full finds nothing serious or critical. Still frozen after the break, two
 * followers time out; their RequestVotes held at the leader are ticked, reordered and delivered
 * in the chosen order (the run names them in that order), one held elsewhere is dropped and
 * another duplicated.
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 * Screenshot: test-results/e2e/debugger.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { Lab } from '../../src/lab/lab';
import { withDefaults } from '../../src/contract/clusterOptions';
import type { RunEvent } from '../../src/contract/runEvents';
import { readRun } from '../../src/lab/recorder/readRun';
import type { NodeId } from '../../src/raft/types';
import { runRaftlab } from '../integration/helpers/cliBuild';
import { waitFor } from '../integration/helpers/waitFor';
import { ARTEFACT_DIR } from './helpers/artefacts';
import { describeAxe, seriousAxeViolations } from './helpers/axe';
import { openLabSession, suiteBrowser, type LabSession } from './helpers/labSession';

/** Slow Raft timings for small, busy machines (the reasoning is in lab.e2e.test.ts). */
const E2E_TIMINGS = { electionTimeoutMinMs: 1000, electionTimeoutMaxMs: 2000, heartbeatMs: 100 };
const SEED = 17;
const LEADER_DEADLINE_MS = 20_000;
const UI_DEADLINE_MS = 15_000;

const chromium = suiteBrowser('the debugger tests');

/** A held message as the panel lists it. */
function heldAt(page: Page, node: NodeId, type: string, from: NodeId): Locator {
  return page.locator(`[data-testid="debug-node"][data-node="${node}"] [data-testid="held-message"][data-type="${type}"][data-from="${from}"]`);
}

/** What the debugger panel says of one node ("role candidate term 3 ..."), read from its facts. */
async function nodeFacts(page: Page, node: NodeId): Promise<Record<string, string>> {
  return page.locator(`[data-testid="debug-node"][data-node="${node}"] dl.debug-facts`).evaluate((dl) => {
    const out: Record<string, string> = {};
    for (const div of Array.from((dl as unknown as { children: ArrayLike<{ querySelector(s: string): { textContent: string | null } | null }> }).children)) {
      out[div.querySelector('dt')?.textContent ?? '?'] = div.querySelector('dd')?.textContent ?? '';
    }
    return out;
  });
}

async function waitForFacts(page: Page, node: NodeId, what: string, ok: (f: Record<string, string>) => boolean): Promise<Record<string, string>> {
  let last: Record<string, string> = {};
  await waitFor(
    async () => {
      last = await nodeFacts(page, node);
      return ok(last);
    },
    { what, timeoutMs: UI_DEADLINE_MS, intervalMs: 100, describe: () => JSON.stringify(last) },
  );
  return last;
}

/** The debugger actions of a run, in order, with the nodes each touched: what the app and the CLI must share. */
function debugActions(events: readonly RunEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'debug' ? [`${e.action} [${e.nodes.join(',')}]`] : e.type === 'fault' ? [`fault ${e.action} ${e.fault.kind}`] : []));
}

describe.skipIf(chromium.skip)('the debugger in browser mode (headless Chromium)', () => {
  let session: LabSession | undefined;
  let lab: Lab | undefined;
  let page: Page;
  let problems: string[] = [];
  let saved: { file: string; yaml: string; appRunDir: string; actionsAtSave: number } | undefined;
  /** Who was who in the first test: the first leader, the node elected while frozen, and the one that voted for it. */
  let cast: { oldLeader: NodeId; candidate: NodeId; voter: NodeId; term: number } | undefined;

  beforeAll(async () => {
    session = await openLabSession(chromium, { runs: 'runs-debugger', viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    ({ lab, page, problems } = session);
  });

  afterAll(() => session?.close());

  it('freezes, delivers held messages from the panel and the diagram, breaks on a role change, and saves the session', async () => {
    if (!lab) throw new Error('the lab did not start');
    const cluster = await lab.startCluster(
      withDefaults({ nodes: 3, ...E2E_TIMINGS, preVote: false, checkQuorum: false, seed: SEED, recording: 'full', workload: { clients: 1, rate: 10 } }),
    );
    let leader: NodeId | null = null;
    await waitFor(
      () => {
        leader = cluster.leader();
        return leader !== null && cluster.opsOk() >= 5;
      },
      { what: 'a leader and 5 ops', timeoutMs: LEADER_DEADLINE_MS, intervalMs: 50, describe: () => `leader ${String(leader)}, ${cluster.opsOk()} ops` },
    );
    const oldLeader = leader!;
    const [candidate, voter] = [1, 2, 3].filter((n) => n !== oldLeader);

    // Freeze from the toolbar: FROZEN shows, and every node reports itself frozen.
    await page.getByRole('button', { name: 'Freeze', exact: true }).click();
    await page.getByTestId('frozen-indicator').waitFor({ timeout: UI_DEADLINE_MS });
    expect(await page.getByTestId('frozen-indicator').textContent()).toBe('FROZEN');
    const before = await waitForFacts(page, oldLeader, `node ${oldLeader} frozen as leader`, (f) => f.role === 'leader');
    const term = Number(before.term);

    // §5.2: the follower's election timer fires at once; it stands in the next term and votes for itself.
    await page.getByRole('button', { name: `Node ${candidate} until next timer` }).click();
    const asCandidate = await waitForFacts(page, candidate, `node ${candidate} a candidate`, (f) => f.role === 'candidate');
    expect([asCandidate.term, asCandidate.vote]).toEqual([String(term + 1), String(candidate)]);

    // Its RequestVote is held at the other follower: delivered from the panel, it grants the vote (§5.4.1).
    const vote = heldAt(page, voter, 'vote', candidate);
    await vote.first().waitFor({ timeout: UI_DEADLINE_MS });
    await vote.first().getByRole('button', { name: /^Deliver RequestVote / }).click();
    const granted = await waitForFacts(page, voter, `node ${voter} voting for node ${candidate}`, (f) => f.vote === String(candidate));
    expect(granted.term).toBe(String(term + 1));

    // The granted vote, held at the candidate, is picked on the space-time diagram and delivered from there.
    await page.getByRole('button', { name: 'Show time travel' }).click();
    const grant = heldAt(page, candidate, 'voteResp', voter);
    await grant.first().waitFor({ timeout: UI_DEADLINE_MS });
    const hold = (await grant.first().getAttribute('data-hold'))!;
    const canvas = page.getByTestId('space-time-canvas');
    let point: { x: number; y: number } | undefined;
    await waitFor(
      async () => {
        const points = JSON.parse((await canvas.getAttribute('data-held-points').catch(() => null)) ?? '[]') as Array<{ hold: string; node: number; x: number; y: number }>;
        point = points.find((p) => p.hold === hold && p.node === candidate);
        return point !== undefined;
      },
      { what: `the held vote ${hold} drawn on the diagram`, timeoutMs: UI_DEADLINE_MS, intervalMs: 100 },
    );
    await canvas.scrollIntoViewIfNeeded();
    await canvas.click({ position: point! });
    const selected = page.getByTestId('selected-held');
    await selected.waitFor({ timeout: UI_DEADLINE_MS });
    expect(await selected.textContent()).toContain(hold);
    await selected.getByRole('button', { name: 'Deliver this message' }).click();
    // 2 of 3 votes: it leads the new term while the old leader, frozen, has not heard of it.
    await waitForFacts(page, candidate, `node ${candidate} leading term ${term + 1}`, (f) => f.role === 'leader' && f.term === String(term + 1));
    expect((await nodeFacts(page, oldLeader)).role).toBe('leader');

    // Break on a role change, then back to real time: the old leader steps down (§5.1) and the cluster freezes by itself.
    await page.getByLabel('Break on a role change').check();
    await page.getByRole('button', { name: 'Set breakpoints' }).click();
    await page.getByTestId('breakpoints-in-force').filter({ hasText: 'Breaking on: a role change' }).waitFor({ timeout: UI_DEADLINE_MS });
    await page.getByRole('button', { name: 'Resume (real time)' }).click();
    const lastBreak = page.getByTestId('last-break');
    await lastBreak.waitFor({ timeout: UI_DEADLINE_MS });
    const reason = (await lastBreak.textContent()) ?? '';
    expect(reason).toMatch(new RegExp(`Break at node ${oldLeader}, \\d+\\.\\d{3} s: .*role`));
    await page.getByTestId('frozen-indicator').waitFor({ timeout: UI_DEADLINE_MS });
    await waitForFacts(page, oldLeader, `node ${oldLeader} a follower of term ${term + 1}`, (f) => f.role === 'follower' && f.term === String(term + 1));

    // The event log lists the debugger's actions among the key events.
    const log = page.getByRole('list', { name: 'Events, newest first' });
    await log.getByRole('listitem').filter({ hasText: 'debugger break' }).first().waitFor({ timeout: UI_DEADLINE_MS });

    // Save the session: the YAML is shown and downloads as a file.
    const actionsAtSave = lab.state().debug?.actions ?? 0;
    await page.getByRole('button', { name: 'Save session as scenario' }).click();
    const yamlShown = page.getByTestId('session-yaml');
    await yamlShown.waitFor({ timeout: UI_DEADLINE_MS });
    const yaml = (await yamlShown.textContent()) ?? '';
    expect(yaml).toMatch(/freeze: true/);
    expect(yaml).toMatch(new RegExp(`advance:\\s*\\n\\s+node: ${candidate}\\n\\s+untilTimer: true`));
    expect(yaml).toMatch(/roleChange: true/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('session-download').click()]);
    const file = join(session!.runsDir, 'saved-session.yaml');
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8')).toBe(yaml);

    // The form's message condition open too (not set), so axe sees its fields.
    await page.getByLabel('Break when a message is received').check();
    await page.getByRole('group', { name: /^Which messages received/ }).waitFor({ timeout: UI_DEADLINE_MS });
    const violations = await seriousAxeViolations(page);
    expect(violations, describeAxe(violations)).toEqual([]);
    await page.screenshot({ path: join(ARTEFACT_DIR, 'debugger.png'), fullPage: true });

    saved = { file, yaml, appRunDir: cluster.runDir, actionsAtSave };
    cast = { oldLeader, candidate, voter, term };
    console.log(`[e2e debugger] leader ${oldLeader} term ${term}; node ${candidate} elected by node ${voter}'s vote; ${reason}`);
  });

  it('delivers chosen messages in the order chosen, drops one and duplicates another, from the panel', async () => {
    if (!lab || !cast) throw new Error('an earlier step failed');
    const { oldLeader, candidate: leader, voter, term } = cast;
    // Still frozen after the break: two followers' election timers fire (§5.2), both stand in the next term.
    for (const n of [voter, oldLeader]) {
      await page.getByRole('button', { name: `Node ${n} until next timer` }).click();
      await waitForFacts(page, n, `node ${n} a candidate of term ${term + 2}`, (f) => f.role === 'candidate' && f.term === String(term + 2));
    }
    // Both RequestVotes are held at the leader: ticked in one order, the second moved up, delivered in that order.
    const fromVoter = heldAt(page, leader, 'vote', voter).first();
    const fromOld = heldAt(page, leader, 'vote', oldLeader).first();
    await fromVoter.waitFor({ timeout: UI_DEADLINE_MS });
    await fromOld.waitFor({ timeout: UI_DEADLINE_MS });
    const [holdVoter, holdOld] = [(await fromVoter.getAttribute('data-hold'))!, (await fromOld.getAttribute('data-hold'))!];
    await page.getByLabel(`Choose ${holdVoter} for ordered delivery`).check();
    await page.getByLabel(`Choose ${holdOld} for ordered delivery`).check();
    const order = page.getByRole('group', { name: `Delivery order at node ${leader}` });
    expect((await order.getByTestId('chosen-message').allTextContents()).map((t) => t.includes(holdVoter))).toEqual([true, false]);
    await order.getByRole('button', { name: `Move ${holdOld} earlier` }).click();
    expect((await order.getByTestId('chosen-message').allTextContents()).map((t) => t.includes(holdOld))).toEqual([true, false]);
    await order.getByRole('button', { name: 'Deliver the 2 chosen in this order' }).click();
    // A higher term makes the leader a follower (§5.1); the run records the two deliveries in the order chosen.
    await waitForFacts(page, leader, `node ${leader} a follower of term ${term + 2}`, (f) => f.role === 'follower' && f.term === String(term + 2));
    const log = page.getByRole('list', { name: 'Events, newest first' });
    await log.getByRole('listitem').filter({ hasText: `node ${leader}: delivered ${holdOld}, ${holdVoter}` }).first().waitFor({ timeout: UI_DEADLINE_MS });

    // The old leader's RequestVote to the voter is dropped; the voter's to the old leader is delivered twice.
    const toVoter = heldAt(page, voter, 'vote', oldLeader).first();
    await toVoter.waitFor({ timeout: UI_DEADLINE_MS });
    const dropped = (await toVoter.getAttribute('data-hold'))!;
    await toVoter.getByRole('button', { name: /^Drop RequestVote / }).click();
    await page.locator(`[data-testid="debug-node"][data-node="${voter}"] [data-hold="${dropped}"]`).waitFor({ state: 'detached', timeout: UI_DEADLINE_MS });
    const toOld = heldAt(page, oldLeader, 'vote', voter).first();
    await toOld.waitFor({ timeout: UI_DEADLINE_MS });
    const twice = (await toOld.getAttribute('data-hold'))!;
    await toOld.getByRole('button', { name: /^Duplicate RequestVote / }).click();
    await log.getByRole('listitem').filter({ hasText: `node ${oldLeader}: delivered twice ${twice}` }).first().waitFor({ timeout: UI_DEADLINE_MS });
    await log.getByRole('listitem').filter({ hasText: `node ${voter}: dropped ${dropped}` }).first().waitFor({ timeout: UI_DEADLINE_MS });
    // The voter's own vote is refused twice by a candidate of the same term (§5.2: it voted for itself).
    expect((await nodeFacts(page, oldLeader)).vote).toBe(String(oldLeader));
    await lab.stopCluster();
  });

  it('repeats the saved session with `raftlab run`: the same debugger actions in the same order', async () => {
    if (!saved) throw new Error('an earlier step failed');
    // The run's actions up to the save (the ones after it are not in the saved file).
    const appEvents = readRun(saved.appRunDir).events;
    const lastSaved = appEvents.filter((e) => e.type === 'debug')[saved.actionsAtSave - 1];
    const app = debugActions(appEvents.filter((e) => e.t <= lastSaved.t));
    expect(app.slice(0, 6)).toEqual([
      expect.stringMatching(/^freeze /), expect.stringMatching(/^advance /), expect.stringMatching(/^release /),
      expect.stringMatching(/^release /), expect.stringMatching(/^breakpoints /), expect.stringMatching(/^resume /),
    ]);
    const out = join(session!.runsDir, 'cli');
    const r = await runRaftlab(['run', saved.file, '--out', out], { timeoutMs: 120_000 });
    expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    const dir = r.stdout.split('\n').find((l) => l.startsWith('directory '))?.slice('directory '.length).trim();
    expect(dir, r.stdout).toBeTruthy();
    const cli = debugActions(readRun(dir!).events);
    expect(cli).toEqual(app);
    console.log(`[e2e debugger] app and CLI runs: ${app.join(' | ')}`);
  }, 150_000);

  it('raised no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});
