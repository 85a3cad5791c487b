import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../../src/node/faults/faultPlan';

function delaysOf(plan: FaultPlan, n: number, direction: 'in' | 'out', peer = 2): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = plan.decide(direction, peer);
    if (d.action !== 'deliver') throw new Error(`expected delivery, got ${JSON.stringify(d)}`);
    out.push(...d.delays);
  }
  return out;
}

describe('FaultPlan network delay (cluster-wide emulated one-way delay, docs/network-emulation.md)', () => {
  it('delays every outbound message by delay + U[0, jitter), and no inbound one', () => {
    const plan = new FaultPlan(7);
    plan.setNetworkDelay({ delayMs: 15, jitterMs: 4 });
    expect(plan.active).toBe(true);
    const out = delaysOf(plan, 2000, 'out', 3);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(15);
    expect(Math.max(...out)).toBeLessThan(19);
    const mean = out.reduce((s, v) => s + v, 0) / out.length;
    expect(mean).toBeGreaterThan(16.8);
    expect(mean).toBeLessThan(17.2);
    expect(delaysOf(plan, 10, 'in', 3)).toEqual(Array(10).fill(0));
  });

  it('adds up with a link delay rule and survives healing the rules', () => {
    const plan = new FaultPlan(7);
    plan.setNetworkDelay({ delayMs: 15, jitterMs: 0 });
    plan.setRules([{ peer: 2, direction: 'out', delayMs: 100 }]);
    expect(delaysOf(plan, 3, 'out', 2)).toEqual([115, 115, 115]);
    expect(delaysOf(plan, 3, 'out', 4)).toEqual([15, 15, 15]);
    plan.setRules([]);
    expect(delaysOf(plan, 2, 'out', 2)).toEqual([15, 15]);
  });

  it('a block still drops, whatever the delay', () => {
    const plan = new FaultPlan(7);
    plan.setNetworkDelay({ delayMs: 15, jitterMs: 1 });
    plan.setRules([{ peer: 2, direction: 'out', block: true }]);
    expect(plan.decide('out', 2)).toEqual({ action: 'drop', reason: 'blocked' });
  });

  it('refuses a negative or non-finite delay and keeps the old one', () => {
    const plan = new FaultPlan(7);
    plan.setNetworkDelay({ delayMs: 5, jitterMs: 0 });
    expect(() => plan.setNetworkDelay({ delayMs: -1, jitterMs: 0 })).toThrow(/delayMs/);
    expect(() => plan.setNetworkDelay({ delayMs: 1, jitterMs: Number.NaN })).toThrow(/jitterMs/);
    expect(plan.networkDelay).toEqual({ delayMs: 5, jitterMs: 0 });
  });

  it('zero delay is no delay: the plan stays inactive', () => {
    const plan = new FaultPlan(7);
    plan.setNetworkDelay({ delayMs: 0, jitterMs: 0 });
    expect(plan.active).toBe(false);
  });
});
