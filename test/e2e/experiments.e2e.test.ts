/**
 * End to end, in browser mode: the Experiments view (issue 14 parts 5 and 6). Two small but
 * real Figure 16 experiments (§9.3) are made first, in the simulator, by the code
 * `raftlab figure16 --mode sim` runs (src/lab/experiments/figure16.ts): A with the paper's
 * setting (one-way delay 7 ms + U[0, 2) ms, both panels), B with a slower network (20 ms +
 * U[0, 5) ms, top panel only, where the timeouts are long enough for it). Then the page, driven
 * by keyboard where a person would type, opens A through the view's form; each panel's chart
 * must hold exactly the lab's curves (read from ECharts' own accessible description of its
 * series, and from the chart's text alternative) and the statistics table must show the lab's
 * numbers (experiment:open, asked of the same Lab). It opens B, compares B's trials with A's
 * with a 5% gate, and the table must show the lab's answer (experiment:compare): B slower,
 * with the intervals and p values the lab computed. Two short recorded runs of real processes
 * (three leader kills each), listed from the lab, compare too (election time, commit latency,
 * throughput). The measured Figure 16 in docs/ shows real beside simulated with the lab's
 * agreement verdicts. A folder without trials gets a clear error. axe finds no serious or critical violation in the light and the dark scheme.
 *
 * Needs a Chromium (see helpers/browsers.ts); skipped without one unless CI is set.
 * Screenshots: test-results/e2e/experiments-{light,dark}.png and experiments-figure16.png (docs/screenshot-experiments.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { Lab } from '../../src/lab/lab';
import type { Figure16Panel } from '../../src/analysis/figure16';
import type { ComparisonView, ExperimentPanelView, ExperimentView } from '../../src/contract/labApiExperiments';
import { runRealElectionTrials } from '../../src/lab/experiments/electionTrials';
import { DEFAULT_FIGURE16, runFigure16 } from '../../src/lab/experiments/figure16';
import { ARTEFACT_DIR, REPO_ROOT } from './helpers/artefacts';
import { describeAxe, seriousAxeViolations } from './helpers/axe';
import { openLabSession, suiteBrowser, type LabSession } from './helpers/labSession';

const UI_DEADLINE_MS = 15_000;
/** Simulated trials per range: enough for a smooth curve, a few seconds for both panels. */
const SIM_TRIALS = 100;

const browser = suiteBrowser('the experiments tests');

/** The digits the view prints (one decimal), or "–" for a value the lab left out. */
const f1 = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v.toFixed(1));

/** The statistics table's rows as the view must print the lab's answer. */
function statsRows(panel: ExperimentPanelView): string[][] {
  const mode = (m: 'real' | 'sim') => (m === 'sim' ? 'simulated' : 'real processes');
  return panel.stats.map((r) => [r.label, mode(r.mode), String(r.n), String(r.unresolved), f1(r.mean), f1(r.p50), `${f1(r.p50Low)} to ${f1(r.p50High)}`, f1(r.p90), f1(r.p99), f1(r.max), r.paper ?? '–']);
}

const pText = (p: number) => (p < 1e-6 ? '< 1e-6' : p.toPrecision(2));

