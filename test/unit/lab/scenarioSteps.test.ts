/**
 * The `faults:` reader (src/lab/scenario/faultSteps.ts) decodes every step with the one
 * declaration, ScenarioActionSchema (src/contract/scenario.ts), and `expect:` with
 * ScenarioExpectationsSchema (src/lab/scenario/decodeAt.ts does both): what it returns is
 * what the declaration accepts, the declaration's own rules refuse what they must, and its
 * issues come back at the file's line and column with the fields named as the file writes them.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ScenarioActionSchema } from '../../../src/contract/scenario';
import { parseScenario, parseScenarioOrThrow } from '../../../src/lab/scenario/parseScenario';
import { formatIssue } from '../../../src/lab/scenario/yamlReader';

const step = (action: string, cluster = '') => `name: a\nduration: 10s\n${cluster}faults:\n  - at: 1s\n    ${action}\n`;

function issues(text: string): string[] {
  const r = parseScenario(text, 'x.yaml');
  if (r.ok) throw new Error('parsed without errors');
  return r.issues.map(formatIssue);
}

/** One example of each file form (docs/scenarios.md). */
const FORMS = [
  'kill: leader', 'pause: 2', 'stop: random', 'restart: killed', 'resume: paused', 'partition: halves',
  'partition: { groups: [[1, 2], [3]] }', 'partition: { isolate: leader }', 'groups: [[1], [2, 3]]', 'isolate: 3',
  'heal: all', 'heal: true', 'link: { from: 1, to: 2, delay: 20ms, jitter: 0 }', 'flaky: { duplicate: 0.1 }',
  'clock: { node: 2, rate: 0.5 }', 'disk: { node: 1, fsyncDelay: 5ms }', 'bandwidth: { node: 2, rateKbit: 256, burstBytes: 4096, latency: 100ms }', 'add-node: true', 'remove-node: leader',
  'transfer-leader: random',
  // The debugger's steps (docs/debugger.md).
  'freeze: true', 'unfreeze: true', 'release: { node: 2, action: deliver, messages: [{ type: vote, from: 1 }, { type: append }] }',
  'release: { node: 3, action: drop }', 'advance: { node: 1, untilTimer: true }', 'advance: { node: 1, ticks: 40 }', 'timeout-now: 2',
  'put: { node: 1, key: x, value: frozen }',
  'break: { roleChange: true, receive: { types: [vote], from: 2 }, termAbove: 3 }',
  // Slow motion and aimed faults (docs/aimed-faults.md).
  'speed: 0.1', 'aim: { from: leader, to: random, types: [append], nth: 3, action: drop }',
  'aim: { from: 1, to: 2, side: receiver, termMin: 2, every: 2, action: delay, delay: 50ms }',
];

describe('every step the reader returns is a value of ScenarioActionSchema', () => {
  it('for each file form', () => {
    for (const form of FORMS) {
      const [s] = parseScenarioOrThrow(step(form)).steps;
      expect(v.safeParse(ScenarioActionSchema, s.action).success, form).toBe(true);
    }
    expect(parseScenarioOrThrow(step('isolate: 3')).steps[0].action).toEqual({ kind: 'partition', preset: 'isolate-node', node: 3 });
    expect(parseScenarioOrThrow(step('link: { from: 1, to: 2, delay: 1.5s }')).steps[0].action).toEqual({ kind: 'link', from: 1, to: 2, delayMs: 1500 });
    expect(parseScenarioOrThrow(step('release: { node: 2, action: duplicate, messages: [{ type: vote, from: 1 }] }')).steps[0].action).toEqual({
      kind: 'release', node: 2, action: 'duplicate', messages: [{ type: 'vote', from: 1 }],
    });
    expect(parseScenarioOrThrow(step('timeout-now: 2')).steps[0].action).toEqual({ kind: 'timeout-now', node: 2 });
    expect(parseScenarioOrThrow(step('put: { node: 1, key: x, value: "" }')).steps[0].action).toEqual({ kind: 'put', node: 1, key: 'x', value: '' });
  });

  it('and every kind the declaration has is reachable from some file form (a new case needs its form, docs/contracts.md)', () => {
    const declared = ScenarioActionSchema.pipe[0].options.map((o) => o.entries.kind.literal);
    const read = new Set(FORMS.map((form) => parseScenarioOrThrow(step(form)).steps[0].action.kind));
    expect(declared.filter((kind) => !read.has(kind))).toEqual([]);
  });
});

describe("the declaration's rules between fields", () => {
  it.each([
    ['link trouble that does nothing', { kind: 'flaky' }],
    ['a link from a node to itself', { kind: 'link', from: 2, to: 2, drop: 0.5 }],
    ['a partition with a preset and groups', { kind: 'partition', preset: 'halves', groups: [[1]] }],
    ['isolate-node without its node', { kind: 'partition', preset: 'isolate-node' }],
    ['restart of a paused node word', { kind: 'restart', node: 'paused' }],
    ['a clock step with both ticks and untilTimer', { kind: 'advance', node: 1, ticks: 3, untilTimer: true }],
    ['a clock step with neither', { kind: 'advance', node: 1 }],
    ['a release of an unknown message type', { kind: 'release', node: 1, action: 'deliver', messages: [{ type: 'gossip' }] }],
  ])('refuses %s', (_what, action) => {
    expect(v.safeParse(ScenarioActionSchema, action).success).toBe(false);
  });
});

