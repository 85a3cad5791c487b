/**
 * The experiment channels' answers (src/lab/experiments/experimentView.ts): a figure16 folder
 * read back into panels, CDFs and the statistics table with the paper's values, and an A/B
 * comparison of two trial sets with the differences and their intervals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialSet } from '../../../src/analysis/figure16';
import { SeededRng } from '../../../src/raft/rng';
import { compareRuns, openExperiment } from '../../../src/lab/experiments/experimentView';
import { trialSetJson } from '../../../src/lab/experiments/figure16';

const dir = mkdtempSync(join(tmpdir(), 'raftlab-experiment-view-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function set(mode: TrialSet['mode'], shift: number, seed: number): TrialSet {
  const rng = new SeededRng(seed);
  const variant = (label: string, min: number, max: number) => ({
    label,
    electionTimeoutMinMs: min,
    electionTimeoutMaxMs: max + 1,
    heartbeatMs: min / 2,
    tickMs: 1,
    timeoutRandomness: `[${min}, ${max + 1}) ms`,
    samples: Array.from({ length: 60 }, () => Math.round((min + shift + rng.nextFloat() * (max - min + 30)) * 1000) / 1000),
    unresolved: 0,
    wallMs: 1,
  });
  return {
    format: 'raftlab-election-trials',
    version: 1,
    mode,
    name: 'figure16',
    nodes: 5,
    networkDelay: { delayMs: 7, jitterMs: 2 },
    seed: 1,
    trialsPerVariant: 60,
    finishedAt: '2026-12-02T00:00:00.000Z',
    variants: [variant('150–155', 150, 155), variant('12–24', 12, 24)],
  };
}

describe('experiment:open', () => {
  it('reads a figure16 folder into both panels with stats, curves, the paper and real against simulated', () => {
    writeFileSync(join(dir, 'trials-real.json'), trialSetJson(set('real', 0, 1)));
    writeFileSync(join(dir, 'trials-sim.json'), trialSetJson(set('sim', 0, 2)));
    writeFileSync(join(dir, 'figure16.html'), '<!doctype html>');
    const view = openExperiment(dir);
    expect(view.kind).toBe('figure16');
    // What the app's Compare picker offers as A and B (experiment:compare takes trials files).
    // With each file's ranges: `path#range` compares one range with another.
    expect(view.sources).toEqual([
      { mode: 'real', path: join(dir, 'trials-real.json'), variants: ['150–155', '12–24'] },
      { mode: 'sim', path: join(dir, 'trials-sim.json'), variants: ['150–155', '12–24'] },
    ]);
    expect(view.panels.map((p) => p.name)).toEqual(['top', 'bottom']);
    const top = view.panels[0];
    expect(top.stats.map((r) => [r.label, r.mode, r.n])).toEqual([['150–155', 'real', 60], ['150–155', 'sim', 60]]);
    const row = top.stats[0];
    expect(row.p50Low!).toBeLessThanOrEqual(row.p50!);
    expect(row.p50High!).toBeGreaterThanOrEqual(row.p50!);
    expect(row.paper).toBe('p50 287');
    expect(top.paper).toEqual([{ label: '150–155', what: 'p50', ms: 287, percent: 50 }]);
    expect(top.curves.map((c) => [c.name, c.dashed])).toEqual([['150–155 real', false], ['150–155 sim', true]]);
    expect(top.curves[0].points.at(-1)![1]).toBe(100);
    expect(top.agreement).toHaveLength(1);
    expect(view.panels[1].stats[0].paper).toBe('mean 35, max 152');
  });

  it('refuses a folder without trial sets, naming it', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(() => openExperiment(empty)).toThrow(/no trials-real.json or trials-sim.json/);
    expect(() => openExperiment(join(dir, 'nope'))).toThrow(/does not exist/);
  });
});

describe('experiment:compare', () => {
  it('compares B with A per metric, with intervals and a verdict', () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, trialSetJson(set('real', 0, 3)));
    writeFileSync(b, trialSetJson(set('real', 200, 4)));
    const view = compareRuns([a, b], 5);
    expect(view.runs.map((r) => r.name)).toEqual(['A', 'B']);
    const m = view.metrics.find((x) => x.name === 'election time 150–155 (ms)')!;
    expect(m.stats.map((s) => s.n)).toEqual([60, 60]);
    expect(m.curves.map((c) => c.name)).toEqual([`A: ${basename(dir)}/a.json`, `B: ${basename(dir)}/b.json`]);
    const d = m.differences[0];
    expect(d.diff!.low).toBeGreaterThan(0);
    expect(d.worse).toBe(true);
    expect(d.verdict).toBe('B WORSE by > 5%');
  });

  it('compares two ranges of one trials file (path#range; a hyphen stands for the dash), and names the ranges a file has', () => {
    const file = join(dir, 'ranges.json');
    writeFileSync(file, trialSetJson(set('real', 0, 5)));
    const view = compareRuns([`${file}#12-24`, `${file}#150–155`]);
    expect(view.metrics.map((m) => m.name)).toEqual(['election time, one range (ms)']);
    const m = view.metrics[0];
    expect(m.curves.map((c) => c.name)).toEqual([`A: ${basename(dir)}/ranges.json 12–24`, `B: ${basename(dir)}/ranges.json 150–155`]);
    // 150–155 ms timeouts elect later than 12–24 ms ones (Figure 16, bottom panel against top).
    expect(m.differences[0].diff!.low).toBeGreaterThan(0);
    expect(m.differences[0].worse).toBe(true);
    expect(() => compareRuns([`${file}#150-300`, `${file}#12-24`])).toThrow('ranges.json has no range "150–300"; it has 150–155, 12–24');
  });
});
