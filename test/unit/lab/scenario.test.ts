import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, parseScenarioOrThrow, ScenarioError } from '../../../src/lab/scenario/parseScenario';
import { loadScenarioFile, plannedRuns } from '../../../src/lab/scenario/loadScenario';
import { formatIssue } from '../../../src/lab/scenario/yamlReader';
import { parseDuration } from '../../../src/lab/scenario/values';
import { evaluateExpectations } from '../../../src/lab/scenario/expectations';
import { computeSummary } from '../../../src/lab/export/summary';
import { syntheticRun } from './runGen';

const SCENARIOS = join(__dirname, '../../../scenarios');
const FIXTURES = join(__dirname, 'fixtures/scenarios');

function issuesOf(file: string): string[] {
  const r = parseScenario(readFileSync(join(FIXTURES, file), 'utf8'), file);
  if (r.ok) throw new Error(`${file} parsed without errors`);
  return r.issues.map(formatIssue);
}

describe('shipped scenarios', () => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));

  it('are all there', () => {
    expect(files.sort()).toEqual([
      'figure16-election-times.yaml',
      'flaky-network.yaml',
      'leader-crash.yaml',
      'lose-third-append.yaml',
      'membership-change.yaml',
      'partition-halves.yaml',
      'rolling-restart.yaml',
    ]);
  });

  it.each(files)('%s parses', (f) => {
    const s = loadScenarioFile(join(SCENARIOS, f));
    expect(s.name).toBe(f.replace(/\.yaml$/, ''));
    expect(s.durationMs).toBeGreaterThan(0);
    expect(s.steps.length).toBeGreaterThan(0);
    for (const step of s.steps) expect(step.atMs).toBeLessThan(s.durationMs);
  });

  it.each(readdirSync(join(SCENARIOS, 'teaching')).filter((f) => f.endsWith('.yaml')))('teaching/%s parses, and explains its steps with notes', (f) => {
    const s = loadScenarioFile(join(SCENARIOS, 'teaching', f));
    expect(s.name).toBe(f.replace(/\.yaml$/, ''));
    expect(s.description).toMatch(/§\d/);
    expect(s.steps.filter((x) => x.note !== undefined).length).toBeGreaterThanOrEqual(2);
    for (const step of s.steps) expect(step.atMs).toBeLessThan(s.durationMs);
  });

  it('leader-crash becomes the expected timeline', () => {
    const s = loadScenarioFile(join(SCENARIOS, 'leader-crash.yaml'));
    expect(s.steps.map((x) => [x.atMs, x.action])).toEqual([
      [5000, { kind: 'kill', node: 'leader' }],
      [8000, { kind: 'restart', node: 'killed' }],
      [11000, { kind: 'kill', node: 'leader' }],
      [12000, { kind: 'restart', node: 'killed' }],
    ]);
    expect(s.cluster).toMatchObject({ nodes: 5, electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, seed: 7 });
    expect(s.cluster.workload).toEqual({ clients: 4, rate: 200, mix: { get: 1, put: 1, cas: 1, append: 1 }, keys: 8, timeoutMs: 1000 });
    expect(s.expect).toEqual({ leaderWithinMs: 2000, noViolations: true, linearizable: true, maxElectionMs: 2000 });
  });

  it('figure16 sweeps the timeout ranges and repeats the crash', () => {
    const s = loadScenarioFile(join(SCENARIOS, 'figure16-election-times.yaml'));
    // The paper's inclusive ranges 150-150 ... 150-300 as [min, max) in 1 ms ticks.
    expect(s.variants.map((v) => [v.cluster.electionTimeoutMinMs, v.cluster.electionTimeoutMaxMs])).toEqual([
      [150, 151],
      [150, 152],
      [150, 156],
      [150, 176],
      [150, 201],
      [150, 301],
    ]);
    // The paper's setting: 1 ms ticks, broadcast about 15 ms, basic Raft.
    expect(s.cluster).toMatchObject({ tickMs: 1, networkDelay: { delayMs: 7, jitterMs: 2 }, preVote: false, checkQuorum: false, heartbeatMs: 75 });
    const kills = s.steps.filter((x) => x.action.kind === 'kill').map((x) => x.atMs);
    expect(kills).toEqual([2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 18000]);
    expect(plannedRuns(s).map((r) => r.label)[0]).toBe('figure16-election-times/electionTimeoutMs=[150,151]');
    // Keep the reproduction affordable: variants x duration.
    expect(s.variants.length * s.repeat * s.durationMs).toBeLessThanOrEqual(150_000);
    expect(s.variants.every((v) => v.cluster.tickMs === 1 && v.cluster.networkDelay?.delayMs === 7)).toBe(true);
  });

  it('the example fault forms of the docs all parse', () => {
    const s = parseScenarioOrThrow(`
name: all-forms
duration: 20s
cluster: { nodes: 5 }
faults:
  - { at: 1s, kill: leader }
  - { at: 1s, pause: random }
  - { at: 2s, resume: paused }
  - { at: 2s, resume: 3 }
  - { at: 3s, stop: 2 }
  - { at: 3s, restart: 2 }
  - { at: 4s, partition: halves }
  - { at: 4s, partition: { groups: [[1, 2], [3, 4, 5]] } }
  - { at: 4s, groups: [[1], [2, 3]] }
  - { at: 4s, isolate: 3 }
  - { at: 4s, partition: { isolate: leader } }
  - { at: 5s, heal: all }
  - { at: 6s, link: { from: 1, to: 2, drop: 0.2, delay: 20ms, jitter: 10ms, symmetric: true } }
  - { at: 6s, flaky: { drop: 0.05, delay: 5ms } }
  - { at: 7s, clock: { node: 2, rate: 1.5 } }
  - { at: 7s, disk: { node: 2, fsyncDelay: 20ms } }
  - { at: 8s, add-node: true }
  - { at: 9s, remove-node: 6 }
  - { at: 9s, transfer-leader: 2 }
`);
    const kinds = s.steps.map((x) => x.action);
    expect(kinds).toContainEqual({ kind: 'partition', groups: [[1, 2], [3, 4, 5]] });
    expect(kinds).toContainEqual({ kind: 'partition', preset: 'isolate-node', node: 3 });
    expect(kinds).toContainEqual({ kind: 'partition', preset: 'isolate-leader' });
    expect(kinds).toContainEqual({ kind: 'link', from: 1, to: 2, drop: 0.2, delayMs: 20, jitterMs: 10, symmetric: true });
    expect(kinds).toContainEqual({ kind: 'flaky', drop: 0.05, delayMs: 5 });
    expect(kinds).toContainEqual({ kind: 'disk', node: 2, fsyncDelayMs: 20 });
    expect(kinds).toContainEqual({ kind: 'remove-node', node: 6 });
    expect(kinds).toContainEqual({ kind: 'transfer-leader', to: 2 });
    // Sorted by time, file order kept among equal times.
    expect(s.steps[0].action).toEqual({ kind: 'kill', node: 'leader' });
    expect(s.steps[1].action).toEqual({ kind: 'pause', node: 'random' });
    expect(s.steps[0].source).toEqual({ index: 0, line: 6 });
  });
});

