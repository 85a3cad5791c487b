/**
 * Runtime checks for what crosses the lab API boundary (Electron IPC, the browser-mode
 * WebSocket), declared with valibot (docs/contracts.md). The types in `labApi.ts` say what
 * a well-behaved renderer sends; these declarations make sure a misbehaving or hostile page
 * cannot hand the lab anything else: every channel has exactly its fields, numbers are
 * integral where they count things, node ids are positive, strings are bounded, and cluster
 * options go through the one cluster options declaration (clusterOptions.ts). Each
 * channel's declaration is checked at compile time to produce that channel's request type.
 *
 * Errors are sentences naming the field, so the renderer can show them as they are.
 * Plain TypeScript with no Node imports: main/, the browser-mode server and the renderer
 * all share it.
 */
import { CLUSTER_OPTION_ENTRIES, CLUSTER_OPTION_KEYS, ClusterOptionsSchema, WORKLOAD_OPTION_KEYS, WorkloadOptionsSchema } from './clusterOptions';
import { PARTITION_PRESETS } from './faults';
import { LAB_CHANNELS, LAB_PUSH_CHANNELS } from './labApi';
import type { LabChannel, LabPush, LabPushChannel, LabRequest } from './labApi';
import { LIMITS } from './limits';
import { MAX_MESSAGE_ITEMS, MAX_RUN_MS } from './labApiTimeTravel';
import * as v from 'valibot';
import { FIELD, fillSentence, KEY, PARENT } from './schemaKit';
import { isPlainObject } from './validateCore';

// Names the renderer's forms already import; the values are LIMITS' (src/contract/limits.ts).
export const MAX_NODE_ID = LIMITS.nodeId.max;
export const MAX_PATH_LENGTH = LIMITS.pathLength;
export const MAX_FILE_NAME_LENGTH = LIMITS.fileNameLength;
export const MAX_PARTITION_GROUPS = LIMITS.partitionGroups;
export const MAX_PARTITION_NODES = LIMITS.partitionNodes;
export const MAX_LINK_DELAY_MS = LIMITS.linkDelayMs.max;
export const CLOCK_RATE_RANGE = LIMITS.timerRate;
export const MAX_FSYNC_DELAY_MS = LIMITS.fsyncDelayMs.max;

/** A request that passed validation, typed by its channel. */
export type ValidatedRequest = { [C in LabChannel]: { ok: true; channel: C; request: LabRequest<C> } }[LabChannel];
export type RequestValidation = ValidatedRequest | { ok: false; error: string };

/** A push that passed validation, typed by its channel. */
export type ValidatedPush = { [P in LabPushChannel]: { ok: true; channel: P; payload: LabPush[P] } }[LabPushChannel];
export type PushValidation = ValidatedPush | { ok: false; error: string };

type Issue = v.BaseIssue<unknown>;

