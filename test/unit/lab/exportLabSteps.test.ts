/**
 * What the lab did to a run besides plain faults shows in its exports (issue 11, "step actions
 * and aimed faults appear in the recorded run, the exports and the report"): aimed faults as
 * faults, the debugger's actions (docs/debugger.md) and slow motion (docs/aimed-faults.md) as
 * periods and instants in trace.json and report.html, read by src/analysis/labSteps.ts.
 */
import { describe, expect, it } from 'vitest';
import { labSteps } from '../../../src/analysis/labSteps';
import type { RunEvent } from '../../../src/contract/runEvents';
import { computeSummary } from '../../../src/lab/export/summary';
import { renderReport } from '../../../src/lab/export/report/reportHtml';
import { buildTimelines } from '../../../src/lab/export/report/timelines';
import { toChromeTrace } from '../../../src/lab/export/traceJson';
import { syntheticRun } from './runGen';

const e = (x: Record<string, unknown>): RunEvent => x as unknown as RunEvent;

/** The synthetic run with an aimed fault, slow motion and a debugging session laid over it. */
function runWithSteps() {
  const run = syntheticRun();
  const extra: RunEvent[] = [
    e({ type: 'fault', t: 1000, node: null, action: 'apply', fault: { kind: 'aimed', from: 1, to: 2, match: { types: ['append'] }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } }, description: 'aimed 1 → 2 at the sender: drop the 3rd append', nodes: [1, 2] }),
    e({ type: 'speed', t: 5500, node: null, speed: 0.1 }),
    e({ type: 'debug', t: 6000, node: null, action: 'freeze', description: 'the user froze the cluster', nodes: [1, 2, 3], step: { freeze: true } }),
    e({ type: 'debug', t: 6200, node: null, action: 'release', description: 'node 2: delivered 3.1.40', nodes: [2], step: { release: { node: 2, action: 'deliver', messages: [{ type: 'append', from: 3 }] } } }),
    e({ type: 'debug', t: 6300, node: null, action: 'advance', description: 'node 1: advanced its clock 5 ticks; now follower in term 3', nodes: [1], step: { advance: { node: 1, ticks: 5 } } }),
    e({ type: 'debug', t: 6500, node: null, action: 'resume', description: 'resumed real time: held messages delivered in arrival order', nodes: [1, 2, 3], step: { unfreeze: true } }),
    e({ type: 'speed', t: 7000, node: null, speed: 1 }),
  ];
  return { ...run, events: [...run.events, ...extra].sort((a, b) => a.t - b.t) };
}

describe('the lab steps of a run', () => {
  it('are frozen periods, slow-motion periods and the other debugger actions as instants', () => {
    const s = labSteps(runWithSteps().events);
    expect(s.frozen).toEqual([{ start: 6000, end: 6500, description: 'cluster frozen (debugger): the user froze the cluster' }]);
    expect(s.slowMotion.map((p) => [p.start, p.end, p.speed])).toEqual([[5500, 7000, 0.1]]);
    expect(s.actions.map((a) => [a.t, a.description])).toEqual([
      [6200, 'debugger: node 2: delivered 3.1.40'],
      [6300, 'debugger: node 1: advanced its clock 5 ticks; now follower in term 3'],
    ]);
    expect(s.actionCount).toBe(4);
  });

  it('leave a freeze without a resume open until the end, and a 1x start makes no period', () => {
    const s = labSteps([e({ type: 'speed', t: 0, node: null, speed: 1 }), e({ type: 'debug', t: 10, node: null, action: 'freeze', description: 'break: term 3 exceeds 2', nodes: [] })]);
    expect(s.frozen).toEqual([{ start: 10, end: null, description: 'cluster frozen (debugger): break: term 3 exceeds 2' }]);
    expect(s.slowMotion).toEqual([]);
  });
});

describe('trace.json', () => {
  const evs = toChromeTrace(runWithSteps().events, { runId: 'steps' }).traceEvents;

  it('has each debugger action as a global instant, the frozen period and the slow motion as Lab slices, and a speed counter', () => {
    expect(evs.filter((x) => x.cat === 'debug' && x.ph === 'i').map((x) => [x.ts, x.name, x.s])).toEqual([
      [6000_000, 'debugger freeze: the user froze the cluster', 'g'],
      [6200_000, 'debugger release: node 2: delivered 3.1.40', 'g'],
      [6300_000, 'debugger advance: node 1: advanced its clock 5 ticks; now follower in term 3', 'g'],
      [6500_000, 'debugger resume: resumed real time: held messages delivered in arrival order', 'g'],
    ]);
    expect(evs.find((x) => x.ph === 'X' && x.name === 'frozen')).toMatchObject({ pid: 0, tid: 2, ts: 6000_000, dur: 500_000 });
    expect(evs.find((x) => x.ph === 'X' && x.name === 'slow motion 0.1x')).toMatchObject({ pid: 0, tid: 3, ts: 5500_000, dur: 1500_000 });
    expect(evs.filter((x) => x.ph === 'C' && x.name === 'speed').map((x) => x.args!.speed)).toEqual([0.1, 1]);
    const threads = evs.filter((x) => x.ph === 'M' && x.name === 'thread_name' && x.pid === 0).map((x) => x.args!.name);
    expect(threads).toEqual(['debugger', 'speed']);
    expect(evs.find((x) => x.cat === 'fault')?.name).toBe('fault: aimed 1 → 2 at the sender: drop the 3rd append');
  });
});

describe('report.html', () => {
  const run = runWithSteps();
  const summary = computeSummary(run.events, run.history, {});
  const html = renderReport({ summary, events: run.events, history: run.history });

  it('marks the aimed fault, the frozen period, slow motion and each action on the time axes', () => {
    const tl = buildTimelines(run.events, run.history, { start: 0, end: 8100 });
    const shown = tl.faults.map((f) => [f.start, f.instant ? null : f.end, f.description]);
    // The synthetic run heals everything at 5 s, the aimed fault too.
    expect(shown).toContainEqual([1000, 5000, 'aimed 1 → 2 at the sender: drop the 3rd append']);
    expect(shown).toContainEqual([5500, 7000, 'slow motion at 0.1x: lab time runs 10x slower than these real-time axes']);
    expect(shown).toContainEqual([6000, 6500, 'cluster frozen (debugger): the user froze the cluster']);
    expect(shown).toContainEqual([6200, null, 'debugger: node 2: delivered 3.1.40']);
  });

  it('counts the debugger actions and names the slow motion in the summary, and lists them with the faults', () => {
    expect(html).toContain('<tr><th>Debugger actions</th><td>4 (frozen 1×, 0.5 s in all), listed under Faults and debugger actions</td></tr>');
    expect(html).toContain('<tr><th>Slow motion</th><td>0.1x from 5.5 s: every time axis below is real time</td></tr>');
    expect(html).toContain('<h2>Faults and debugger actions</h2>');
    expect(html).toContain('<td class="num">6.200 s</td><td class="num"></td><td>debugger: node 2: delivered 3.1.40</td>');
    expect(html).toContain('<td>aimed 1 → 2 at the sender: drop the 3rd append</td>');
  });

  it('says nothing of a debugger in a run that never used one', () => {
    const plain = syntheticRun();
    const page = renderReport({ summary: computeSummary(plain.events, plain.history, {}), events: plain.events, history: plain.history });
    expect(page).not.toContain('Debugger actions');
    expect(page).not.toContain('Slow motion');
    expect(page).toContain('<h2>Faults</h2>');
  });
});
