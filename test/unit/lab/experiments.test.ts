import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TrialSet } from '../../../src/analysis/figure16';
import { SeededRng } from '../../../src/raft/rng';
import { compareSubjects, comparisonText, readSubject, type Subject } from '../../../src/lab/experiments/compare';
import { rangesOf, readTrialSet, trialSetJson, trialsFile, writeTrialReport } from '../../../src/lab/experiments/figure16';
import { panelSvg, TRIAL_REPORT_CSP } from '../../../src/lab/experiments/trialReport';
import { plansFrom } from '../../../src/lab/cliPlans';
import { cmdCompare } from '../../../src/lab/cliExperiments';
import type { HistoryOp } from '../../../src/contract/runEvents';
import { syntheticRun } from './runGen';

function uniform(n: number, lo: number, hi: number, seed: number): number[] {
  const rng = new SeededRng(seed);
  return Array.from({ length: n }, () => lo + rng.nextFloat() * (hi - lo));
}

const subject = (path: string, election: number[], throughput: number[]): Subject => ({
  path,
  metrics: [
    { name: 'election time (ms)', better: 'lower', samples: election },
    { name: 'throughput (ops/s, per second)', better: 'higher', samples: throughput },
  ],
});

describe('compareSubjects (raftlab compare)', () => {
  it('flags B as worse beyond the gate only with confidence', () => {
    const a = subject('A', uniform(300, 100, 200, 1), uniform(60, 900, 1100, 2));
    const slower = subject('B', uniform(300, 130, 230, 3), uniform(60, 900, 1100, 4));
    const rows = compareSubjects(a, slower, { failIfSlowerPct: 10 });
    const election = rows.find((r) => r.name.startsWith('election'))!;
    // Medians 150 vs 180: +20%, its interval above +10%.
    expect(election.relative!.low).toBeGreaterThan(0.1);
    expect(election.worse).toBe(true);
    expect(rows.find((r) => r.name.startsWith('throughput'))!.worse).toBe(false);
    expect(compareSubjects(a, slower, { failIfSlowerPct: 40 }).some((r) => r.worse)).toBe(false);
    expect(comparisonText('A', 'B', rows, 10)).toMatch(/election time \(ms\).*B WORSE by > 10%/);
  });

  it('treats lower throughput as worse and equal distributions as no difference', () => {
    const a = subject('A', uniform(200, 100, 200, 1), uniform(60, 900, 1100, 2));
    const b = subject('B', uniform(200, 100, 200, 5), uniform(60, 500, 700, 6));
    const rows = compareSubjects(a, b, { failIfSlowerPct: 10 });
    expect(rows.find((r) => r.name.startsWith('throughput'))!.worse).toBe(true);
    expect(rows.find((r) => r.name.startsWith('election'))!.worse).toBe(false);
    expect(comparisonText('A', 'B', rows)).toMatch(/election time \(ms\).*no clear difference/);
  });
});