/** Quotes user-provided text in an error message without letting it grow the message unboundedly. */
function bounded(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const say = (sentence: string) => () => sentence;

function nodeId() {
  const m = say(`${FIELD} must be a node id (a whole number from 1 to ${MAX_NODE_ID})`);
  return v.pipe(v.number(m), v.integer(m), v.minValue(1, m), v.maxValue(MAX_NODE_ID, m));
}
function wholeNumber(min: number, max: number) {
  const m = say(`${FIELD} must be a whole number from ${min} to ${max}`);
  return v.pipe(v.number(m), v.integer(m), v.minValue(min, m), v.maxValue(max, m));
}
function numberFrom(min: number, max: number) {
  const m = say(`${FIELD} must be a number from ${min} to ${max}`);
  return v.pipe(v.number(m), v.finite(m), v.minValue(min, m), v.maxValue(max, m));
}
const probability = (() => {
  const m = say(`${FIELD} must be a probability from 0 to 1`);
  return v.pipe(v.number(m), v.finite(m), v.minValue(0, m), v.maxValue(1, m));
})();
const trueOrFalse = v.boolean(say(`${FIELD} must be true or false`));

/** A filesystem path the lab will open: non-empty, bounded, and without NUL (which truncates C paths). */
const filePath = v.pipe(
  v.string(say(`${FIELD} must be a non-empty path`)),
  v.check((s) => s.trim().length > 0, say(`${FIELD} must be a non-empty path`)),
  v.maxLength(MAX_PATH_LENGTH, say(`${FIELD} must be at most ${MAX_PATH_LENGTH} characters`)),
  v.check((s) => !s.includes('\0'), say(`${FIELD} must not contain NUL characters`)),
);

/** A bare file name inside a run directory: no separators or "..", so it cannot escape the directory. */
const fileName = v.pipe(
  v.string(say(`${FIELD} must be a file name`)),
  v.minLength(1, say(`${FIELD} must be a file name`)),
  v.maxLength(MAX_FILE_NAME_LENGTH, say(`${FIELD} must be at most ${MAX_FILE_NAME_LENGTH} characters`)),
  v.check((s) => !/[/\\\0]/.test(s) && s !== '.' && s !== '..', say(`${FIELD} must be a plain file name without "/", "\\" or ".."`)),
);

/** An object message: not an object, a missing field, or an unknown one. */
function objectMessage(takesNoFields: boolean) {
  return (issue: Issue) => {
    if (issue.expected === 'never') return takesNoFields ? `${PARENT} takes no fields (got "${KEY}")` : `${PARENT} has an unknown field "${KEY}"`;
    if (issue.received === 'undefined' && issue.expected !== 'Object') return `${FIELD} is required`;
    return `${FIELD} must be an object`;
  };
}

/** `schema`, admitting only plain data objects (never arrays, class instances or poisoned prototypes). */
function plain<S extends v.GenericSchema>(schema: S) {
  return v.pipe(v.custom<v.InferInput<S>>(isPlainObject, say(`${FIELD} must be an object`)), schema);
}

/** A plain object with exactly these fields. */
function fields<E extends v.ObjectEntries>(entries: E) {
  return plain(v.strictObject(entries, objectMessage(Object.keys(entries).length === 0)));
}

const empty = fields({});
const nodeRequest = fields({ node: nodeId() });

// Partitions: a preset (with `node` exactly when the preset is isolate-node) or explicit groups.
const preset = v.picklist(PARTITION_PRESETS, say(`${FIELD} must be one of ${PARTITION_PRESETS.join(', ')}`));
const groups = v.pipe(
  v.array(v.pipe(v.array(nodeId(), say(`${FIELD} must be a non-empty list of node ids`)), v.minLength(1, say(`${FIELD} must be a non-empty list of node ids`))), say(`${FIELD} must be a non-empty list of groups`)),
  v.minLength(1, say(`${FIELD} must be a non-empty list of groups`)),
  v.maxLength(MAX_PARTITION_GROUPS, say(`${FIELD} may have at most ${MAX_PARTITION_GROUPS} groups`)),
  v.check((g) => g.flat().length <= MAX_PARTITION_NODES, say(`${FIELD} may list at most ${MAX_PARTITION_NODES} nodes`)),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const seen = new Set<number>();
    for (const node of dataset.value.flat()) {
      if (seen.has(node)) addIssue({ message: `${FIELD}: node ${node} appears in more than one place (a node belongs to one group)` });
      seen.add(node);
    }
  }),
);
const partitionEntries = { preset: v.optional(preset), node: v.optional(nodeId()), groups: v.optional(groups) };
/** What is wrong with a partition's combination of fields, if anything (FIELD: the partition's path). */
function partitionProblem(p: { preset?: string; node?: number; groups?: number[][] }): string | undefined {
  if ((p.preset === undefined) === (p.groups === undefined)) return `${FIELD} needs either a preset or groups (exactly one of them)`;
  if (p.preset === 'isolate-node' && p.node === undefined) return `${FIELD}.node must be a node id (a whole number from 1 to ${MAX_NODE_ID})`;
  if (p.preset !== 'isolate-node' && p.node !== undefined) return `${FIELD}.node is only used with the isolate-node preset`;
  return undefined;
}

/** Link trouble fields shared by link and flaky faults; all optional. */
const linkTrouble = {
  drop: v.optional(probability),
  duplicate: v.optional(probability),
  delayMs: v.optional(wholeNumber(0, MAX_LINK_DELAY_MS)),
  jitterMs: v.optional(wholeNumber(0, MAX_LINK_DELAY_MS)),
};
const SAME_NODES = `${FIELD}: from and to must be different nodes`;

/** A process fault's target: a node id, or "leader"/"random" resolved by the lab when applied. */
const target = v.union([v.picklist(['leader', 'random']), nodeId()], say(`${FIELD} must be a node id (a whole number from 1 to ${MAX_NODE_ID}), "leader" or "random"`));

