/**
 * The Experiments view's pieces that run without a browser: the Figure 16 chart option
 * (renderer/src/components/experiments/cdfOption.ts: log x-axis, one step line per range,
 * real solid and simulated dashed, the paper's values as markers, §9.3) and the store
 * (renderer/src/stores/experiments.ts: what it asks the lab, what it keeps, what it refuses).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { LabApi, LabChannel, LabRequest, LabResult } from '../../../src/contract/labApi';
import type { ComparisonView, CurveView, ExperimentView } from '../../../src/contract/labApiExperiments';
import { cdfDescription, cdfOption, curveData, keyColour } from '../../../renderer/src/components/experiments/cdfOption';
import { palette } from '../../../renderer/src/charts/options/palette';
import { useExperimentsStore } from '../../../renderer/src/stores/experiments';
import { useLabStore } from '../../../renderer/src/stores/lab';

const curves: CurveView[] = [
  { name: '150–155 real', key: '150–155', dashed: false, points: [[160, 25], [200, 50], [300, 75], [700, 100]] },
  { name: '150–155 sim', key: '150–155', dashed: true, points: [[0, 50], [180, 100]] },
  { name: '12–24 sim', key: '12–24', dashed: true, points: [[15, 50], [40, 100]] },
];

describe('the Figure 16 chart option', () => {
  it('draws each curve as steps rising from 0 on a log axis spanning whole decades', () => {
    const p = palette('dark');
    const option = cdfOption({ curves, paper: [{ label: '150–155', what: 'p50', ms: 287, percent: 50 }], keys: ['150–155', '12–24'], palette: p });
    const x = option.xAxis as { type: string; min: number; max: number };
    expect(x.type).toBe('log');
    // 0 ms cannot sit on a log axis: drawn at 0.1 ms, so the axis starts at 0.1.
    expect([x.min, x.max]).toEqual([0.1, 1000]);
    const series = option.series as Array<{ id: string; data: unknown[]; lineStyle: { type?: string; opacity?: number }; color: string }>;
    expect(series.map((s) => s.id)).toEqual(['curve:150–155 real', 'curve:150–155 sim', 'curve:12–24 sim', 'paper']);
    expect(series[0].data).toEqual([[160, 0], [160, 25], [200, 50], [300, 75], [700, 100]]);
    expect(series[0].lineStyle.type).toBe('solid');
    expect(series[1].lineStyle.type).toBe('dashed');
    // A range keeps its colour across modes (and panels: the keys are the experiment's).
    expect(series[0].color).toBe(series[1].color);
    expect(series[2].color).toBe(keyColour(p, ['150–155', '12–24'], '12–24'));
    expect(series[2].color).not.toBe(series[0].color);
    expect(series[3].lineStyle.opacity).toBe(0);
    expect((series[3].data[0] as { value: number[] }).value).toEqual([287, 50]);
  });

  it('says in words what it drew, from the same data', () => {
    expect(curveData({ name: 'x', key: 'x', dashed: false, points: [] })).toEqual([]);
    const text = cdfDescription(curves, [{ label: '150–155', what: 'p50', ms: 287, percent: 50 }]);
    expect(text).toContain('150–155 real: 4 steps from 160 ms to 700 ms.');
    expect(text).toContain('12–24 sim (dashed): 2 steps from 15.0 ms to 40.0 ms.');
    expect(text).toContain("paper's p50 for 150–155: 287 ms");
    expect(cdfDescription([], [])).toMatch(/No curve/);
  });
});

/** Answers the experiment channels with scripted views; records the requests. */
function fakeLab(answers: Partial<Record<LabChannel, (req: unknown) => LabResult<unknown>>>): LabApi & { calls: Array<[LabChannel, unknown]> } {
  const calls: Array<[LabChannel, unknown]> = [];
  return {
    mode: 'electron',
    calls,
    async invoke<C extends LabChannel>(channel: C, request: LabRequest<C>) {
      calls.push([channel, request]);
      const a = answers[channel];
      return (a ? a(request) : { ok: false, error: `no answer for ${channel}` }) as never;
    },
    on: () => () => undefined,
  };
}

