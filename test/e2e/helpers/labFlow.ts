/**
 * The lab's main flow, driven through the UI only, as steps shared by the browser-mode and
 * the Electron tests: start a cluster, kill its leader, isolate the next leader and heal,
 * stop and export. Every wait polls what the page shows, with a deadline, and a timeout
 * names what never appeared and what the cards said instead.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { waitFor } from '../../integration/helpers/waitFor';
import {
  describeCards,
  isLiveLeader,
  isolatedNode,
  readAlert,
  readBlockedLinks,
  readCards,
  readElections,
  readPhase,
  type CardView,
  type ElectionView,
} from './labPage';
import { checkHistoryEdn, parseEventsJsonl, parseMetricsCsv, parseSummary, parseTrace } from './exportedFiles';
import type { RunEvent, Summary } from '../../../src/contract/runEvents';

export interface FlowContext {
  page: Page;
  /** Saves a full-page screenshot as a test artefact; returns its path. */
  shot(name: string): Promise<string>;
  /** An exported file's text, obtained the way a user of this front end gets it. */
  readExported(runDir: string, name: string): Promise<string>;
  log(message: string): void;
}

/** Elections on a loaded two-core machine can take a few rounds: be generous, fail eventually. */
const ELECTION_DEADLINE_MS = 20_000;
const POLL_MS = 100;
/** How long the isolated old leader's commit index must stay put while the new leader commits. */
const STALL_WINDOW_MS = 2_000;
/** Commits the majority must make inside that window (the workload writes ~10 entries/s). */
const STALL_MIN_PROGRESS = 3;

/** Polls the cards until `pick` returns a value; a timeout reports the last cards and any alert. */
async function waitForCards<T>(ctx: FlowContext, what: string, pick: (cards: CardView[]) => T | null, timeoutMs = ELECTION_DEADLINE_MS): Promise<T> {
  let last: CardView[] = [];
  let alert: string | null = null;
  const found = await waitFor(
    async () => {
      last = await readCards(ctx.page);
      alert = await readAlert(ctx.page);
      const value = pick(last);
      return value === null ? null : { value };
    },
    { what, timeoutMs, intervalMs: POLL_MS, describe: () => `${describeCards(last)}${alert ? `; alert: ${alert}` : ''}` },
  );
  return found.value;
}

function card(cards: CardView[], id: number): CardView {
  const c = cards.find((x) => x.id === id);
  if (!c) throw new Error(`no card for node ${id} (cards: ${describeCards(cards)})`);
  return c;
}

/** The one live leader, if exactly one card shows one (and only it carries the ★ mark). */
function soleLeader(cards: CardView[]): CardView | null {
  const leaders = cards.filter((c) => c.role === 'leader');
  const marked = cards.filter((c) => c.leaderMark);
  if (leaders.length !== 1 || marked.length !== 1 || marked[0].id !== leaders[0].id) return null;
  return isLiveLeader(leaders[0]) ? leaders[0] : null;
}

/** The one live leader among the nodes other than `isolated`, in a term above the one `isolated` shows. */
function leaderBeyond(isolated: number): (cards: CardView[]) => CardView | null {
  return (cards) => {
    const old = card(cards, isolated);
    const others = cards.filter((c) => c.id !== isolated && isLiveLeader(c) && (c.term ?? 0) > (old.term ?? 0));
    return others.length === 1 ? others[0] : null;
  };
}

/** Raft timings typed into the start form before "Start cluster"; other fields keep their defaults. */
export interface Timings {
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatMs: number;
}

/**
 * Step 1: "Start cluster" with the form's defaults (5 nodes, a light workload), except for
 * `timings` if given; resolves with the first leader's card.
 */
