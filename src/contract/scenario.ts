/**
 * A scenario: a cluster, a workload, a timeline of faults and what to expect, as parsed
 * from a YAML file (docs/scenarios.md; parser in src/lab/scenario). Times are ms since the
 * run started.
 *
 * `ScenarioFileSchema` declares the file as written (durations as "5s", node words like
 * "leader"); docs/scenario.schema.json is generated from it (`npm run schema`) for editors,
 * and the parser takes its key lists from it. The parser (src/lab/scenario) turns a file
 * into the `Scenario` below, with the rules JSON Schema cannot say (one action per entry,
 * node ids within the cluster, the timeline inside the run) and file:line:col errors.
 */
import * as v from 'valibot';
import type { NodeId } from '../raft/types';
import { CLUSTER_OPTION_ENTRIES, WORKLOAD_OPTION_ENTRIES, type ClusterOptions } from './clusterOptions';
import { FAULT_CASES, PARTITION_PRESETS } from './faults';
import { nodeId as labNodeId, say, strictCase } from './labApiFields';
import { FIELD, type Decoded } from './schemaKit';
import { LIMITS } from './limits';
import { AIMED_ACTIONS } from './aimedRules';
import { MESSAGE_TYPES } from './labApiTimeTravel';

/** A duration with a unit, as scenario files write them: 1500ms, 5s, 1.5m, 1h. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
/** Scenario names become parts of run directory names. */
export const SCENARIO_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** Runs per variant a file may ask for. */
export const MAX_REPEAT = 1000;

const duration = v.pipe(
  v.union([v.literal(0), v.pipe(v.string(), v.trim(), v.regex(DURATION_PATTERN))]),
  v.description('A duration with a unit: 1500ms, 5s, 1.5s, 2m, 1h (a bare 0 is allowed)'),
);
const nodeRef = v.pipe(v.number(), v.integer(), v.minValue(1), v.description('A node id: 1, 2, ...'));
const target = <const W extends readonly [string, ...string[]]>(...words: W) => v.union([nodeRef, v.picklist(words)]);
const probability = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const count = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));
const groups = v.pipe(v.array(v.array(nodeRef)), v.description('Groups of node ids, e.g. [[1, 2], [3, 4, 5]]; nodes left out form another group'));
const linkTrouble = {
  drop: v.optional(probability),
  delay: v.optional(duration),
  jitter: v.optional(duration),
  duplicate: v.optional(probability),
};

/** Each action a `faults:` entry may take, under its key (exactly one per entry). */
export const SCENARIO_ACTION_ENTRIES = {
  kill: target('leader', 'random'),
  pause: target('leader', 'random'),
  stop: target('leader', 'random'),
  restart: v.pipe(target('leader', 'random', 'killed'), v.description('killed: every node killed or stopped earlier and not yet restarted')),
  resume: v.pipe(target('paused'), v.description('paused: every node paused earlier and not yet resumed')),
  partition: v.union([
    v.picklist(PARTITION_PRESETS.filter((p) => p !== 'isolate-node') as [string, ...string[]]),
    v.strictObject({ groups: v.optional(groups), isolate: v.optional(target('leader')) }),
  ]),
  groups,
  isolate: target('leader'),
  heal: v.pipe(v.union([v.literal('all'), v.literal(true)]), v.description('Heals every partition and link fault')),
  link: v.strictObject({ from: nodeRef, to: nodeRef, symmetric: v.optional(v.boolean()), ...linkTrouble }),
  flaky: v.strictObject(linkTrouble),
  clock: v.strictObject({ node: nodeRef, rate: v.pipe(v.number(), v.minValue(LIMITS.timerRate.min), v.maxValue(LIMITS.timerRate.max)) }),
  disk: v.strictObject({ node: nodeRef, fsyncDelay: duration }),
  'add-node': v.pipe(v.literal(true), v.description('The lab picks the new node\'s id (a membership change, §6)')),
  'remove-node': target('leader', 'random'),
  'transfer-leader': v.pipe(target('random'), v.description('Leadership transfer (thesis §3.10) to a node, or to a random follower')),
  speed: v.pipe(
    v.number(),
    v.minValue(LIMITS.speed.min),
    v.maxValue(LIMITS.speed.max),
    v.description('Slow motion (docs/aimed-faults.md): the whole cluster at this speed from now on, 0.01 to 1 (1: real time)'),
  ),
  aim: v.pipe(
    v.strictObject({
      from: target('leader', 'random'),
      to: v.pipe(target('leader', 'random'), v.description('random: a node other than from')),
      side: v.optional(v.pipe(v.picklist(['sender', 'receiver']), v.description('Where the rule acts: at the sender (default; before the wire) or the receiver'))),
      types: v.optional(v.array(v.picklist(MESSAGE_TYPES))),
      termMin: v.optional(count(0)),
      termMax: v.optional(count(0)),
      indexMin: v.optional(count(0)),
      indexMax: v.optional(count(0)),
      nth: v.optional(v.pipe(count(1), v.description('Only the nth matching message'))),
      every: v.optional(v.pipe(count(1), v.description('Every kth matching message'))),
      first: v.optional(v.pipe(count(1), v.description('The first k matching messages'))),
      action: v.picklist(AIMED_ACTIONS),
      delay: v.optional(v.pipe(duration, v.description('With action: delay'))),
    }),
    v.description('An aimed fault (docs/aimed-faults.md): act on chosen messages from one node to another'),
  ),
};