/** A table's body rows as lists of cell texts (the row header first), as a reader sees them. */
async function tableRows(table: Locator): Promise<string[][]> {
  return table.locator('tbody tr').evaluateAll((rows) =>
    // Page-side code: this file is compiled without the DOM library, hence the narrow element type.
    rows.map((r) => Array.from((r as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll('th, td')).map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

/** ECharts' description of what its instance holds (aria: enabled), on the chart's container. */
async function echartsDescription(figure: Locator): Promise<string> {
  const el = figure.locator('div[aria-label]').first();
  await el.waitFor({ timeout: UI_DEADLINE_MS });
  return (await el.getAttribute('aria-label')) ?? '';
}

describe.skipIf(browser.skip)('the Experiments view in browser mode (headless Chromium)', () => {
  let session: LabSession | undefined;
  let lab: Lab;
  let page: Page;
  let problems: string[] = [];
  let expected: ExperimentView | undefined;
  let compared = false;

  beforeAll(async () => {
    session = await openLabSession(browser, { runs: 'runs-experiments', viewport: { width: 1440, height: 900 } });
    ({ lab, page, problems } = session);
  });

  afterAll(() => session?.close());

  it('makes two simulated Figure 16 experiments, as raftlab figure16 --mode sim does', async () => {
    if (!session) throw new Error('the session did not open');
    const started = performance.now();
    const experiments: Array<{ name: string; panels: Figure16Panel[]; networkDelay: { delayMs: number; jitterMs: number } }> = [
      { name: 'exp-a', panels: ['top', 'bottom'], networkDelay: DEFAULT_FIGURE16.networkDelay },
      { name: 'exp-b', panels: ['top'], networkDelay: { delayMs: 20, jitterMs: 5 } },
    ];
    for (const e of experiments) {
      const outDir = join(session.runsDir, e.name);
      mkdirSync(outDir, { recursive: true });
      const { sets } = await runFigure16({ ...DEFAULT_FIGURE16, modes: ['sim'], trialsSim: SIM_TRIALS, outDir, panels: e.panels, networkDelay: e.networkDelay });
      expect(sets).toHaveLength(1);
      for (const v of sets[0].variants) expect(v.samples.length + v.unresolved, `${e.name} ${v.label}`).toBe(SIM_TRIALS);
    }
    console.log(`[e2e experiments] two simulated experiments (${SIM_TRIALS} trials per range) in ${Math.round(performance.now() - started)} ms`);
  });

  it('opens experiment A by keyboard and draws the lab\'s curves and statistics for both panels', async () => {
    expected = await lab.handle('experiment:open', { path: 'exp-a' });
    expect(expected.panels.map((p) => p.name)).toEqual(['top', 'bottom']);

    // The view is closed until asked for: its toggle says so, and opens it from the keyboard.
    const toggle = page.getByRole('button', { name: 'Show experiments' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Hide experiments' }).waitFor({ timeout: UI_DEADLINE_MS });

    const field = page.getByLabel('Experiment folder');
    await field.focus();
    await page.keyboard.type('exp-a');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: expected.title }).waitFor({ timeout: UI_DEADLINE_MS });
    expect(await page.getByRole('article', { name: expected.title }).getByText(expected.setting).count()).toBe(1);

    for (const panel of expected.panels) {
      const section = page.getByRole('region', { name: panel.title });
      const figure = section.getByRole('figure', { name: `Cumulative percent of trials against election time: ${panel.title}` });
      // What ECharts holds: one series per curve of the lab's answer, in its order, then the paper's markers.
      const names = [...panel.curves.map((c) => c.name), ...(panel.paper.length > 0 ? ['paper (§9.3)'] : [])];
      let aria = '';
      await expect
        .poll(async () => (aria = await echartsDescription(figure)), { timeout: UI_DEADLINE_MS })
        .toContain(`It consists of ${names.length} series count.`);
      // "The 0 series is a Line chart representing 150–150 sim.The first 10 items are: 1411.835, 0, 1411.835, 1, ..."
      const drawn = [...aria.matchAll(/series is a [\w ]+? representing (.+?)\.(?=The |\s|$)(?:(?:The first \d+ items are|The data is as follows): ([^,]+), ([^,]+), ([^,]+), ([^,]+))?/g)];
      expect(drawn.map((m) => m[1]), `${panel.name} panel: ${aria.slice(0, 400)}`).toEqual(names);
      // Each curve's data begins where the lab's CDF begins: at its first time, rising from 0 to its first percent.
      for (const c of panel.curves) {
        const m = drawn.find((d) => d[1] === c.name)!;
        expect(m.slice(2, 6).map(Number), c.name).toEqual([c.points[0][0], 0, c.points[0][0], c.points[0][1]]);
      }
      // The text alternative, from the same data: every curve's steps and span, as the lab sent them.
      const describedBy = await figure.getAttribute('aria-describedby');
      const alt = (await page.locator(`[id="${describedBy}"]`).textContent()) ?? '';
      for (const c of panel.curves) {
        const first = c.points[0][0];
        const last = c.points.at(-1)![0];
        const ms = (v: number) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;
        expect(alt).toContain(`${c.name} (dashed): ${c.points.length} steps from ${ms(first)} to ${ms(last)}.`);
        expect(c.points.at(-1)![1], `${c.name} reaches 100%`).toBe(100);
      }
      for (const pt of panel.paper) expect(alt).toContain(`paper's ${pt.what} for ${pt.label}`);

      // The statistics table: the lab's numbers, row for row, to the digit the view prints.
      const table = section.getByRole('table', { name: `Election times per timeout range (ms): ${panel.title}` });
      const headers = await table.getByRole('columnheader').allTextContents();
      expect(headers.map((h) => h.trim())).toEqual(['range (ms)', 'mode', 'n', 'unresolved', 'mean (ms)', 'p50 (ms)', 'p50 95% CI (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', 'paper (§9.3)']);
      const rows = await tableRows(table);
      expect(rows).toEqual(statsRows(panel));
      expect(rows.every((r) => r[1] === 'simulated')).toBe(true);
      // Figure 16's top panel: no randomness elects slowest of all (§9.3, split votes).
      if (panel.name === 'top') {
        const p50 = (label: string) => panel.stats.find((r) => r.label === label)!.p50!;
        expect(p50('150–150')).toBeGreaterThan(p50('150–300'));
      }
    }
  });

  it('says why a folder without trials cannot be opened, and keeps the experiment on screen', async () => {
    if (!expected) throw new Error('an earlier step failed');
    const field = page.getByLabel('Experiment folder');
    await field.fill('no-such-experiment');
    await page.getByRole('button', { name: 'Open experiment' }).click();
    const alert = page.locator('#experiments').getByRole('alert');
    await alert.waitFor({ timeout: UI_DEADLINE_MS });
    expect(await alert.textContent()).toMatch(/Open experiment failed: .*no-such-experiment does not exist/);
    expect(await page.getByRole('heading', { name: expected.title }).count()).toBe(1);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    expect(await alert.count()).toBe(0);
  });

  it('opens B and compares its trials with A\'s, showing the lab\'s differences and verdicts', async () => {
    if (!expected || !session) throw new Error('an earlier step failed');
    await page.getByLabel('Experiment folder').fill('exp-b');
    await page.getByRole('button', { name: 'Open experiment' }).click();
    await page.locator('article.experiment[data-path$="exp-b"]').waitFor({ timeout: UI_DEADLINE_MS });

    const a = join(session.runsDir, 'exp-a', 'trials-sim.json');
    const b = join(session.runsDir, 'exp-b', 'trials-sim.json');
    const want: ComparisonView = await lab.handle('experiment:compare', { runs: [a, b], failIfSlowerPct: 5 });

    const form = page.getByRole('form', { name: 'Compare two trial sets' });
    await form.getByLabel('A (baseline)').selectOption({ label: '…/runs-experiments/exp-a: simulated (Figure 16: leader election performance)' });
    await form.getByLabel('B (compared with A)').selectOption({ label: '…/runs-experiments/exp-b: simulated (Figure 16: leader election performance)' });
    await form.getByLabel('Gate (%)').fill('5');
    await form.getByRole('button', { name: 'Compare' }).click();

    const table = page.getByRole('table', { name: /^B against A, metric by metric/ });
    await table.waitFor({ timeout: UI_DEADLINE_MS });
    const rows = await tableRows(table);
    const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
    const expectedRows = want.metrics.flatMap((m) =>
      m.differences.map((d) => [
        m.name,
        d.run,
        String(m.stats.find((s) => s.run === 'A')!.n),
        String(m.stats.find((s) => s.run === d.run)!.n),
        f1(d.medianA),
        f1(d.medianB),
        d.diff ? `${f1(d.diff.estimate)} (${f1(d.diff.low)} to ${f1(d.diff.high)})` : '–',
        d.relative ? `${pct(d.relative.estimate)} (${pct(d.relative.low)} to ${pct(d.relative.high)})` : '–',
        d.p === null ? '–' : pText(d.p),
        d.verdict,
      ]),
    );
    expect(rows).toEqual(expectedRows);
    // B shares the top panel's six ranges; a 20 ms network makes at least one clearly slower.
    expect(rows.map((r) => r[0])).toEqual(['150–150', '150–151', '150–155', '150–175', '150–200', '150–300'].map((l) => `election time ${l} (ms)`));
    const worse = want.metrics.flatMap((m) => m.differences).filter((d) => d.worse).length;
    expect(worse, 'B (20 ms one way) is slower than A (7 ms) beyond 5% in some range').toBeGreaterThan(0);
    expect(rows.filter((r) => r[9] === 'B WORSE by > 5%')).toHaveLength(worse);
    expect(await page.locator('#experiments .comparison-verdict').textContent()).toContain(`${worse} of ${rows.length} metrics: B is worse than A by more than 5% with 95% confidence.`);
    // The bottom panel's ranges are in A only: said, not silently dropped.
    expect(await page.getByText(/^Only in A, not compared: election time 12–24 \(ms\)/).count()).toBe(1);

    // One metric's distributions overlaid, as the lab sent them; another chosen in the list is drawn instead.
    for (const name of ['election time 150–150 (ms)', 'election time 150–300 (ms)']) {
      await page.getByLabel('Distribution drawn').selectOption(name);
      const metric = want.metrics.find((m) => m.name === name)!;
      const figure = page.getByRole('figure', { name: `Cumulative percent against ${name}: A and B overlaid` });
      await expect.poll(async () => [...(await echartsDescription(figure)).matchAll(/representing (.+?)\.(?=The |\s|$)/g)].map((m) => m[1]), { timeout: UI_DEADLINE_MS })
        .toEqual(metric.curves.map((c) => c.name));
    }
    compared = true;
  });

  it('compares two recorded runs of real processes, listed from the lab, as raftlab compare RUN_A RUN_B does', async () => {
    if (!compared || !session) throw new Error('an earlier step failed');
    // Two short recordings on real node processes: three kills of the leader each (§9.3's loop, src/lab/experiments/electionTrials.ts).
    const runDirs: string[] = [];
    for (const seed of [1, 2]) {
      const r = await runRealElectionTrials({ range: { label: '150–300', minMs: 150, maxMs: 300 }, trials: 3, nodes: 3, tickMs: 1, networkDelay: { delayMs: 0, jitterMs: 0 }, seed, runsDir: session.runsDir });
      expect(r.variant.samples.length, `run ${seed}: an election after every kill`).toBe(3);
      runDirs.push(r.runDir);
    }
    const want = await lab.handle('experiment:compare', { runs: runDirs });
    const form = page.getByRole('form', { name: 'Compare two trial sets' });
    await form.getByRole('button', { name: 'List recorded runs' }).click();
    const runLabel = (dir: string) => `run ${dir.split(/[\\/]/).pop()} (3 nodes)`;
    await form.getByLabel('A (baseline)').locator('option', { hasText: runLabel(runDirs[0]) }).waitFor({ state: 'attached', timeout: UI_DEADLINE_MS });
    await form.getByLabel('A (baseline)').selectOption({ label: runLabel(runDirs[0]) });
    await form.getByLabel('B (compared with A)').selectOption({ label: runLabel(runDirs[1]) });
    await form.getByLabel('Gate (%)').fill('');
    await form.getByRole('button', { name: 'Compare' }).click();
    const table = page.getByRole('table', { name: /^B against A, metric by metric/ });
    let rows: string[][] = [];
    await expect.poll(async () => (rows = await tableRows(table)).map((r) => r[0]), { timeout: UI_DEADLINE_MS })
      .toEqual(['election time (ms)', 'commit latency (ms)', 'throughput (ops/s, per second)']);
    const election = want.metrics.find((m) => m.name === 'election time (ms)')!;
    const d = election.differences[0];
    expect(rows[0].slice(1, 6)).toEqual(['B', '3', '3', f1(d.medianA), f1(d.medianB)]);
    expect(rows[0][9]).toBe(d.verdict);
    // No workload ran: latency and throughput have no samples, and the view says so, as the lab does.
    expect(rows.slice(1).map((r) => r[9])).toEqual(['no samples', 'no samples']);
  });

  it('opens the Figure 16 measured for docs/ by its full path: real processes beside the simulator, with the lab\'s verdicts on their agreement', async () => {
    if (!compared) throw new Error('an earlier step failed');
    const folder = join(REPO_ROOT, 'docs', 'experiments', 'figure16');
    const want = await lab.handle('experiment:open', { path: folder });
    await page.getByLabel('Experiment folder').fill(folder);
    await page.getByRole('button', { name: 'Open experiment' }).click();
    await page.locator(`article.experiment[data-path="${want.path}"]`).waitFor({ timeout: UI_DEADLINE_MS });
    expect(want.sources.map((s) => s.mode)).toEqual(['real', 'sim']);
    for (const panel of want.panels) {
      const section = page.getByRole('region', { name: panel.title });
      const rows = await tableRows(section.getByRole('table', { name: `Election times per timeout range (ms): ${panel.title}` }));
      expect(rows).toEqual(statsRows(panel));
      expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['real processes', 'simulated']));
      // §9.3 beside ours, and real against simulated per range (issue 14 part 4), in the lab's words and numbers.
      expect(panel.agreement.length).toBeGreaterThan(0);
      const items = (await section.getByRole('list', { name: 'Real processes against the simulator' }).getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      expect(items).toEqual(
        panel.agreement.map((a) => `${a.label}: real − simulated median ${f1(a.diff.estimate)} ms (95% CI ${f1(a.diff.low)} to ${f1(a.diff.high)}), Mann–Whitney ${a.p < 1e-6 ? 'p < 1e-6' : `p = ${pText(a.p)}`}: ${a.agree ? 'the medians agree within the interval' : 'the medians differ'}`),
      );
    }
    await page.locator('#experiments article.experiment').screenshot({ path: join(ARTEFACT_DIR, 'experiments-figure16.png') });
  });

  it('has no serious or critical axe violation in the light and the dark scheme', async () => {
    if (!compared) throw new Error('an earlier step failed');
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.waitForFunction(`matchMedia('(prefers-color-scheme: ${colorScheme})').matches`);
      // The charts remount on a scheme change: wait for ECharts to describe them again.
      await expect.poll(async () => page.locator('#experiments figure div[aria-label]').count(), { timeout: UI_DEADLINE_MS }).toBeGreaterThan(0);
      await page.locator('#experiments').screenshot({ path: join(ARTEFACT_DIR, `experiments-${colorScheme}.png`) });
      const violations = await seriousAxeViolations(page);
      expect(violations, `${colorScheme} scheme:\n${describeAxe(violations)}`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('raised no errors in the page', () => {
    expect(problems).toEqual([]);
  });
});
