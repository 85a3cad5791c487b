import { describe, expect, it } from 'vitest';
import { activeFaults, linkRuleText } from '../../../src/lab/activeFaults';
import { FaultPlan } from '../../../src/lab/faultPlan';
import { faultKey, parseFaultKey } from '../../../src/contract/faultKeys';

const zero = { drop: 0, delayMs: 0, jitterMs: 0, duplicate: 0 };

describe('activeFaults (LabState.faults)', () => {
  it('lists a symmetric link fault once, as one pair, with when it began', () => {
    const plan = new FaultPlan();
    plan.setLink({ from: 2, to: 5, ...zero, drop: 0.2, delayMs: 50 });
    plan.setLink({ from: 5, to: 2, ...zero, drop: 0.2, delayMs: 50 });
    plan.setLink({ from: 1, to: 3, ...zero, jitterMs: 30, duplicate: 0.1 });
    const list = activeFaults(plan, [1, 2, 3, 4, 5], { since: new Map([['link:2-5', 1200]]), partitionDescription: null });
    expect(list.map((f) => [f.id, f.description, f.since])).toEqual([
      ['link:1-3', 'link 1 → 3: ±30 ms jitter, duplicate 10%', null],
      ['link:2-5', 'link 2 ↔ 5: drop 20%, +50 ms', 1200],
    ]);
  });

  it('a partition, a clock and a disk fault each get an entry; a clock back at 1× does not', () => {
    const plan = new FaultPlan();
    plan.blocked = [[1, 2], [2, 1]];
    plan.timerRates.set(3, 2).set(4, 1);
    plan.fsyncDelays.set(2, 40);
    const list = activeFaults(plan, [1, 2, 3, 4], { since: new Map([['partition', 10]]), partitionDescription: 'isolate node 1' });
    expect(list.map((f) => f.id)).toEqual(['partition', 'clock:3', 'disk:2']);
    expect(list[0]).toMatchObject({ description: 'isolate node 1', since: 10, nodes: [1, 2] });
  });

  it('a bandwidth limit is one entry per host, keyed by the node it named, listing the host\'s nodes', () => {
    const plan = new FaultPlan();
    plan.bandwidth.set(2, { host: 'h2', nodes: [2, 5], devices: ['eth0'], rateKbit: 256, burstBytes: 1600, latencyMs: 200 });
    const list = activeFaults(plan, [1, 2, 3, 4, 5], { since: new Map([['bandwidth:2', 700]]), partitionDescription: null });
    expect(list).toEqual([
      { id: 'bandwidth:2', kind: 'bandwidth', description: 'h2 (nodes 2, 5) sends at most 256 kbit/s: tc tbf on eth0, burst 1600 B, latency 200 ms', since: 700, nodes: [2, 5] },
    ]);
    expect(faultKey({ kind: 'bandwidth', node: 2, rateKbit: 256 })).toBe('bandwidth:2');
    expect(parseFaultKey('bandwidth:2')).toEqual({ kind: 'bandwidth', node: 2 });
  });

  it('a flaky network over every link is one fault, not n·(n-1)', () => {
    const plan = new FaultPlan();
    const ids = [1, 2, 3];
    for (const a of ids) for (const b of ids) if (a !== b) plan.setLink({ from: a, to: b, ...zero, drop: 0.1 });
    const list = activeFaults(plan, ids, { since: new Map([['flaky', 5]]), partitionDescription: null });
    expect(list).toEqual([{ id: 'flaky', kind: 'flaky', description: 'every link: drop 10%', since: 5, nodes: ids }]);
  });
});

describe('fault keys', () => {
  it('round-trip, and instant faults have none', () => {
    expect(faultKey({ kind: 'link', from: 5, to: 2 })).toBe('link:2-5');
    expect(parseFaultKey('link:2-5')).toEqual({ kind: 'link', a: 2, b: 5 });
    expect(parseFaultKey(faultKey({ kind: 'clock', node: 3, rate: 2 }) as string)).toEqual({ kind: 'clock', node: 3 });
    expect(faultKey({ kind: 'kill', node: 1 })).toBeNull();
    expect(faultKey({ kind: 'all' })).toBeNull();
    expect(parseFaultKey('meteor')).toBeNull();
  });
});

describe('linkRuleText', () => {
  it('names every part of a link rule, as the event log, the caption and the panel all show it', () => {
    expect(linkRuleText({ drop: 0.2, delayMs: 0, jitterMs: 30, duplicate: 0.1 })).toBe('drop 20%, ±30 ms jitter, duplicate 10%');
    expect(linkRuleText(zero)).toBe('no loss, no delay');
  });
});