const faultEntry = v.strictObject({
  at: duration,
  every: v.optional(duration),
  until: v.optional(duration),
  ...Object.fromEntries(Object.entries(SCENARIO_ACTION_ENTRIES).map(([k, s]) => [k, v.optional(s)])),
} as { at: typeof duration; every: v.OptionalSchema<typeof duration, undefined>; until: v.OptionalSchema<typeof duration, undefined> } & {
  [K in keyof typeof SCENARIO_ACTION_ENTRIES]: v.OptionalSchema<(typeof SCENARIO_ACTION_ENTRIES)[K], undefined>;
});

/**
 * `cluster:` (and each `sweep:` entry): the cluster options a file may set, with their
 * defaults, except the data directory (the lab's choice) and the workload (its own
 * section); the election timeout is one `[min, max]` pair.
 */
const { dataDir: _dataDir, workload: _workload, electionTimeoutMinMs, electionTimeoutMaxMs, nodes, ...clusterFileEntries } = CLUSTER_OPTION_ENTRIES;
const electionTimeoutMs = v.optional(
  v.pipe(v.tuple([electionTimeoutMinMs.wrapped, electionTimeoutMaxMs.wrapped]), v.description('[min, max]: each timeout is drawn from [min, max) ms (§5.2)')),
  [electionTimeoutMinMs.default, electionTimeoutMaxMs.default],
);
export const SCENARIO_CLUSTER_ENTRIES = { nodes, electionTimeoutMs, ...clusterFileEntries };
const clusterSection = v.strictObject(SCENARIO_CLUSTER_ENTRIES);

/** `workload:`: the workload options; a `mix` written in a file gives 0 to the operations it leaves out. */
const weight = WORKLOAD_OPTION_ENTRIES.mix.wrapped.entries.get.wrapped;
const workloadFileEntries = {
  ...WORKLOAD_OPTION_ENTRIES,
  mix: v.optional(v.strictObject({ get: v.optional(weight), put: v.optional(weight), cas: v.optional(weight), append: v.optional(weight) })),
};

export const SCENARIO_EXPECT_ENTRIES = {
  /** A leader must be elected within this long of the start. */
  leaderWithin: v.optional(duration),
  noViolations: v.optional(v.boolean()),
  linearizable: v.optional(v.boolean()),
  maxElectionMs: v.optional(v.pipe(v.number(), v.gtValue(0))),
};

export const ScenarioFileSchema = v.pipe(
  v.strictObject({
    name: v.pipe(v.string(), v.regex(SCENARIO_NAME_PATTERN), v.description('1-100 letters, digits, ".", "_" or "-": it names run directories')),
    description: v.optional(v.string()),
    cluster: v.optional(clusterSection),
    workload: v.optional(v.strictObject(workloadFileEntries)),
    duration,
    faults: v.optional(v.array(faultEntry)),
    expect: v.optional(v.strictObject(SCENARIO_EXPECT_ENTRIES)),
    repeat: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_REPEAT)), 1),
    sweep: v.optional(v.pipe(v.array(clusterSection), v.minLength(1), v.description('Each entry: cluster overrides for one configuration to run'))),
  }),
  v.title('raftlab scenario'),
  v.description('A raftlab scenario: a cluster, a workload, a timeline of faults and what to expect (docs/scenarios.md).'),
);
/** A scenario file as written, before the parser resolves durations and targets. */
export type ScenarioFile = v.InferInput<typeof ScenarioFileSchema>;

