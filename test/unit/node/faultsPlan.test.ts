import { describe, expect, it } from 'vitest';
import { FaultPlan, type FaultDecision } from '../../../src/node/faults/faultPlan';
import { deriveSeed, SeededRng } from '../../../src/raft/rng';

function run(plan: FaultPlan, n: number, direction: 'in' | 'out' = 'out', peer = 2): FaultDecision[] {
  return Array.from({ length: n }, () => plan.decide(direction, peer));
}

describe('SeededRng (src/raft/rng.ts, the one seeded generator)', () => {
  it('is deterministic, uniform-ish and in [0, 1)', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    const values = Array.from({ length: 10_000 }, () => a.nextFloat());
    expect(values).toEqual(Array.from({ length: 10_000 }, () => b.nextFloat()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(new SeededRng(43).nextFloat()).not.toBe(new SeededRng(42).nextFloat());
  });

  it('derives different seeds for different parts', () => {
    const seeds = new Set([deriveSeed(1, 2), deriveSeed(1, 3), deriveSeed(2, 2), deriveSeed(1, 2, 0), deriveSeed(1)]);
    expect(seeds.size).toBe(5);
    expect(deriveSeed(1, 2)).toBe(deriveSeed(1, 2));
  });
});

describe('FaultPlan', () => {
  it('delivers everything at once without rules', () => {
    const plan = new FaultPlan(1);
    expect(plan.active).toBe(false);
    expect(run(plan, 3)).toEqual(Array(3).fill({ action: 'deliver', delays: [0] }));
  });

  it('blocks per direction and peer', () => {
    const plan = new FaultPlan(1);
    plan.setRules([{ peer: 2, direction: 'out', block: true }]);
    expect(plan.decide('out', 2)).toEqual({ action: 'drop', reason: 'blocked' });
    expect(plan.decide('in', 2)).toEqual({ action: 'deliver', delays: [0] });
    expect(plan.decide('out', 3)).toEqual({ action: 'deliver', delays: [0] });
    expect(plan.isBlocked('out', 2)).toBe(true);
    expect(plan.isBlocked('in', 2)).toBe(false);
  });

  it('drops with the given probability, reproducibly for a seed', () => {
    const plan = new FaultPlan(7);
    plan.setRules([{ peer: 2, direction: 'out', drop: 0.3 }]);
    const decisions = run(plan, 20_000);
    const dropped = decisions.filter((d) => d.action === 'drop').length / decisions.length;
    expect(dropped).toBeGreaterThan(0.28);
    expect(dropped).toBeLessThan(0.32);
    const again = new FaultPlan(7);
    again.setRules([{ peer: 2, direction: 'out', drop: 0.3 }]);
    expect(run(again, 20_000)).toEqual(decisions);
    const otherSeed = new FaultPlan(8);
    otherSeed.setRules([{ peer: 2, direction: 'out', drop: 0.3 }]);
    expect(run(otherSeed, 200)).not.toEqual(decisions.slice(0, 200));
  });

  it('keeps each link reproducible whatever other links carry', () => {
    const rules = [
      { peer: 2, direction: 'out' as const, drop: 0.5 },
      { peer: 3, direction: 'out' as const, drop: 0.5 },
    ];
    const alone = new FaultPlan(9);
    alone.setRules(rules);
    const expected = run(alone, 100, 'out', 2);
    const mixed = new FaultPlan(9);
    mixed.setRules(rules);
    const seen: FaultDecision[] = [];
    for (let i = 0; i < 100; i++) {
      run(mixed, i % 3, 'out', 3);
      seen.push(mixed.decide('out', 2));
    }
    expect(seen).toEqual(expected);
  });

  it('delays by a fixed amount plus uniform jitter', () => {
    const plan = new FaultPlan(3);
    plan.setRules([{ peer: 2, direction: 'in', delayMs: 10, jitterMs: 4 }]);
    const delays = run(plan, 5000, 'in').map((d) => {
      if (d.action !== 'deliver' || d.delays.length !== 1) throw new Error(`unexpected ${JSON.stringify(d)}`);
      return d.delays[0];
    });
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...delays)).toBeLessThan(14);
    const mean = delays.reduce((s, v) => s + v, 0) / delays.length;
    expect(mean).toBeGreaterThan(11.9);
    expect(mean).toBeLessThan(12.1);
    plan.setRules([{ peer: 2, direction: 'in', delayMs: 5 }]);
    expect(plan.decide('in', 2)).toEqual({ action: 'deliver', delays: [5] });
  });

  it('duplicates with the given probability, each copy with its own delay', () => {
    const plan = new FaultPlan(11);
    plan.setRules([{ peer: 4, direction: 'out', duplicate: 0.2, jitterMs: 100 }]);
    const decisions = run(plan, 10_000, 'out', 4);
    const copies = decisions.map((d) => (d.action === 'deliver' ? d.delays.length : 0));
    const share = copies.filter((c) => c === 2).length / copies.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.22);
    const pair = decisions.find((d) => d.action === 'deliver' && d.delays.length === 2);
    if (pair?.action !== 'deliver') throw new Error('no duplicate seen');
    expect(pair.delays[0]).not.toBe(pair.delays[1]);
  });

  it('combines several rules for one link', () => {
    const plan = new FaultPlan(5);
    plan.setRules([
      { peer: 2, direction: 'out', drop: 0.5, delayMs: 10 },
      { peer: 2, direction: 'out', drop: 0.5, delayMs: 5 },
    ]);
    const decisions = run(plan, 20_000);
    const dropped = decisions.filter((d) => d.action === 'drop').length / decisions.length;
    expect(dropped).toBeGreaterThan(0.73);
    expect(dropped).toBeLessThan(0.77);
    const delivered = decisions.find((d) => d.action === 'deliver');
    expect(delivered).toEqual({ action: 'deliver', delays: [15] });
    plan.setRules([{ peer: 2, direction: 'out', drop: 0 }, { peer: 2, direction: 'out', block: true }]);
    expect(plan.decide('out', 2)).toEqual({ action: 'drop', reason: 'blocked' });
  });

  it('replaces rules atomically, heals with [], and keeps old rules when new ones are invalid', () => {
    const plan = new FaultPlan(1);
    plan.setRules([{ peer: 2, direction: 'out', block: true }]);
    expect(() => plan.setRules([{ peer: 3, direction: 'out', block: true }, { peer: 2, direction: 'out', drop: 2 }])).toThrow(RangeError);
    expect(plan.isBlocked('out', 2)).toBe(true);
    expect(plan.isBlocked('out', 3)).toBe(false);
    plan.setRules([{ peer: 3, direction: 'in', block: true }]);
    expect(plan.isBlocked('out', 2)).toBe(false);
    expect(plan.isBlocked('in', 3)).toBe(true);
    expect(plan.rules).toEqual([{ peer: 3, direction: 'in', block: true }]);
    plan.setRules([]);
    expect(plan.active).toBe(false);
    expect(plan.decide('in', 3)).toEqual({ action: 'deliver', delays: [0] });
  });
});