describe('broken scenarios name the line and column', () => {
  it('a bad time in the third fault', () => {
    expect(issuesOf('bad-at.yaml')).toEqual(['bad-at.yaml:12:5: faults[2].at must be a duration like 5s or 1500ms (got "5x")']);
  });

  it('every error of a file full of them, in line order', () => {
    const issues = issuesOf('many-errors.yaml');
    const at = (line: number, col: number, start: string) => issues.find((i) => i.startsWith(`many-errors.yaml:${line}:${col}: ${start}`));
    expect(at(1, 1, 'name must be')).toBeDefined();
    expect(at(2, 1, 'duration must be a duration like 5s or 1500ms (got 20)')).toBeDefined();
    expect(at(4, 3, 'cluster.nodes must be between 1 and 25')).toBeDefined();
    expect(at(5, 3, 'cluster.electionTimeoutMs: max must be greater than min')).toBeDefined();
    expect(at(6, 3, 'cluster.fsync must be "always" or "never"')).toBeDefined();
    expect(at(7, 3, 'cluster.colour is not a known key')).toBeDefined();
    expect(at(8, 25, 'workload.rate must be between 0 and 100000')).toBeDefined();
    expect(at(8, 50, 'workload.mix.put must be a weight')).toBeDefined();
    expect(at(10, 5, 'faults[0] needs an action')).toBeDefined();
    expect(at(13, 5, 'faults[1] has more than one action (kill, pause)')).toBeDefined();
    expect(at(15, 5, 'faults[2].link: from and to must be different nodes')).toBeDefined();
    expect(at(15, 29, 'faults[2].link.drop must be a probability from 0 to 1 (got 2)')).toBeDefined();
    expect(at(17, 5, 'faults[3].partition must be one of isolate-node, isolate-leader, halves')).toBeDefined();
    expect(at(21, 3, 'expect.leaderWithin must be a duration')).toBeDefined();
    expect(at(22, 3, 'expect.linearizable must be true or false (got "yes")')).toBeDefined();
    expect(at(23, 1, 'repeat must be a whole number from 1 to 1000 (got 0)')).toBeDefined();
    expect(issues).toHaveLength(16);
    const lines = issues.map((i) => Number(i.split(':')[1]));
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });

  it('sweep entries are validated against the base, and node ids against the smallest variant', () => {
    expect(issuesOf('sweep-bad.yaml')).toEqual([
      'sweep-bad.yaml:6:5: sweep[1].heartbeatMs must be at most half of electionTimeoutMinMs (40 ms), or followers time out between heartbeats',
      'sweep-bad.yaml:7:7: sweep[2].electionTimeoutMs must be [min, max] in ms, e.g. [150, 300]',
      'sweep-bad.yaml:8:17: sweep[3].bogus is not a known key; expected one of: nodes, electionTimeoutMs, heartbeatMs, preVote, checkQuorum, fsync, transport, seed, snapshotThreshold, tickMs, maxEntriesPerMsg, recording, networkDelay, speed, hosts, placement, labAddress, partitions',
      'sweep-bad.yaml:11:5: faults[0].kill names node 4, but the cluster has nodes 1 to 3',
    ]);
  });

  it('YAML syntax errors keep their position', () => {
    const [issue] = issuesOf('syntax.yaml');
    expect(issue).toMatch(/^syntax\.yaml:6:3: Flow sequence/);
  });

  const cases: Array<[string, string, string]> = [
    ['missing name and duration', 'description: x\n', 'x.yaml:1:1: name is missing'],
    ['empty file', '', 'x.yaml:1:1: the file is empty'],
    ['not a mapping', '- 1\n- 2\n', 'x.yaml:1:1: the file must be a mapping'],
    ['unknown top-level key', 'name: a\nduration: 1s\nfualts: []\n', 'x.yaml:3:1: fualts is not a known key'],
    ['fault after the end', 'name: a\nduration: 10s\nfaults:\n  - at: 10s\n    kill: 1\n', 'x.yaml:4:5: faults[0].at (10s) must be before the end of the run (duration: 10s)'],
    ['bad node word', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    kill: boss\n', 'x.yaml:5:5: faults[0].kill must be a node id (a whole number from 1 to 10000), "leader" or "random" (got "boss")'],
    ['restart: paused is not a thing', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    restart: paused\n', 'x.yaml:5:5: faults[0].restart must be a node id (a whole number from 1 to 10000) or leader, random, killed (got "paused")'],
    ['isolate-node preset without node', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    partition: isolate-node\n', 'x.yaml:5:5: faults[0].partition: write "isolate: <node>"'],
    ['node in two groups', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    groups: [[1, 2], [2, 3]]\n', 'x.yaml:5:5: faults[0].groups: node 2 appears in more than one place (a node belongs to one group)'],
    ['link without trouble', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    link: { from: 1, to: 2 }\n', 'x.yaml:5:5: faults[0].link needs some trouble: a drop, a duplicate, a delay or a jitter'],
    ['link delay without unit', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    link: { from: 1, to: 2, delay: 20 }\n', 'x.yaml:5:29: faults[0].link.delay must be a duration like 5s or 1500ms (got 20)'],
    ['clock rate zero', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    clock: { node: 1, rate: 0 }\n', 'x.yaml:5:23: faults[0].clock.rate must be a number from 0.01 to 100 (got 0)'],
    // The lab API's bounds (LIMITS in src/contract/limits.ts), caught in the file, not by the node.
    ['flaky delay past the lab bound', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    flaky: { delay: 11m }\n', 'x.yaml:5:14: faults[0].flaky.delay must be a whole number from 0 to 600000 (got "11m" = 660000 ms)'],
    ['disk delay past the lab bound', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    disk: { node: 1, fsyncDelay: 2m }\n', 'x.yaml:5:22: faults[0].disk.fsyncDelay must be a whole number from 0 to 60000 (got "2m" = 120000 ms)'],
    ['heal something else', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    heal: links\n', 'x.yaml:5:5: faults[0].heal must be ("all" | true) (got "links"): heals every partition and link fault'],
    ['every that never ends', 'name: a\nduration: 1h\nfaults:\n  - at: 0\n    every: 1ms\n    kill: 1\n', 'x.yaml:5:5: faults[0].every makes the timeline longer than 10000 steps'],
    ['until without every', 'name: a\nduration: 10s\nfaults:\n  - at: 1s\n    until: 5s\n    kill: 1\n', 'x.yaml:5:5: faults[0].until only makes sense with every'],
    ['electionTimeoutMs not a pair', 'name: a\nduration: 10s\ncluster:\n  electionTimeoutMs: [150]\n', 'x.yaml:4:3: cluster.electionTimeoutMs must be [min, max] in ms'],
    ['heartbeat too slow for the default timeouts', 'name: a\nduration: 10s\ncluster:\n  heartbeatMs: 100\n', 'x.yaml:4:3: cluster.heartbeatMs must be at most half of electionTimeoutMinMs (75 ms)'],
    ['tick too coarse', 'name: a\nduration: 10s\ncluster:\n  tickMs: 20\n', 'x.yaml:4:3: cluster.tickMs must be between 0 and 10'],
    ['network delay with an unknown key', 'name: a\nduration: 10s\ncluster:\n  networkDelay: { delay: 5 }\n', 'x.yaml:4:19: cluster.networkDelay.delay is not a known key; expected one of: delayMs, jitterMs'],
    ['negative network delay', 'name: a\nduration: 10s\ncluster:\n  networkDelay: { delayMs: -1 }\n', 'x.yaml:4:19: cluster.networkDelay.delayMs must be between 0 and 10000 ms'],
    ['empty sweep', 'name: a\nduration: 10s\nsweep: []\n', 'x.yaml:3:1: sweep must list at least one set of cluster overrides'],
    ['duplicate keys', 'name: a\nname: b\nduration: 10s\n', 'x.yaml:2:1: Map keys must be unique'],
  ];
  it.each(cases)('%s', (_title, text, expected) => {
    const r = parseScenario(text, 'x.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.issues.map(formatIssue);
    expect(lines.some((l) => l.startsWith(expected)), lines.join('\n')).toBe(true);
  });

  it('loadScenarioFile throws a ScenarioError with every issue', () => {
    expect(() => loadScenarioFile(join(FIXTURES, 'bad-at.yaml'))).toThrow(ScenarioError);
    try {
      loadScenarioFile(join(FIXTURES, 'nope.yaml'));
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as ScenarioError).message).toMatch(/nope\.yaml:1:1: cannot read the scenario: no such file/);
    }
  });
});

describe('durations', () => {
  it('parses the units', () => {
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(5)).toBeUndefined();
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('-1s')).toBeUndefined();
    expect(parseDuration('5 seconds')).toBeUndefined();
  });
});

describe('expectations', () => {
  it('judges a run against expect:', () => {
    const run = syntheticRun();
    const summary = computeSummary(run.events, run.history);
    const results = evaluateExpectations({ leaderWithinMs: 1000, noViolations: true, linearizable: true, maxElectionMs: 350 }, summary, run.events);
    expect(results).toEqual([
      { name: 'leaderWithin 1000 ms', ok: true, detail: 'first leader after 420.0 ms' },
      { name: 'noViolations', ok: false, detail: expect.stringMatching(/^1 violation, first: commit-monotonic/) },
      { name: 'linearizable', ok: true, detail: expect.stringMatching(/ok operations checked/) },
      { name: 'maxElectionMs 350', ok: false, detail: 'longest time without a leader: 400 ms over 3 elections' },
    ]);
    expect(evaluateExpectations({ leaderWithinMs: 100 }, summary, run.events)[0].ok).toBe(false);
  });
});

describe('timer and network fidelity options (docs/network-emulation.md)', () => {
  it('reads tickMs and networkDelay in cluster and sweep entries', () => {
    const s = parseScenarioOrThrow(`
name: fidelity
duration: 5s
cluster: { nodes: 5, tickMs: 1, networkDelay: { delayMs: 7.5 } }
sweep:
  - { electionTimeoutMs: [150, 151] }
  - { networkDelay: { delayMs: 2, jitterMs: 1 } }
`);
    expect(s.cluster.tickMs).toBe(1);
    expect(s.cluster.networkDelay).toEqual({ delayMs: 7.5, jitterMs: 0 });
    expect(s.variants[1].cluster.networkDelay).toEqual({ delayMs: 2, jitterMs: 1 });
    expect(s.variants[1].label).toBe('networkDelay=2+1ms');
  });
});