/** A node chosen when the action runs: a fixed id, whoever leads then, or a random live node. */
export type NodeTarget = NodeId | 'leader' | 'random';

const nodeOr = <const W extends readonly [string, ...string[]]>(...words: W) =>
  v.union([v.picklist(words), labNodeId()], say(`${FIELD} must be a node id (a whole number from 1 to ${LIMITS.nodeId.max}) or ${words.join(', ')}`));

/**
 * One thing the scenario does at a moment of the run, as the parser resolves a `faults:`
 * entry (durations in ms, words like "leader" kept for the lab to resolve when the step
 * runs). Declared once; `ScenarioAction` is inferred from it. Partitions, link trouble,
 * clocks, disks, kill / pause / stop are the lab's own faults (faults.ts).
 */
export const ScenarioActionSchema = v.variant('kind', [
  FAULT_CASES.partition,
  FAULT_CASES.link,
  FAULT_CASES.flaky,
  FAULT_CASES.clock,
  FAULT_CASES.disk,
  FAULT_CASES.kill,
  FAULT_CASES.pause,
  FAULT_CASES.stop,
  FAULT_CASES.aimed,
  /** 'killed': every node killed or stopped earlier in the run and not yet restarted. */
  strictCase({ kind: v.literal('restart'), node: nodeOr('leader', 'random', 'killed') }),
  /** 'paused': every node paused earlier and not yet resumed. */
  strictCase({ kind: v.literal('resume'), node: nodeOr('paused') }),
  /** Heal every partition and link fault. */
  strictCase({ kind: v.literal('heal') }),
  /** Add a fresh node to the cluster (a membership change, §6). */
  strictCase({ kind: v.literal('add-node') }),
  strictCase({ kind: v.literal('remove-node'), node: nodeOr('leader', 'random') }),
  /** Leadership transfer (thesis §3.10) to a node, or to a random follower. */
  strictCase({ kind: v.literal('transfer-leader'), to: nodeOr('random') }),
  /** Slow motion: the whole cluster at this speed from now on (docs/aimed-faults.md). */
  strictCase({ kind: v.literal('speed'), speed: v.pipe(v.number(), v.minValue(LIMITS.speed.min), v.maxValue(LIMITS.speed.max)) }),
]);
export type ScenarioAction = Decoded<typeof ScenarioActionSchema>;

export type ScenarioActionKind = ScenarioAction['kind'];

export interface ScenarioStep {
  atMs: number;
  action: ScenarioAction;
  /** Where the step comes from: its index in the file's `faults` list and its line. */
  source: { index: number; line: number };
}

export interface ScenarioExpectations {
  /** A leader must be elected within this many ms of the start. */
  leaderWithinMs?: number;
  /** No safety violation may be recorded. */
  noViolations?: boolean;
  /** The history must check linearizable (true), or is not checked (false / absent). */
  linearizable?: boolean;
  /** Every leaderless interval must be at most this long. */
  maxElectionMs?: number;
}

/** One cluster configuration to run: the base, or one entry of a sweep. */
export interface ScenarioVariant {
  /** Short description of the overrides ("base" or "electionTimeoutMs=[150,155]"). */
  label: string;
  /** The overrides as written (cluster keys of the file, e.g. electionTimeoutMs). */
  overrides: Record<string, unknown>;
  cluster: ClusterOptions;
}

export interface Scenario {
  name: string;
  description: string;
  /** The file it was read from, as given to the parser. */
  file: string;
  /** The base cluster options (defaults filled in). */
  cluster: ClusterOptions;
  durationMs: number;
  /** The timeline, sorted by time (file order among equal times). */
  steps: ScenarioStep[];
  expect: ScenarioExpectations;
  /** Runs per variant (at least 1). */
  repeat: number;
  /** The configurations to run: the base alone, or each sweep entry applied to it. */
  variants: ScenarioVariant[];
}
