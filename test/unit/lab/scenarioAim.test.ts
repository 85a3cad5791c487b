/** The `aim:` scenario step (docs/scenarios.md, docs/aimed-faults.md) and the lab's aimed FaultSpec. */
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { FaultSpecSchema } from '../../../src/contract/faults';
import { loadScenarioFile } from '../../../src/lab/scenario/loadScenario';
import { parseScenario } from '../../../src/lab/scenario/parseScenario';
import { formatIssue } from '../../../src/lab/scenario/yamlReader';

const scenario = (aim: string) => `name: t\nduration: 5s\nfaults:\n  - at: 1s\n    aim: ${aim}\n`;
const issues = (aim: string) => {
  const r = parseScenario(scenario(aim), 'x.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
};

describe('aim: scenario steps', () => {
  it('reads the shipped example into one aimed fault from the leader', () => {
    const s = loadScenarioFile(join(__dirname, '../../../scenarios/lose-third-append.yaml'));
    expect(s.steps).toEqual([
      { atMs: 2000, action: { kind: 'aimed', from: 'leader', to: 'random', match: { types: ['append'], hasEntries: true }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } }, source: expect.anything() },
    ]);
  });

  it('reads ranges, occurrences, the receiver side and delays', () => {
    const r = parseScenario(scenario('{ from: 1, to: 2, side: receiver, types: [vote, voteResp], termMin: 2, termMax: 4, indexMin: 1, hasEntries: false, every: 2, action: delay, delay: 200ms }'), 'x.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.steps[0].action).toEqual({
      kind: 'aimed', from: 1, to: 2, side: 'receiver',
      match: { types: ['vote', 'voteResp'], termMin: 2, termMax: 4, indexMin: 1, hasEntries: false },
      occurrence: { kind: 'every', k: 2 },
      action: { kind: 'delay', ms: 200 },
    });
  });

  it.each([
    ['{ from: 1, to: 1, action: drop }', 'x.yaml:5:5: faults[0].aim: from and to must be different nodes'],
    ['{ from: 1, to: 2, action: explode }', 'x.yaml:5:28: faults[0].aim.action must be one of drop, delay, duplicate, hold (got "explode")'],
    ['{ from: 1, to: 2, action: delay }', 'x.yaml:5:5: faults[0].aim needs delay: <duration> with action: delay, e.g. delay: 200ms'],
    ['{ from: 1, to: 2, nth: 1, first: 2, action: drop }', 'x.yaml:5:5: faults[0].aim takes at most one of nth, every, first (got nth, first)'],
    ['{ from: 1, to: 2, types: [ping], action: drop }', 'x.yaml:5:36: faults[0].aim.types[0] must be one of vote, voteResp, append, appendResp, heartbeat, heartbeatResp, snapshot, timeoutNow (got "ping")'],
    ['{ from: 1, to: 2, types: [], action: drop }', 'x.yaml:5:28: faults[0].aim.types must name at least one message type'],
    ['{ from: 1, to: 2, action: drop, delay: 5ms }', 'x.yaml:5:42: faults[0].aim.delay only goes with action: delay'],
    ['{ from: 1, to: 2, action: delay, delay: 20 }', 'x.yaml:5:43: faults[0].aim.delay must be a duration like 5s or 1500ms (got 20)'],
    ['{ to: 2, action: drop }', 'x.yaml:5:5: faults[0].aim.from is required'],
    ['{ from: 1, to: 2, nth: 0, action: drop }', 'x.yaml:5:28: faults[0].aim.nth must be a whole number from 1 to 1000000000 (got 0)'],
    ['{ from: 1, to: 2, termMin: 5, termMax: 2, action: drop }', 'x.yaml:5:5: faults[0].aim.match: termMin is above termMax'],
    ['{ from: 1, to: 9, action: drop }', 'x.yaml:5:21: faults[0].aim.to names node 9, but the cluster has nodes 1 to 5'],
  ])('refuses %s with a sentence placed at the field', (aim, sentence) => {
    expect(issues(aim)).toEqual([sentence]);
  });
});