describe('trial sets and their report', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const set = (mode: 'real' | 'sim', shift: number): TrialSet => ({
    format: 'raftlab-election-trials',
    version: 1,
    mode,
    name: 'figure16',
    nodes: 5,
    networkDelay: { delayMs: 7, jitterMs: 2 },
    seed: 1,
    trialsPerVariant: 50,
    finishedAt: '2026-01-01T00:00:00.000Z',
    variants: rangesOf(['top', 'bottom']).map((r, i) => ({
      label: r.label,
      electionTimeoutMinMs: r.minMs,
      electionTimeoutMaxMs: r.maxMs + 1,
      heartbeatMs: Math.floor(r.minMs / 2),
      tickMs: 1,
      timeoutRandomness: `<b>${r.label}</b>`,
      samples: uniform(50, r.minMs + shift, r.maxMs + 30 + shift, i),
      unresolved: 0,
      wallMs: 1,
    })),
  });

  it('lists each range once even when both panels have it', () => {
    expect(rangesOf(['top', 'bottom']).map((r) => r.label)).toEqual(['150–150', '150–151', '150–155', '150–175', '150–200', '150–300', '12–24', '25–50', '50–100', '100–200']);
  });

  it('writes one SVG per panel and a page that escapes what the files hold', () => {
    dir = mkdtempSync(join(tmpdir(), 'raftlab-fig16-'));
    writeFileSync(join(dir, trialsFile('real')), JSON.stringify(set('real', 0)));
    writeFileSync(join(dir, trialsFile('sim')), JSON.stringify(set('sim', 5)));
    const files = writeTrialReport(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['figure16-top.svg', 'figure16-bottom.svg', 'figure16.html']);
    const page = readFileSync(join(dir, 'figure16.html'), 'utf8');
    expect(page).toContain('<img src="figure16-top.svg"');
    expect(page).toContain('&lt;b&gt;150–150&lt;/b&gt;');
    expect(page).not.toContain('<b>150');
    // The policy sits in an attribute, its quotes escaped (a browser decodes them).
    expect(page).toContain(TRIAL_REPORT_CSP.replace(/'/g, '&#39;'));
    expect(page).toMatch(/real − simulated median/);
    // The paper's values beside ours.
    expect(page).toContain('p50 287');
    expect(page).toContain('mean 35, max 152');
    const svg = readFileSync(join(dir, 'figure16-top.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('150–155 real');
    expect(svg).toContain('150–155 sim');
    expect(svg).toContain('paper (§9.3)');
  });

  it('refuses a file that is not a trial set, naming it', () => {
    dir = mkdtempSync(join(tmpdir(), 'raftlab-fig16-'));
    const bad = join(dir, 'x.json');
    writeFileSync(bad, JSON.stringify({ format: 'raftlab-election-trials', version: 1, mode: 'real', variants: [{ label: 'a', samples: [-1] }] }));
    expect(() => readTrialSet(bad)).toThrow(/x\.json: not a trial set: variants\[0\]\.samples must be a list of ms >= 0/);
    expect(() => writeTrialReport(dir)).toThrow(/no trials-real\.json or trials-sim\.json/);
  });

  it('compares two trial sets range by range', () => {
    dir = mkdtempSync(join(tmpdir(), 'raftlab-fig16-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(set('sim', 0)));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(set('real', 60)));
    const rows = compareSubjects(readSubject(join(dir, 'a.json')), readSubject(join(dir, 'b.json')), { failIfSlowerPct: 5 });
    expect(rows).toHaveLength(10);
    expect(rows.find((r) => r.name === 'election time 12–24 (ms)')!.worse).toBe(true);
  });

  it('writes each list of samples on one line and reads back the same set', () => {
    const s = set('real', 0);
    const text = trialSetJson(s);
    expect(JSON.parse(text)).toEqual(s);
    expect(text.split('\n').filter((l) => l.includes('"samples"'))).toHaveLength(s.variants.length);
  });

  it('draws an empty panel without failing', () => {
    expect(panelSvg({ panel: 'top', sets: [] })).toMatch(/^<svg/);
  });
});

describe('raftlab run flags for timer and network fidelity', () => {
  it('--tick-ms and --network-delay/--network-jitter reach the cluster options', () => {
    const [plan] = plansFrom({ 'tick-ms': '1', 'network-delay': '7.5', 'network-jitter': '1' });
    expect(plan.cluster.tickMs).toBe(1);
    expect(plan.cluster.networkDelay).toEqual({ delayMs: 7.5, jitterMs: 1 });
  });

  it('refuses bad values with the flag named', () => {
    expect(() => plansFrom({ 'tick-ms': '20' })).toThrow(/tickMs must be between 0 and 10/);
    expect(() => plansFrom({ 'network-delay': '-3' })).toThrow(/--network-delay must be a number of ms >= 0/);
  });
});

describe('raftlab compare on recorded runs', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A run folder: the synthetic run's events, and its history with every latency scaled. */
  function writeRun(name: string, latencyFactor: number): string {
    const run = syntheticRun();
    const history: HistoryOp[] = run.history.map((op) => ({ ...op, return: op.call + (op.return - op.call) * latencyFactor }));
    const path = join(dir, name);
    mkdirSync(path);
    writeFileSync(join(path, 'events.jsonl'), run.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeFileSync(join(path, 'history.jsonl'), history.map((o) => JSON.stringify(o)).join('\n') + '\n');
    return path;
  }

  it('reads election times, commit latency and throughput, and gates on a slower B', () => {
    dir = mkdtempSync(join(tmpdir(), 'raftlab-compare-'));
    const a = writeRun('a', 1);
    const b = writeRun('b', 3);
    const subject = readSubject(a);
    expect(subject.metrics.map((m) => m.name)).toEqual(['election time (ms)', 'commit latency (ms)', 'throughput (ops/s, per second)']);
    expect(subject.metrics[0].samples).toEqual(syntheticRun().expectedElectionMs);
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    try {
      expect(cmdCompare([a, b], { 'fail-if-slower': '50' })).toBe(1);
      expect(cmdCompare([a, a], { 'fail-if-slower': '50' })).toBe(0);
      expect(cmdCompare([a, b], {})).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/commit latency \(ms\).*B WORSE by > 50%/);
    expect(out.join('')).toMatch(/FAIL: B is worse than A by more than 50% with 95% confidence/);
  });

  it('refuses fewer than two runs and a missing one, with a usage error', () => {
    expect(() => cmdCompare(['x'], {})).toThrow(/at least two runs/);
    expect(() => cmdCompare(['/nonexistent-a', '/nonexistent-b'], {})).toThrow(/no such run directory or file/);
    expect(() => cmdCompare(['a', 'b'], { 'fail-if-slower': 'lots' })).toThrow(/--fail-if-slower must be a percentage/);
  });
});

describe('sweep reports (raftlab run with a sweep)', () => {
  it('pools repeats per variant under its own label and writes the page and the figure', async () => {
    const { sweepTrialSet, writeSweepReport } = await import('../../../src/lab/experiments/sweepReport');
    const { withDefaults } = await import('../../../src/contract/clusterOptions');
    const { computeSummary } = await import('../../../src/lab/export/summary');
    const run = syntheticRun();
    const summary = computeSummary(run.events, run.history, { runId: 'x' });
    const cluster = withDefaults({ electionTimeoutMinMs: 150, electionTimeoutMaxMs: 156, tickMs: 1 });
    const runs = [
      { label: 'fig/electionTimeoutMs=[150,156]/1', cluster, summary },
      { label: 'fig/electionTimeoutMs=[150,156]/2', cluster, summary },
      { label: 'fig/electionTimeoutMs=[150,301]/1', cluster: { ...cluster, electionTimeoutMaxMs: 301 }, summary },
    ];
    const set = sweepTrialSet('fig', runs, 1);
    expect(set.variants.map((v) => [v.label, v.samples.length])).toEqual([
      ['electionTimeoutMs=[150,156]', 2 * run.expectedElectionMs.length],
      ['electionTimeoutMs=[150,301]', run.expectedElectionMs.length],
    ]);
    expect(set.variants[0].timeoutRandomness).toMatch(/in 1 ms ticks/);
    const dir = mkdtempSync(join(tmpdir(), 'raftlab-sweep-'));
    try {
      const page = writeSweepReport(dir, 'fig', runs);
      const text = readFileSync(page, 'utf8');
      expect(text).toContain('<img src="sweep.svg"');
      expect(text).toContain('electionTimeoutMs=[150,301]');
      expect(readFileSync(join(page, '..', 'sweep.svg'), 'utf8')).toMatch(/^<svg/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