const strictCase = <E extends v.ObjectEntries>(entries: E) => v.strictObject(entries, objectMessage(false));
const FAULT_KINDS = ['partition', 'link', 'flaky', 'clock', 'disk', 'kill', 'pause', 'resume', 'restart', 'stop'] as const;
const faultCases = plain(
  v.variant(
    'kind',
    [
      strictCase({ kind: v.literal('partition'), ...partitionEntries }),
      strictCase({ kind: v.literal('link'), from: nodeId(), to: nodeId(), symmetric: v.optional(trueOrFalse), ...linkTrouble }),
      strictCase({ kind: v.literal('flaky'), ...linkTrouble }),
      strictCase({ kind: v.literal('clock'), node: nodeId(), rate: numberFrom(CLOCK_RATE_RANGE.min, CLOCK_RATE_RANGE.max) }),
      strictCase({ kind: v.literal('disk'), node: nodeId(), fsyncDelayMs: wholeNumber(0, MAX_FSYNC_DELAY_MS) }),
      strictCase({ kind: v.literal('resume'), node: nodeId() }),
      ...(['kill', 'pause', 'restart', 'stop'] as const).map((kind) => strictCase({ kind: v.literal(kind), node: target })),
    ],
    say(`${FIELD} must be one of ${FAULT_KINDS.join(', ')}`),
  ),
);
const fault = v.pipe(
  faultCases,
  v.rawCheck<v.InferOutput<typeof faultCases>>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const f = dataset.value;
    const problem = f.kind === 'partition' ? partitionProblem(f) : f.kind === 'link' && f.from === f.to ? SAME_NODES : undefined;
    if (problem) addIssue({ message: problem });
  }),
);

/** The fields an object must carry, and those of its nested objects. */
interface Required {
  keys: readonly string[];
  nested?: Record<string, Required>;
}
const MIX: Required = { keys: ['get', 'put', 'cas', 'append'] };
const WORKLOAD_FIELDS: Required = { keys: WORKLOAD_OPTION_KEYS, nested: { mix: MIX } };
// Options with a default are always sent; those without one (tickMs, networkDelay) mean "not set" when absent.
const SENT_OPTION_KEYS = CLUSTER_OPTION_KEYS.filter((k) => CLUSTER_OPTION_ENTRIES[k].default !== undefined);
const OPTION_FIELDS: Required = { keys: SENT_OPTION_KEYS, nested: { workload: WORKLOAD_FIELDS } };

/** Names the first field missing at any depth ("workload.mix.put"), if one is. */
function missingField(value: Record<string, unknown>, required: Required): string | undefined {
  for (const key of required.keys) {
    if (value[key] === undefined) return key;
    const inner = required.nested?.[key];
    const field = value[key];
    if (inner && isPlainObject(field)) {
      const deeper = missingField(field, inner);
      if (deeper) return `${key}.${deeper}`;
    }
  }
  return undefined;
}

/**
 * Every field present, at every depth: the start panel always sends them all, so a missing
 * one is a bug or a hostile page (defaults are for files and flags, clusterOptions.ts).
 */
function allOf(required: Required) {
  return v.rawCheck<Record<string, unknown>>(({ dataset, addIssue }) => {
    const missing = dataset.typed ? missingField(dataset.value, required) : undefined;
    if (missing) addIssue({ message: `${FIELD}.${missing} is required` });
  });
}
const anObject = v.custom<Record<string, unknown>>(isPlainObject, say(`${FIELD} must be an object`));
const clusterOptions = v.pipe(anObject, allOf(OPTION_FIELDS), ClusterOptionsSchema);
const workload = v.pipe(anObject, allOf(WORKLOAD_FIELDS), WorkloadOptionsSchema);

/** The ids LabState.faults uses (see ActiveFault in labApi.ts). */
const ACTIVE_FAULT_ID = /^(partition|flaky|link:[1-9]\d{0,5}-[1-9]\d{0,5}|clock:[1-9]\d{0,5}|disk:[1-9]\d{0,5})$/;
const activeFaultId = v.pipe(
  v.string(say(`${FIELD} must name a fault in force: 'partition', 'flaky', 'link:A-B', 'clock:N' or 'disk:N'`)),
  v.regex(ACTIVE_FAULT_ID, say(`${FIELD} must name a fault in force: 'partition', 'flaky', 'link:A-B', 'clock:N' or 'disk:N'`)),
);