describe('the aimed FaultSpec', () => {
  const parse = (f: unknown) => v.safeParse(FaultSpecSchema, f);
  it('accepts a full aimed fault and refuses same ends and inverted ranges', () => {
    expect(parse({ kind: 'aimed', from: 1, to: 2, match: { types: ['append'] }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } }).success).toBe(true);
    expect(parse({ kind: 'aimed', from: 'leader', to: 'random', action: { kind: 'hold' } }).success).toBe(true);
    expect(parse({ kind: 'aimed', from: 2, to: 2, action: { kind: 'drop' } }).success).toBe(false);
    expect(parse({ kind: 'aimed', from: 1, to: 2, match: { termMin: 3, termMax: 2 }, action: { kind: 'drop' } }).success).toBe(false);
    expect(parse({ kind: 'aimed', from: 1, to: 2, action: { kind: 'delay' } }).success).toBe(false);
    expect(parse({ kind: 'aimed', from: 1, to: 2, occurrence: { kind: 'nth', n: 0 }, action: { kind: 'drop' } }).success).toBe(false);
  });
});

describe("the lab's aimed faults in force", () => {
  it('puts each on the node at its chosen end, in order, and lists them per directed link', async () => {
    const { FaultPlan } = await import('../../../src/lab/faultPlan');
    const { activeFaults } = await import('../../../src/lab/activeFaults');
    const plan = new FaultPlan();
    plan.aimed.push({ from: 1, to: 2, side: 'sender', match: { types: ['append'] }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } });
    plan.aimed.push({ from: 1, to: 2, side: 'receiver', match: { termMin: 2 }, action: { kind: 'delay', ms: 50 } });
    expect(plan.aimedRulesFor(1)).toEqual([{ direction: 'out', match: { types: ['append'], from: 1, to: 2 }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } }]);
    expect(plan.aimedRulesFor(2)).toEqual([{ direction: 'in', match: { termMin: 2, from: 1, to: 2 }, action: { kind: 'delay', ms: 50 } }]);
    expect(plan.aimedRulesFor(3)).toEqual([]);
    const listed = activeFaults(plan, [1, 2, 3], { since: new Map([['aimed:1>2', 5]]), partitionDescription: null });
    expect(listed).toEqual([
      {
        id: 'aimed:1>2', kind: 'aimed', since: 5, nodes: [1, 2],
        description: 'aimed 1 → 2 at the sender: drop the 3rd append; 1 → 2 at the receiver: delay every message by 50 ms, term 2..∞',
      },
    ]);
    plan.clearNetwork();
    expect(plan.aimed).toEqual([]);
  });
});

describe('slow motion in scenarios', () => {
  it('reads a speed step and a cluster speed, and refuses speeds outside 0.01..1', () => {
    const r = parseScenario('name: t\nduration: 5s\ncluster: { nodes: 3, speed: 0.5 }\nfaults:\n  - at: 1s\n    speed: 0.1\n  - at: 3s\n    speed: 1\n', 'x.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.cluster.speed).toBe(0.5);
    expect(r.scenario.steps.map((s) => s.action)).toEqual([{ kind: 'speed', speed: 0.1 }, { kind: 'speed', speed: 1 }]);
    const bad = parseScenario('name: t\nduration: 5s\nfaults:\n  - at: 1s\n    speed: 0\n', 'x.yaml');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map(formatIssue).join('\n')).toMatch(/speed/);
    const badCluster = parseScenario('name: t\nduration: 5s\ncluster: { speed: 3 }\n', 'x.yaml');
    expect(badCluster.ok).toBe(false);
  });
});

describe('hit counts in the faults in force', () => {
  it("says how often each aimed fault acted, from its node's last report in the same order", async () => {
    const { FaultPlan } = await import('../../../src/lab/faultPlan');
    const { activeFaults } = await import('../../../src/lab/activeFaults');
    const plan = new FaultPlan();
    plan.aimed.push({ from: 1, to: 2, side: 'sender', match: { types: ['append'] }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } });
    plan.aimed.push({ from: 1, to: 3, side: 'sender', match: {}, action: { kind: 'duplicate' } });
    const [r1, r2] = plan.aimedRulesFor(1);
    const list = (states: Map<number, Array<{ rule: typeof r1; matched: number; hits: number }>>) =>
      activeFaults(plan, [1, 2, 3], { since: new Map(), partitionDescription: null, aimedStates: states }).map((f) => f.description);
    expect(list(new Map([[1, [{ rule: r1, matched: 5, hits: 1 }, { rule: r2, matched: 7, hits: 7 }]]]))).toEqual([
      'aimed 1 → 2 at the sender: drop the 3rd append (acted 1×)',
      'aimed 1 → 3 at the sender: duplicate every message (acted 7×)',
    ]);
    // A report from before the second fault reached node 1: not matched up, no counts shown.
    expect(list(new Map([[1, [{ rule: r1, matched: 5, hits: 1 }]]]))).toEqual(['aimed 1 → 2 at the sender: drop the 3rd append', 'aimed 1 → 3 at the sender: duplicate every message']);
  });
});
