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
import { FAULT_CASES, PARTITION_PRESETS, partitionProblem, SAME_NODES } from './faults';
import { aimedProblem } from './aimedFault';
import { AIMED_ACTIONS } from './aimedRules';
import { nodeId as labNodeId, objectMessage, say, strictCase, trueOrFalse, wholeNumber } from './labApiFields';
import { BREAKPOINT_ENTRIES, debugPutKey, debugPutValue, MAX_ADVANCE_TICKS, MAX_DEBUG_VALUE_CHARS, releaseAction } from './debug';
import { messageType } from './messageMatch';
import { FIELD, type Decoded } from './schemaKit';
import { LIMITS } from './limits';

/** A duration with a unit, as scenario files write them: 1500ms, 5s, 1.5m, 1h. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
/** Scenario names become parts of run directory names. */
export const SCENARIO_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** Runs per variant a file may ask for. */
export const MAX_REPEAT = 1000;

/**
 * A duration as a file writes it. The parser knows a field by this block: a file field `delay`
 * declared with it becomes the action's `delayMs` (src/lab/scenario/faultSteps.ts).
 */
export const duration = v.pipe(
  v.union([v.literal(0), v.pipe(v.string(), v.trim(), v.regex(DURATION_PATTERN))]),
  v.description('A duration with a unit: 1500ms, 5s, 1.5s, 2m, 1h (a bare 0 is allowed)'),
);
const nodeRef = v.pipe(v.number(), v.integer(), v.minValue(1), v.description('A node id: 1, 2, ...'));
const target = <const W extends readonly [string, ...string[]]>(...words: W) => v.union([nodeRef, v.picklist(words)]);
const probability = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const groups = v.pipe(v.array(v.array(nodeRef)), v.description('Groups of node ids, e.g. [[1, 2], [3, 4, 5]]; nodes left out form another group'));
const linkTrouble = {
  drop: v.optional(probability),
  delay: v.optional(duration),
  jitter: v.optional(duration),
  duplicate: v.optional(probability),
};

const MESSAGE_TYPE_NAMES = messageType.options as unknown as [string, ...string[]];
const count = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));
/** A breakpoint's file form is its declaration (the lab API's and the app's). */
const BREAK_FILE_ENTRIES = BREAKPOINT_ENTRIES;

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
  bandwidth: v.pipe(
    v.strictObject({
      node: nodeRef,
      rateKbit: v.pipe(v.number(), v.integer(), v.minValue(LIMITS.bandwidthKbit.min), v.maxValue(LIMITS.bandwidthKbit.max)),
      burstBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(LIMITS.bandwidthBurstBytes.min), v.maxValue(LIMITS.bandwidthBurstBytes.max))),
      latency: v.optional(duration),
    }),
    v.description("A bandwidth limit (tc tbf) on the remote host the node runs on: root needed there (docs/multi-host.md)"),
  ),
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
      types: v.optional(v.array(v.picklist(MESSAGE_TYPE_NAMES))),
      termMin: v.optional(count(0)),
      termMax: v.optional(count(0)),
      indexMin: v.optional(count(0)),
      indexMax: v.optional(count(0)),
      hasEntries: v.optional(v.pipe(v.boolean(), v.description('true: only AppendEntries carrying entries; false: only empty ones (probes, commit updates)'))),
      nth: v.optional(v.pipe(count(1), v.description('Only the nth matching message'))),
      every: v.optional(v.pipe(count(1), v.description('Every kth matching message'))),
      first: v.optional(v.pipe(count(1), v.description('The first k matching messages'))),
      action: v.picklist(AIMED_ACTIONS),
      /** With action: delay (a plain `duration`, so the reader turns it into delayMs). */
      delay: v.optional(duration),
    }),
    v.description('An aimed fault (docs/aimed-faults.md): act on chosen messages from one node to another'),
  ),
  // The debugger (docs/debugger.md): a frozen cluster ticks only when a step says so and holds every message.
  freeze: v.pipe(v.literal(true), v.description('Freeze the cluster: no node ticks on its own, every peer message is held at its receiver')),
  unfreeze: v.pipe(v.literal(true), v.description('Back to real time: held messages are delivered in arrival order')),
  release: v.pipe(
    v.strictObject({
      node: nodeRef,
      action: v.picklist(['deliver', 'drop', 'duplicate']),
      messages: v.optional(v.array(v.strictObject({ type: v.picklist(MESSAGE_TYPE_NAMES), from: v.optional(nodeRef), term: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))) }))),
    }),
    v.description('Deliver, drop or duplicate messages held at a node: the ones listed, in that order (each the first held one that matches), or all'),
  ),
  advance: v.pipe(
    v.strictObject({ node: nodeRef, ticks: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_ADVANCE_TICKS))), untilTimer: v.optional(v.literal(true)) }),
    v.description("Step a frozen node's clock: some ticks, or until its next timer fires (§5.2)"),
  ),
  'timeout-now': v.pipe(nodeRef, v.description("Fire a node's election timer now (RaftScope's time out)")),
  put: v.pipe(
    v.strictObject({ node: nodeRef, key: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.keyLength)), value: v.pipe(v.string(), v.maxLength(MAX_DEBUG_VALUE_CHARS)) }),
    v.description('A client write submitted to a node, frozen or not (the debugger\'s client request): it steps at once; its outcome is in the history'),
  ),
  break: v.pipe(v.strictObject(BREAK_FILE_ENTRIES), v.description('Breakpoints: the cluster freezes when one holds (docs/debugger.md)')),
};

/** A step's explanation (teaching scenarios): the run records it with the step, the app's event log shows it. */
const stepNote = v.pipe(v.string(), v.maxLength(LIMITS.scenarioNoteChars), v.description('What this step shows, in words: the run records it with the step and the app shows it'));