const view = (path: string, modes: Array<'real' | 'sim'>): ExperimentView => ({
  path,
  kind: 'figure16',
  sources: modes.map((mode) => ({ mode, path: `${path}/trials-${mode}.json`, variants: ['150–150', '150–300'] })),
  title: 'Figure 16: leader election performance',
  setting: '5 servers',
  panels: [],
  randomness: [],
});

describe('the experiments store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('keeps what experiment:open answered, newest first, and offers every trials file for comparison', async () => {
    const store = useExperimentsStore();
    const lab = fakeLab({ 'experiment:open': (req) => ({ ok: true, value: view(`/runs/${(req as { path: string }).path}`, ['real', 'sim']) }) });
    store.useApi(lab);
    expect(await store.open('  exp-a ')).toBe(true);
    expect(await store.open('exp-b')).toBe(true);
    expect(await store.open('exp-a')).toBe(true);
    expect(lab.calls.map(([, r]) => r)).toEqual([{ path: 'exp-a' }, { path: 'exp-b' }, { path: 'exp-a' }]);
    expect(store.view?.path).toBe('/runs/exp-a');
    expect(store.opened.map((e) => e.path)).toEqual(['/runs/exp-a', '/runs/exp-b']);
    expect(store.sources.filter((s) => s.group === 'trials').map((s) => s.path)).toEqual(['/runs/exp-a/trials-real.json', '/runs/exp-a/trials-sim.json', '/runs/exp-b/trials-real.json', '/runs/exp-b/trials-sim.json']);
    expect(store.sources[1].label).toBe('/runs/exp-a: simulated (Figure 16: leader election performance)');
    // Recorded runs the lab listed (the lab store's run:list answer) follow, as runs.
    useLabStore().runs = [{ runId: 'r1', runDir: '/runs/r1', startedAt: '2026-12-03T09:00:00.000Z', nodes: 3, hasSummary: true }];
    expect(store.sources.slice(12)).toEqual([{ path: '/runs/r1', group: 'run', label: 'run r1 (3 nodes)' }]);
    expect(store.sources.slice(0, 4).every((s) => s.group === 'trials')).toBe(true);
    // Each range of each trials file on its own, so two ranges of one experiment can be compared.
    expect(store.sources.slice(4, 6)).toEqual([
      { path: '/runs/exp-a/trials-real.json#150–150', group: 'range', label: '/runs/exp-a: real processes, 150–150 ms' },
      { path: '/runs/exp-a/trials-real.json#150–300', group: 'range', label: '/runs/exp-a: real processes, 150–300 ms' },
    ]);
  });

  it("says why an open failed and keeps the experiment on screen; refuses an empty path without asking", async () => {
    const store = useExperimentsStore();
    let ok = true;
    const lab = fakeLab({ 'experiment:open': () => (ok ? { ok: true, value: view('/runs/a', ['sim']) } : { ok: false, error: '/runs/x holds no trials-real.json or trials-sim.json' }) });
    store.useApi(lab);
    await store.open('a');
    ok = false;
    expect(await store.open('x')).toBe(false);
    expect(store.error).toBe('Open experiment failed: /runs/x holds no trials-real.json or trials-sim.json');
    expect(store.view?.path).toBe('/runs/a');
    expect(await store.open('   ')).toBe(false);
    expect(lab.calls).toHaveLength(2);
    expect(store.pending).toBeNull();
  });

  it('asks experiment:compare with A, B and the gate, and refuses A = B', async () => {
    const store = useExperimentsStore();
    const answer: ComparisonView = { runs: [{ name: 'A', path: 'a.json' }, { name: 'B', path: 'b.json' }], gatePct: 5, metrics: [] };
    const lab = fakeLab({ 'experiment:compare': () => ({ ok: true, value: answer }) });
    store.useApi(lab);
    expect(await store.compare(['a.json', 'a.json'])).toBe(false);
    expect(store.error).toMatch(/same trials file/);
    expect(await store.compare(['a.json', 'b.json'], 5)).toBe(true);
    expect(await store.compare(['a.json', 'b.json'])).toBe(true);
    expect(lab.calls.map(([c, r]) => [c, r])).toEqual([
      ['experiment:compare', { runs: ['a.json', 'b.json'], failIfSlowerPct: 5 }],
      ['experiment:compare', { runs: ['a.json', 'b.json'] }],
    ]);
    expect(store.comparison).toEqual(answer);
    expect(store.error).toBeNull();
  });
});