describe("the declaration's issues, placed in the file", () => {
  it('a field the file left out is named by its file key at the action', () => {
    expect(issues(step('clock: { rate: 2 }'))).toEqual(['x.yaml:5:5: faults[0].clock.node is required']);
  });

  it('a bad group member is named and placed where it is written', () => {
    expect(issues(step('groups: [[1, 200000]]'))).toEqual(['x.yaml:5:18: faults[0].groups[0][1] must be a node id (a whole number from 1 to 10000) (got 200000)']);
  });

  it('a duration past its bound says what it came to in ms', () => {
    expect(issues(step('link: { from: 1, to: 2, jitter: 1.5ms }'))).toEqual([
      'x.yaml:5:29: faults[0].link.jitter must be a whole number from 0 to 600000 (got "1.5ms" = 1.5 ms)',
    ]);
  });

  it('a rule between fields lands on the action', () => {
    expect(issues(step('link: { from: 3, to: 3, drop: 0.1 }'))).toEqual(['x.yaml:5:5: faults[0].link: from and to must be different nodes']);
    expect(issues(step('partition: { groups: [[1]], isolate: 2 }'))).toEqual([
      'x.yaml:5:5: faults[0].partition needs either a preset or groups (exactly one of them)',
    ]);
  });

  it('a file key the form does not have is refused with the declared ones', () => {
    expect(issues(step('disk: { node: 1, delay: 5ms }'))).toEqual([
      'x.yaml:5:5: faults[0].disk.fsyncDelay is required',
      'x.yaml:5:22: faults[0].disk.delay is not a known key; expected one of: node, fsyncDelay',
    ]);
  });

  it('an alias is refused as written, not looked up', () => {
    expect(issues('name: a\nduration: 10s\nfaults:\n  - at: 1s\n    kill: &n 2\n  - at: 2s\n    kill: *n\n')).toEqual([
      'x.yaml:7:5: faults[1].kill must be a node id (a whole number from 1 to 10000), "leader" or "random" (got an alias (*n); write the value out)',
    ]);
  });

  it('node ids of a decoded step are checked against the cluster at their own place', () => {
    expect(issues(step('groups: [[1], [2, 7]]', 'cluster: { nodes: 3 }\n'))).toEqual([
      'x.yaml:6:23: faults[0].groups[1][1] names node 7, but the cluster has nodes 1 to 3',
    ]);
    expect(issues(step('link: { from: 1, to: 4, drop: 0.5 }', 'cluster: { nodes: 3 }\n'))).toEqual([
      'x.yaml:6:22: faults[0].link.to names node 4, but the cluster has nodes 1 to 3',
    ]);
  });
});

describe('expect: is decoded with ScenarioExpectationsSchema', () => {
  const text = (section: string) => `name: a\nduration: 10s\nexpect:\n  ${section}\n`;

  it('reads what it declares, durations in ms', () => {
    expect(parseScenarioOrThrow(text('{ leaderWithin: 1.5s, noViolations: true, maxElectionMs: 300 }')).expect).toEqual({
      leaderWithinMs: 1500,
      noViolations: true,
      maxElectionMs: 300,
    });
  });

  it("refuses with the declaration's sentences at the value", () => {
    expect(issues(text('leaderWithin: 0'))).toEqual(['x.yaml:4:3: expect.leaderWithin must be longer than 0 (got 0 = 0 ms)']);
    expect(issues(text('maxElectionMs: -1'))).toEqual(['x.yaml:4:3: expect.maxElectionMs must be a number above 0 (got -1)']);
    expect(issues(text('noViolations: 1'))).toEqual(['x.yaml:4:3: expect.noViolations must be true or false (got 1)']);
  });

  it('a malformed duration is said once, and does not hide the other fields', () => {
    expect(issues(text('{ leaderWithin: soon, linearizable: "yes" }'))).toEqual([
      'x.yaml:4:5: expect.leaderWithin must be a duration like 5s or 1500ms (got "soon")',
      'x.yaml:4:25: expect.linearizable must be true or false (got "yes")',
    ]);
    expect(issues(step('link: { from: 1, to: 2, delay: 20 }'))).toEqual(['x.yaml:5:29: faults[0].link.delay must be a duration like 5s or 1500ms (got 20)']);
  });
});

describe('a step\'s note: (teaching scenarios, docs/scenarios.md)', () => {
  it('is kept with the step, trimmed, and with every repeat of it', () => {
    const text = 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    every: 2s\n    until: 5s\n    note: "  §5.2: a follower that hears nothing campaigns "\n    timeout-now: 2\n  - at: 6s\n    heal: all\n';
    const steps = parseScenarioOrThrow(text).steps;
    expect(steps.map((s) => [s.atMs, s.note])).toEqual([[1000, '§5.2: a follower that hears nothing campaigns'], [3000, '§5.2: a follower that hears nothing campaigns'], [6000, undefined]]);
    expect('note' in steps[2]).toBe(false);
  });

  it('must be text of at most 2,000 characters, said at its place', () => {
    expect(issues('name: a\nduration: 10s\nfaults:\n  - at: 1s\n    note: 3\n    heal: all\n')).toEqual(['x.yaml:5:5: faults[0].note must be text (got 3)']);
    expect(issues(`name: a\nduration: 10s\nfaults:\n  - at: 1s\n    note: ${'x'.repeat(2001)}\n    heal: all\n`)).toEqual([
      'x.yaml:5:5: faults[0].note is 2001 characters long; a note may have at most 2000',
    ]);
  });
});