export async function startClusterAndAwaitLeader(ctx: FlowContext, timings?: Timings): Promise<CardView> {
  const { page } = ctx;
  const nodes = Number(await page.getByLabel('Nodes', { exact: true }).inputValue());
  if (timings) {
    await page.getByLabel('Election timeout max (ms)').fill(String(timings.electionTimeoutMaxMs));
    await page.getByLabel('Election timeout min (ms)').fill(String(timings.electionTimeoutMinMs));
    await page.getByLabel('Heartbeat (ms)').fill(String(timings.heartbeatMs));
  }
  await page.getByRole('button', { name: 'Start cluster' }).click();
  const leader = await waitForCards(ctx, `${nodes} running nodes, each showing a term, exactly one of them leader`, (cards) => {
    if (cards.length !== nodes) return null;
    if (cards.some((c) => c.term === null || c.process !== 'running')) return null;
    return soleLeader(cards);
  });
  await expect.poll(() => readPhase(page)).toBe('running');
  // The cluster header names the leader too (it may have moved on by now, so any node).
  await page.getByRole('status').filter({ hasText: new RegExp(`\\b${nodes} nodes, leader: node \\d+`) }).waitFor({ timeout: ELECTION_DEADLINE_MS });
  ctx.log(`first leader: node ${leader.id} in term ${leader.term}`);
  return leader;
}

export interface AfterKill {
  /** The leader's card just before the kill. */
  killed: CardView;
  newLeader: CardView;
  electionsBefore: ElectionView;
  electionsAfter: ElectionView;
}

/**
 * Step 2: kill the current leader from its card; another node leads a higher term, and the
 * election chart counts the election and lists its time with the cause "leader killed".
 * The leader is read right before the click: on a loaded machine leadership can move on
 * its own (CheckQuorum steps a starved leader down), so the first leader may be gone.
 */