const faultEntry = v.strictObject({
  at: duration,
  every: v.optional(duration),
  until: v.optional(duration),
  note: v.optional(stepNote),
  ...Object.fromEntries(Object.entries(SCENARIO_ACTION_ENTRIES).map(([k, s]) => [k, v.optional(s)])),
} as { at: typeof duration; every: v.OptionalSchema<typeof duration, undefined>; until: v.OptionalSchema<typeof duration, undefined>; note: v.OptionalSchema<typeof stepNote, undefined> } & {
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
 * The cases of a scenario action, one per kind: ONE list, which `ScenarioActionSchema`
 * decodes with. A new step kind is one more case here (and its file form in
 * SCENARIO_ACTION_ENTRIES above, and a rule below if its fields constrain each other):
 * docs/contracts.md "How to add a scenario step". Partitions, link trouble, clocks, disks,
 * kill / pause / stop are the lab's own faults (faults.ts).
 */
const SCENARIO_ACTION_CASES = [
  FAULT_CASES.partition,
  FAULT_CASES.link,
  FAULT_CASES.flaky,
  FAULT_CASES.clock,
  FAULT_CASES.disk,
  FAULT_CASES.bandwidth,
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
  /** The debugger (docs/debugger.md, src/contract/debug.ts). */
  strictCase({ kind: v.literal('freeze') }),
  strictCase({ kind: v.literal('unfreeze') }),
  strictCase({
    kind: v.literal('release'),
    node: labNodeId(),
    action: releaseAction,
    messages: v.optional(v.array(strictCase({ type: messageType, from: v.optional(labNodeId()), term: v.optional(wholeNumber(0, Number.MAX_SAFE_INTEGER)) }))),
  }),
  strictCase({ kind: v.literal('advance'), node: labNodeId(), ticks: v.optional(wholeNumber(1, MAX_ADVANCE_TICKS)), untilTimer: v.optional(trueOrFalse) }),
  strictCase({ kind: v.literal('timeout-now'), node: labNodeId() }),
  strictCase({ kind: v.literal('put'), node: labNodeId(), key: debugPutKey, value: debugPutValue }),
  strictCase({ kind: v.literal('break'), ...BREAKPOINT_ENTRIES }),
] as const;

type ActionCase = v.InferOutput<(typeof SCENARIO_ACTION_CASES)[number]>;
const TROUBLE_FIELDS = ['drop', 'duplicate', 'delayMs', 'jitterMs'] as const;
const noTrouble = (a: { [K in (typeof TROUBLE_FIELDS)[number]]?: number }) =>
  TROUBLE_FIELDS.every((f) => a[f] === undefined) ? `${FIELD} needs some trouble: a drop, a duplicate, a delay or a jitter` : undefined;

/**
 * The rules between one action's fields, which a case alone cannot say: the same as the lab
 * API's for faults (faults.ts), and a link step must do something (a step that changes
 * nothing is a mistake in the file). The sentences hold FIELD: the action's place in the file.
 */
const SCENARIO_ACTION_RULES: { [K in ActionCase['kind']]?: (a: Extract<ActionCase, { kind: K }>) => string | undefined } = {
  partition: partitionProblem,
  link: (a) => (a.from === a.to ? SAME_NODES : noTrouble(a)),
  flaky: noTrouble,
  aimed: aimedProblem,
  advance: (a) => ((a.ticks === undefined) === (a.untilTimer !== true) ? `${FIELD} needs either ticks or untilTimer: true (exactly one of them)` : undefined),
};

/**
 * One thing the scenario does at a moment of the run, as the parser resolves a `faults:`
 * entry (durations in ms, words like "leader" kept for the lab to resolve when the step
 * runs). Declared once; `ScenarioAction` is inferred from it, and the parser
 * (src/lab/scenario/faultSteps.ts) decodes every step with it.
 */
export const ScenarioActionSchema = v.pipe(
  v.variant('kind', SCENARIO_ACTION_CASES),
  v.rawCheck<ActionCase>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const rule = SCENARIO_ACTION_RULES[dataset.value.kind] as ((a: ActionCase) => string | undefined) | undefined;
    const problem = rule?.(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
);
export type ScenarioAction = Decoded<typeof ScenarioActionSchema>;

export type ScenarioActionKind = ScenarioAction['kind'];

export interface ScenarioStep {
  atMs: number;
  action: ScenarioAction;
  /** Where the step comes from: its index in the file's `faults` list and its line. */
  source: { index: number; line: number };
  /** The entry's `note:`, explaining the step (teaching scenarios, docs/scenarios.md). */
  note?: string;
}

/**
 * `expect:` as the parser resolves it (durations in ms), declared once: the parser decodes
 * the section with it (src/lab/scenario/parseScenario.ts) and `ScenarioExpectations` is
 * inferred from it.
 */
export const ScenarioExpectationsSchema = v.strictObject(
  {
    /** A leader must be elected within this many ms of the start. */
    leaderWithinMs: v.optional(v.pipe(v.number(), v.gtValue(0, say(`${FIELD} must be longer than 0`)))),
    /** No safety violation may be recorded. */
    noViolations: v.optional(trueOrFalse),
    /** The history must check linearizable (true), or is not checked (false / absent). */
    linearizable: v.optional(trueOrFalse),
    /** Every leaderless interval must be at most this long (ms). */
    maxElectionMs: v.optional(v.pipe(v.number(say(`${FIELD} must be a number above 0`)), v.finite(say(`${FIELD} must be a number above 0`)), v.gtValue(0, say(`${FIELD} must be a number above 0`)))),
  },
  objectMessage(false),
);
export type ScenarioExpectations = Decoded<typeof ScenarioExpectationsSchema>;

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
