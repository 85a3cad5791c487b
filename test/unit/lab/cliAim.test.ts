/** `raftlab run --aim SPEC` and `--speed` (src/lab/cliAim.ts, cliPlans.ts; docs/aimed-faults.md). */
import { describe, expect, it } from 'vitest';
import { plansFrom, UsageError } from '../../../src/lab/cliPlans';

describe('--aim and --speed', () => {
  it('turns each --aim into an aimed step on the timeline, in time order', () => {
    const [plan] = plansFrom({
      nodes: '3',
      duration: '10s',
      aim: ['at=3s,from=leader,to=random,types=append,nth=3,action=drop', 'at=1s,from=1,to=2,side=receiver,types=vote/voteResp,termMin=2,every=2,action=delay,delay=200ms'],
    });
    expect(plan.steps.map((s) => [s.atMs, s.action])).toEqual([
      [1000, { kind: 'aimed', from: 1, to: 2, side: 'receiver', match: { types: ['vote', 'voteResp'], termMin: 2 }, occurrence: { kind: 'every', k: 2 }, action: { kind: 'delay', ms: 200 } }],
      [3000, { kind: 'aimed', from: 'leader', to: 'random', side: 'sender', match: { types: ['append'] }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } }],
    ]);
  });

  it('refuses bad specs as usage errors that say what is wrong', () => {
    const bad = (spec: string) => () => plansFrom({ duration: '10s', aim: [spec] });
    expect(bad('from=1,to=2,action=drop')).toThrow(/needs at=/);
    expect(bad('at=1s,from=1,to=2,action=explode')).toThrow(UsageError);
    expect(bad('at=1s,from=1,to=2,action=explode')).toThrow(/drop, delay, duplicate, hold/);
    expect(bad('at=1s,from=2,to=2,action=drop')).toThrow(/different nodes/);
    expect(bad('at=1s,from=1,to=2,types=ping,action=drop')).toThrow(/one of vote/);
    expect(bad('at=1s,from=1,to=2,action=delay')).toThrow(/needs delay=/);
    expect(bad('at=1s,from=1,to=2,nth=1,first=2,action=drop')).toThrow(/at most one of nth/);
    expect(bad('at=1s,colour=red,action=drop')).toThrow(/unknown key "colour"/);
    expect(bad('at=20s,from=1,to=2,action=drop')).toThrow(/before the end of the run/);
    expect(bad('at=1s,from=1,to=2,hasEntries=yes,action=drop')).toThrow('--aim: hasEntries must be true or false, got "yes"');
  });

  it('sets the cluster speed, within 0.01..1', () => {
    expect(plansFrom({ nodes: '3', speed: '0.1' })[0].cluster.speed).toBe(0.1);
    expect(() => plansFrom({ speed: '2' })).toThrow(UsageError);
    expect(() => plansFrom({ speed: 'fast' })).toThrow(/--speed must be a number/);
  });
});
