/** `raftlab run --break SPEC` (src/lab/cliBreak.ts, cliPlans.ts; docs/debugger.md). */
import { describe, expect, it } from 'vitest';
import { parseBreakSpec } from '../../../src/lab/cliBreak';
import { plansFrom, UsageError } from '../../../src/lab/cliPlans';

describe('--break', () => {
  it('reads every condition into the breakpoints declaration', () => {
    expect(parseBreakSpec('roleChange,termAbove=3,commitAtLeast=10')).toEqual({ roleChange: true, termAbove: 3, commitAtLeast: 10 });
    expect(parseBreakSpec('receive=vote/voteResp, send=append,nodeKilled,violation')).toEqual({
      receive: { types: ['vote', 'voteResp'] }, send: { types: ['append'] }, nodeKilled: true, violation: true,
    });
  });

  it('sets the breakpoints as the first step at 0 ms and stops the run on a break; without it nothing changes', () => {
    const [plan] = plansFrom({ nodes: '3', duration: '10s', break: 'roleChange,termAbove=3', aim: ['at=0s,from=1,to=2,action=drop'] });
    expect(plan.stopOnBreak).toBe(true);
    expect(plan.steps.map((s) => [s.atMs, s.action.kind])).toEqual([[0, 'break'], [0, 'aimed']]);
    expect(plan.steps[0].action).toEqual({ kind: 'break', roleChange: true, termAbove: 3 });
    const [plain] = plansFrom({ nodes: '3', duration: '10s' });
    expect(plain.stopOnBreak).toBe(false);
    expect(plain.steps).toEqual([]);
  });

  it.each([
    ['', '--break needs at least one condition (roleChange, nodeKilled, violation, termAbove, commitAtLeast, receive, send)'],
    ['roleChange,colour=red', '--break: unknown condition "colour" (roleChange, nodeKilled, violation, termAbove, commitAtLeast, receive, send)'],
    ['termAbove=three', '--break: termAbove must be a whole number >= 0, got "three"'],
    ['termAbove=-1', '--break: termAbove must be a whole number >= 0, got "-1"'],
    ['commitAtLeast', '--break: commitAtLeast needs a value, e.g. commitAtLeast=3'],
    ['receive=', '--break: receive needs a value, e.g. receive=vote/append'],
    ['roleChange=yes', '--break: roleChange takes no value (write just roleChange)'],
    ['termAbove=1,termAbove=2', '--break: termAbove given twice'],
  ])('refuses %j as a usage error: %s', (spec, sentence) => {
    const run = () => plansFrom({ duration: '10s', break: spec });
    expect(run).toThrow(UsageError);
    expect(run).toThrow(sentence);
  });

  it('names an unknown message type and the ones there are', () => {
    expect(() => plansFrom({ duration: '10s', break: 'receive=ping' })).toThrow('--break: receive=ping: "ping" is not a message type (vote, voteResp, append, appendResp, heartbeat, heartbeatResp, snapshot, timeoutNow)');
  });
});