export async function killLeaderAndAwaitNewLeader(ctx: FlowContext): Promise<AfterKill> {
  const { page } = ctx;
  const leader = await waitForCards(ctx, 'one leader with every node running', (cards) =>
    cards.every((c) => c.process === 'running') ? soleLeader(cards) : null,
  );
  const electionsBefore = await readElections(page);
  if (electionsBefore.count === null) throw new Error(`the election panel shows no count (text: ${JSON.stringify(electionsBefore.countText)})`);
  await page.getByRole('button', { name: `Kill node ${leader.id}` }).click();
  const newLeader = await waitForCards(ctx, `node ${leader.id} killed and another node leading a term above ${leader.term}`, (cards) => {
    const next = soleLeader(cards.filter((c) => c.id !== leader.id));
    if (card(cards, leader.id).process !== 'killed' || !next || (next.term ?? 0) <= (leader.term ?? 0)) return null;
    return next;
  });
  let electionsAfter: ElectionView = electionsBefore;
  await waitFor(
    async () => {
      electionsAfter = await readElections(page);
      return (electionsAfter.count ?? 0) > (electionsBefore.count ?? 0) && electionsAfter.recent.some((r) => r.includes('leader killed'));
    },
    {
      what: 'the election chart to count one more election and list its time as "leader killed"',
      timeoutMs: ELECTION_DEADLINE_MS,
      intervalMs: POLL_MS,
      describe: () => `before: ${JSON.stringify(electionsBefore)}; now: ${JSON.stringify(electionsAfter)}`,
    },
  );
  await page.getByText(/Last election: \d+ ms without a leader \(/).waitFor({ timeout: ELECTION_DEADLINE_MS });
  ctx.log(`killed leader node ${leader.id} (term ${leader.term}); node ${newLeader.id} leads term ${newLeader.term}; "${electionsBefore.countText}" -> "${electionsAfter.countText}"; recent: ${electionsAfter.recent.join(' | ')}`);
  return { killed: leader, newLeader, electionsBefore, electionsAfter };
}

/** Restarts a node from its card and waits until it runs again as a follower of the current term. */
export async function restartNodeAndAwaitFollower(ctx: FlowContext, id: number): Promise<CardView> {
  await ctx.page.getByRole('button', { name: `Restart node ${id}` }).click();
  return waitForCards(ctx, `node ${id} running again as a follower with every node running`, (cards) => {
    const c = card(cards, id);
    const leader = soleLeader(cards);
    if (c.process !== 'running' || c.role !== 'follower' || !leader || (c.term ?? 0) < (leader.term ?? 0)) return null;
    return cards.every((x) => x.process === 'running') ? c : null;
  });
}

export interface AfterPartition {
  oldLeader: CardView;
  newLeader: CardView;
  /** The old leader's commit index while isolated, and how far the majority got meanwhile. */
  stalledCommit: number;
  majorityCommitDuringStall: { from: number; to: number };
  /** The majority's commit index when the network healed, and the old leader's once caught up. */
  commitAtHeal: number;
  oldLeaderCaughtUp: CardView;
}

/**
 * Step 3: "Isolate leader": the majority elects another leader with a higher term, and the
 * isolated old leader commits nothing more while the new one keeps committing the workload's
 * writes (§5.3: an entry commits only once a majority stores it). "Heal network": the old
 * leader learns the new term and its commit index catches up.
 */
export async function isolateLeaderThenHeal(ctx: FlowContext): Promise<AfterPartition> {
  const { page } = ctx;
  await waitForCards(ctx, 'one leader with every node running', (cards) => (cards.every((c) => c.process === 'running') ? soleLeader(cards) : null));
  await page.getByRole('button', { name: 'Isolate leader' }).click();
  // Which node the lab cut off is read from the network graph, not assumed from the cards:
  // the cards trail the cluster a little, and leadership may have just moved on.
  const ids = (await readCards(page)).map((c) => c.id);
  let blocked: Array<[number, number]> = [];
  const isolated = await waitFor(
    async () => {
      blocked = await readBlockedLinks(page);
      return isolatedNode(blocked, ids);
    },
    { what: 'the network graph to show one node cut off from the rest', timeoutMs: ELECTION_DEADLINE_MS, intervalMs: POLL_MS, describe: () => JSON.stringify(blocked) },
  );
  const oldLeader = card(await readCards(page), isolated);
  await waitForCards(ctx, `a node other than ${isolated} leading a term above node ${isolated}'s`, leaderBeyond(isolated));
  await ctx.shot('03-isolated');

  // The stall: a window of STALL_WINDOW_MS in which the old leader's commit index never
  // changes while the majority's (the highest among the other nodes: leadership may move
  // within the majority) grows. The window restarts whenever the old one changes, so a late
  // update from before the partition is not mistaken for progress; a commit index that
  // keeps creeping up never gives a quiet window and the wait times out.
  const majorityCommit = (cards: CardView[]) => Math.max(...cards.filter((c) => c.id !== oldLeader.id).map((c) => c.commit ?? 0));
  let windowStart = { at: performance.now(), old: -1, majority: -1 };
  const stall = await waitForCards(
    ctx,
    `node ${oldLeader.id}'s commit index to stay put for ${STALL_WINDOW_MS} ms while the majority's grows by ${STALL_MIN_PROGRESS}`,
    (cards) => {
      const old = card(cards, oldLeader.id);
      if (old.commit === null) return null;
      const majority = majorityCommit(cards);
      const now = performance.now();
      if (old.commit !== windowStart.old) {
        windowStart = { at: now, old: old.commit, majority };
        return null;
      }
      if (now - windowStart.at < STALL_WINDOW_MS || majority < windowStart.majority + STALL_MIN_PROGRESS) return null;
      return { stalledCommit: old.commit, from: windowStart.majority, to: majority };
    },
    ELECTION_DEADLINE_MS,
  );
  ctx.log(`node ${oldLeader.id} stayed at commit ${stall.stalledCommit} while the majority went ${stall.from} -> ${stall.to}`);
  // The majority's leader now, after the quiet window (any lag in the cards has caught up).
  const newLeader = await waitForCards(ctx, `a node other than ${isolated} leading a term above node ${isolated}'s`, leaderBeyond(isolated));
  ctx.log(`isolated node ${isolated} (term ${oldLeader.term}); node ${newLeader.id} leads term ${newLeader.term}`);

  await page.getByRole('button', { name: 'Heal network' }).click();
  const commitAtHeal = majorityCommit(await readCards(page));
  const oldLeaderCaughtUp = await waitForCards(
    ctx,
    `node ${oldLeader.id} to follow the new term and reach commit ${commitAtHeal}`,
    (cards) => {
      const old = card(cards, oldLeader.id);
      const leader = soleLeader(cards);
      if (!leader || old.process !== 'running' || old.role !== 'follower') return null;
      if ((old.term ?? 0) < (leader.term ?? 0) || (old.commit ?? 0) < commitAtHeal) return null;
      return old;
    },
  );
  ctx.log(`healed: node ${oldLeader.id} is a follower in term ${oldLeaderCaughtUp.term} at commit ${oldLeaderCaughtUp.commit} (>= ${commitAtHeal})`);
  return {
    oldLeader,
    newLeader,
    stalledCommit: stall.stalledCommit,
    majorityCommitDuringStall: { from: stall.from, to: stall.to },
    commitAtHeal,
    oldLeaderCaughtUp,
  };
}

export interface ExportedRun {
  runDir: string;
  fileNames: string[];
  events: RunEvent[];
  summary: Summary;
  traceEvents: number;
  metrics: { header: string[]; rows: number };
  historyEdnLines: number;
}

/** The files every export must contain (report.html and history.jsonl are checked for presence only). */
export const REQUIRED_FILES = ['events.jsonl', 'summary.json', 'trace.json', 'metrics.csv', 'history.edn'];

/** Step 4: "Stop cluster", "Export run", then every file parsed. */
export async function stopAndExport(ctx: FlowContext): Promise<ExportedRun> {
  const { page } = ctx;
  await page.getByRole('button', { name: 'Stop cluster' }).click();
  // Stopping runs the history checkers, which can take a while on a long run.
  await waitFor(async () => (await readPhase(page)) === 'idle', {
    what: 'the cluster to stop (phase idle)',
    timeoutMs: 90_000,
    intervalMs: 200,
  });
  // The summary the stop produced, and the Run panel naming the run that stopped.
  const summaryHeading = page.getByRole('heading', { name: /^Summary of run \S+/ });
  await summaryHeading.waitFor({ timeout: ELECTION_DEADLINE_MS });
  const runId = ((await summaryHeading.textContent()) ?? '').trim().replace(/^Summary of run /, '');
  await page.getByRole('status').filter({ hasText: `Run ${runId} — stopped` }).waitFor({ timeout: ELECTION_DEADLINE_MS });
  await page.getByRole('button', { name: 'Export run' }).click();
  const region = page.getByRole('region', { name: 'Exported files' });
  await region.waitFor({ timeout: 60_000 });
  const alert = await readAlert(page);
  if (alert) throw new Error(`an action failed during stop/export: ${alert}`);
  const runDir = ((await region.locator('code').first().textContent()) ?? '').trim();
  if (runDir.length === 0) throw new Error('the export shows no run directory');
  if (!runDir.endsWith(runId)) throw new Error(`the export shows ${runDir}, not the directory of run ${runId}`);
  const items = await region.getByRole('listitem').allTextContents();
  const fileNames = items.map((t) => t.trim().split(/\s+/)[0]);
  ctx.log(`exported to ${runDir}: ${items.map((t) => t.trim().replace(/\s+/g, ' ')).join('; ')}`);
  const missing = REQUIRED_FILES.filter((f) => !fileNames.includes(f));
  if (missing.length > 0) throw new Error(`the export lacks ${missing.join(', ')} (listed: ${fileNames.join(', ')})`);

  const text: Record<string, string> = {};
  for (const name of REQUIRED_FILES) text[name] = await ctx.readExported(runDir, name);
  await ctx.shot('05-exported');
  const metrics = parseMetricsCsv(text['metrics.csv']);
  return {
    runDir,
    fileNames,
    events: parseEventsJsonl(text['events.jsonl']),
    summary: parseSummary(text['summary.json']),
    traceEvents: parseTrace(text['trace.json']).traceEvents.length,
    metrics: { header: metrics.header, rows: metrics.rows.length },
    historyEdnLines: checkHistoryEdn(text['history.edn']),
  };
}
