/**
 * Aimed link rules (src/node/faults/aimedRules.ts, docs/aimed-faults.md): per-rule
 * occurrence counts from when the rules were set, first matching rule wins, and the
 * FaultInjector's drop / delay / duplicate / hold actions taken before the plain link rules.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AimedRule } from '../../../src/contract/aimedRules';
import { AimedRules } from '../../../src/node/faults/aimedRules';
import { FaultInjector } from '../../../src/node/faults/faultInjector';
import type { Message } from '../../../src/raft/types';

const append = (to: number, prevIndex: number, term = 1): Message => ({ type: 'append', from: 1, to, term, prevIndex, prevTerm: term, entries: [], commit: 0 }) as unknown as Message;
const vote = (to: number, term: number): Message => ({ type: 'vote', from: 1, to, term, lastLogIndex: 0, lastLogTerm: 0, preVote: false }) as unknown as Message;

const dropThirdAppendTo2: AimedRule = { direction: 'out', match: { types: ['append'], to: 2 }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } };

describe('AimedRules (pure)', () => {
  it('acts on exactly the nth matching message, counting only matching ones (§5.3 retry scenario)', () => {
    const rules = new AimedRules();
    rules.setRules([dropThirdAppendTo2]);
    const acted: number[] = [];
    const stream = [append(2, 1), append(3, 1), vote(2, 1), append(2, 2), append(3, 2), append(2, 3), append(2, 4)];
    stream.forEach((m, i) => {
      if (rules.decide('out', m)) acted.push(i);
    });
    // index 5 is the third AppendEntries to node 2; messages to 3 and the vote are not counted.
    expect(acted).toEqual([5]);
    expect(rules.states()).toEqual([{ rule: dropThirdAppendTo2, matched: 4, hits: 1 }]);
    expect(rules.decide('in', append(2, 1))).toBeNull();
  });

  it('names the rule and occurrence in its reason', () => {
    const rules = new AimedRules();
    rules.setRules([dropThirdAppendTo2]);
    rules.decide('out', append(2, 1));
    rules.decide('out', append(2, 1));
    expect(rules.decide('out', append(2, 1))?.reason).toBe('aimed rule 1: drop (nth 3)');
  });

  it('every kth and first k', () => {
    const rules = new AimedRules();
    rules.setRules([{ direction: 'in', match: {}, occurrence: { kind: 'every', k: 3 }, action: { kind: 'duplicate' } }]);
    const every = Array.from({ length: 9 }, () => rules.decide('in', vote(2, 1)) !== null);
    expect(every).toEqual([false, false, true, false, false, true, false, false, true]);
    rules.setRules([{ direction: 'in', match: {}, occurrence: { kind: 'first', k: 2 }, action: { kind: 'hold' } }]);
    expect(Array.from({ length: 4 }, () => rules.decide('in', vote(2, 1)) !== null)).toEqual([true, true, false, false]);
  });

  it('first matching rule wins: a later rule neither acts on nor counts a message an earlier one matched', () => {
    const rules = new AimedRules();
    rules.setRules([
      { direction: 'out', match: { types: ['vote'], termMin: 5 }, occurrence: { kind: 'nth', n: 2 }, action: { kind: 'drop' } },
      { direction: 'out', match: { types: ['vote'] }, action: { kind: 'delay', ms: 50 } },
    ]);
    expect(rules.decide('out', vote(2, 5))).toBeNull(); // rule 1 matched (count 1), not selected: passes on
    expect(rules.decide('out', vote(2, 4))?.rule).toBe(2);
    expect(rules.decide('out', vote(2, 6))?.rule).toBe(1);
    expect(rules.states().map((s) => [s.matched, s.hits])).toEqual([[2, 1], [1, 1]]);
  });

  it('setting the rules restarts the counts; invalid rules are refused and the old ones kept', () => {
    const rules = new AimedRules();
    rules.setRules([dropThirdAppendTo2]);
    rules.decide('out', append(2, 1));
    rules.decide('out', append(2, 1));
    rules.setRules([dropThirdAppendTo2]);
    expect(rules.decide('out', append(2, 1))).toBeNull();
    expect(() => rules.setRules([{ ...dropThirdAppendTo2, occurrence: { kind: 'nth', n: 0 } }])).toThrow(RangeError);
    expect(rules.rules).toHaveLength(1);
    expect(rules.states()[0].matched).toBe(1);
    rules.setRules([]);
    expect(rules.active).toBe(false);
  });
});

describe('FaultInjector with aimed rules', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const injector = () => new FaultInjector<Message>(1, undefined, (m) => m);

  it('drops the aimed message with the rule as reason, and lets the others through', () => {
    const faults = injector();
    faults.setAimedRules([dropThirdAppendTo2]);
    const got: number[] = [];
    const drops: string[] = [];
    faults.onDrop = (m, direction, reason) => drops.push(`${direction} ${(m as { prevIndex: number }).prevIndex} ${reason}`);
    for (let i = 1; i <= 5; i++) faults.apply('out', 2, append(2, i), (m) => got.push((m as { prevIndex: number }).prevIndex));
    expect(got).toEqual([1, 2, 4, 5]);
    expect(drops).toEqual(['out 3 aimed rule 1: drop (nth 3)']);
    expect(faults.aimedStates()[0].hits).toBe(1);
  });

  it('consults aimed rules before the plain link rules, but a block still wins and is not counted', () => {
    const faults = injector();
    faults.setRules([{ peer: 2, direction: 'out', drop: 1 }]);
    faults.setAimedRules([{ direction: 'out', match: { types: ['vote'] }, action: { kind: 'duplicate' } }]);
    const got: string[] = [];
    faults.apply('out', 2, vote(2, 1), (m) => got.push(m.type));
    faults.apply('out', 2, append(2, 1), (m) => got.push(m.type));
    expect(got).toEqual(['vote', 'vote']); // the aimed duplicate, then the append dropped by drop: 1
    faults.setRules([{ peer: 2, direction: 'out', block: true }]);
    faults.apply('out', 2, vote(2, 1), (m) => got.push(m.type));
    expect(got).toHaveLength(2);
    expect(faults.aimedStates()[0].matched).toBe(1);
  });

  it('delays by the rule, stretched by 1/speed in slow motion', () => {
    const faults = injector();
    faults.setAimedRules([{ direction: 'in', match: {}, action: { kind: 'delay', ms: 100 } }]);
    faults.setSpeed(0.1);
    const got: string[] = [];
    faults.apply('in', 2, vote(2, 1), (m) => got.push(m.type));
    vi.advanceTimersByTime(999);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(got).toEqual(['vote']);
  });

  it('hands held messages to onHold, and without a debugger drops them saying so', () => {
    const faults = injector();
    faults.setAimedRules([{ direction: 'in', match: { types: ['vote'] }, action: { kind: 'hold' } }]);
    const drops: string[] = [];
    faults.onDrop = (_m, _d, reason) => drops.push(reason);
    const got: string[] = [];
    faults.apply('in', 2, vote(2, 1), (m) => got.push(m.type));
    expect(drops).toEqual(['aimed rule 1: hold (match 1): hold (no debugger)']);
    const held: string[] = [];
    faults.onHold = (m, direction, reason) => held.push(`${m.type} ${direction} ${reason}`);
    faults.apply('in', 2, vote(2, 1), (m) => got.push(m.type));
    expect(held).toEqual(['vote in aimed rule 1: hold (match 2)']);
    expect(got).toEqual([]);
  });

  it('refuses aimed rules when it cannot see messages', () => {
    const faults = new FaultInjector<number>(1);
    expect(() => faults.setAimedRules([dropThirdAppendTo2])).toThrow(/inspect/);
    expect(() => faults.setAimedRules([])).not.toThrow();
  });
});

describe('slow motion in the FaultInjector', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('stretches link rule and network delays by 1/speed, and refuses speeds outside LIMITS.speed', () => {
    const faults = new FaultInjector<number>(1);
    faults.setRules([{ peer: 2, direction: 'out', delayMs: 10 }]);
    faults.setNetworkDelay({ delayMs: 5, jitterMs: 0 });
    faults.setSpeed(0.01);
    const got: number[] = [];
    faults.apply('out', 2, 7, (m) => got.push(m));
    vi.advanceTimersByTime(1499);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(2);
    expect(got).toEqual([7]);
    expect(() => faults.setSpeed(0)).toThrow(RangeError);
    expect(() => faults.setSpeed(2)).toThrow(RangeError);
    expect(faults.currentSpeed).toBe(0.01);
  });
});
