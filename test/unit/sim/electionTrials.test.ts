import { describe, expect, it } from 'vitest';
import { clusterTimingFor, FIGURE16_RANGES, FIGURE16_SETTING } from '../../../src/analysis/figure16';
import { summarize } from '../../../src/analysis/stats';
import { runSimElectionTrials } from '../../../src/sim/electionTrials';

const range = (label: string) => [...FIGURE16_RANGES.top, ...FIGURE16_RANGES.bottom].find((r) => r.label === label)!;
const base = { nodes: 5, tickMs: 1, networkDelay: FIGURE16_SETTING.networkDelay, seed: 3 };

describe('simulated Figure 16 trials (§9.3)', () => {
  it('maps the paper\'s inclusive ranges to [min, max) ticks with the heartbeat at half the minimum', () => {
    expect(clusterTimingFor(range('150–150'))).toEqual({ electionTimeoutMinMs: 150, electionTimeoutMaxMs: 151, heartbeatMs: 75 });
    expect(clusterTimingFor(range('12–24'))).toEqual({ electionTimeoutMinMs: 12, electionTimeoutMaxMs: 25, heartbeatMs: 6 });
  });

  it('is deterministic for a seed', () => {
    const a = runSimElectionTrials({ ...base, range: range('150–200'), trials: 30 });
    const b = runSimElectionTrials({ ...base, range: range('150–200'), trials: 30 });
    expect(a.samples).toEqual(b.samples);
    expect(runSimElectionTrials({ ...base, seed: 4, range: range('150–200'), trials: 30 }).samples).not.toEqual(a.samples);
  });

  it('every trial elects a new leader no sooner than the minimum timeout minus a heartbeat interval', () => {
    const v = runSimElectionTrials({ ...base, range: range('150–300'), trials: 100 });
    expect(v.samples).toHaveLength(100);
    expect(v.unresolved).toBe(0);
    // The crash comes at most one heartbeat (75 ms) after the followers' last reset; the
    // winner then needs its timeout (>= 149 ms with tick phase) minus that, plus a vote round trip.
    expect(Math.min(...v.samples)).toBeGreaterThan(149 - 75 + 2 * FIGURE16_SETTING.networkDelay.delayMs);
    expect(v.timeoutRandomness).toMatch(/149-300 ms/);
  });

  it('without randomness split votes drag elections out; randomness removes the tail (the top panel\'s shape)', () => {
    const none = summarize(runSimElectionTrials({ ...base, range: range('150–150'), trials: 40 }).samples);
    const wide = summarize(runSimElectionTrials({ ...base, range: range('150–300'), trials: 40 }).samples);
    expect(none.p50!).toBeGreaterThan(3 * wide.p50!);
    expect(none.max!).toBeGreaterThan(1000);
    expect(wide.p90!).toBeLessThan(400);
  });

  it('timer lateness (a model of event-loop lag) acts as timeout randomness and shortens split-vote tails', () => {
    const exact = summarize(runSimElectionTrials({ ...base, range: range('150–150'), trials: 40 }).samples);
    const noisy = summarize(runSimElectionTrials({ ...base, range: range('150–150'), trials: 40, timerLagMs: 1 }).samples);
    expect(noisy.p50!).toBeLessThan(exact.p50! / 2);
  });

  it('gives up a trial after maxTrialMs and counts it unresolved', () => {
    const v = runSimElectionTrials({ ...base, range: range('150–150'), trials: 10, maxTrialMs: 400 });
    expect(v.unresolved).toBeGreaterThan(0);
    expect(v.samples.length + v.unresolved).toBe(10);
    expect(v.samples.every((s) => s <= 400)).toBe(true);
  });
});