/** Each channel's request, declared once; `satisfies` keeps each in step with labApi.ts's types. */
const REQUESTS = {
  'lab:state': empty,
  'cluster:start': fields({ options: clusterOptions }),
  'cluster:stop': empty,
  'node:kill': nodeRequest,
  'node:stop': nodeRequest,
  'node:pause': nodeRequest,
  'node:resume': nodeRequest,
  'node:restart': nodeRequest,
  'node:transferLeader': nodeRequest,
  'node:remove': nodeRequest,
  'node:add': empty,
  'fault:partition': v.pipe(
    fields(partitionEntries),
    v.rawCheck(({ dataset, addIssue }) => {
      const problem = dataset.typed ? partitionProblem(dataset.value) : undefined;
      if (problem) addIssue({ message: problem });
    }),
  ),
  'fault:link': v.pipe(
    fields({ from: nodeId(), to: nodeId(), drop: probability, delayMs: wholeNumber(0, MAX_LINK_DELAY_MS), symmetric: trueOrFalse }),
    v.check((l) => l.from !== l.to, say(SAME_NODES)),
  ),
  'fault:apply': fields({ fault }),
  'fault:heal': empty,
  'fault:remove': fields({ id: activeFaultId }),
  'workload:set': fields({ workload }),
  'run:export': fields({ runDir: v.optional(filePath) }),
  'run:list': empty,
  'run:open': fields({ path: filePath }),
  'run:history': empty,
  'run:file': fields({ runDir: filePath, name: fileName }),
  'run:stateAt': fields({ runDir: v.optional(filePath), atMs: numberFrom(-MAX_RUN_MS, MAX_RUN_MS) }),
  'run:messages': v.pipe(
    fields({ runDir: v.optional(filePath), fromMs: numberFrom(-MAX_RUN_MS, MAX_RUN_MS), toMs: numberFrom(-MAX_RUN_MS, MAX_RUN_MS), maxItems: wholeNumber(1, MAX_MESSAGE_ITEMS) }),
    v.forward(
      v.partialCheck([['fromMs'], ['toMs']], (r) => r.toMs >= r.fromMs, say(`${FIELD} must not be before fromMs`)),
      ['toMs'],
    ),
  ),
} satisfies { [C in LabChannel]: v.GenericSchema<unknown, LabRequest<C>> };

/** True when `channel` names a request channel of the lab API. */
export function isLabChannel(channel: unknown): channel is LabChannel {
  return typeof channel === 'string' && (LAB_CHANNELS as readonly string[]).includes(channel);
}

/** True when `channel` names a push channel of the lab API. */
export function isLabPushChannel(channel: unknown): channel is LabPushChannel {
  return typeof channel === 'string' && (LAB_PUSH_CHANNELS as readonly string[]).includes(channel);
}

/**
 * Checks a request arriving from the renderer: the channel must be one of LAB_CHANNELS and
 * the payload exactly that channel's shape. Never throws.
 */
export function validateRequest(channel: string, payload: unknown): RequestValidation {
  if (!isLabChannel(channel)) {
    return { ok: false, error: `unknown channel "${typeof channel === 'string' ? bounded(channel) : String(channel)}"` };
  }
  try {
    const r = v.safeParse(REQUESTS[channel] as v.GenericSchema, payload, { abortEarly: true });
    if (r.success) return { ok: true, channel, request: r.output } as ValidatedRequest;
    return { ok: false, error: fillSentence(r.issues[0], `${channel} request`) };
  } catch (err) {
    return { ok: false, error: `${channel} request could not be checked: ${err instanceof Error ? err.message : String(err)}` };
  }
}

const PHASES = ['idle', 'starting', 'running', 'stopping', 'viewing'] as const;

/**
 * Pushes, checked structurally, not exhaustively: the lab produces them, so this guards
 * against a wrong or truncated message (a server of another version, a bug) rather than
 * re-validating every field of every event, which at thousands of events a second would
 * cost more than it protects.
 */
const PUSHES = {
  'lab:events': fields({
    events: v.array(
      plain(v.looseObject({ type: v.string(), t: v.pipe(v.number(), v.finite()) }, say(`${FIELD} must be an event with a type and a time t`))),
      say(`${FIELD} must be a list`),
    ),
  }),
  'lab:state': plain(
    v.looseObject({
      phase: v.picklist(PHASES, say(`${FIELD} must be one of ${PHASES.join(', ')}`)),
      nodes: v.array(plain(v.looseObject({ id: nodeId() })), say(`${FIELD} must be a list`)),
      blocked: v.array(v.unknown(), say(`${FIELD} must be a list`)),
      links: v.array(v.unknown(), say(`${FIELD} must be a list`)),
    }),
  ),
};

/** Checks a push before the renderer acts on it. Never throws. */
export function validatePush(channel: string, payload: unknown): PushValidation {
  if (!isLabPushChannel(channel)) {
    return { ok: false, error: `unknown push channel "${typeof channel === 'string' ? bounded(channel) : String(channel)}"` };
  }
  const r = v.safeParse(PUSHES[channel] as v.GenericSchema, payload, { abortEarly: true });
  if (!r.success) return { ok: false, error: fillSentence(r.issues[0], `${channel} push`) };
  // The payload itself (not the parsed copy): loose objects would keep every field anyway,
  // and the renderer keeps the object it was handed.
  return { ok: true, channel, payload } as ValidatedPush;
}
