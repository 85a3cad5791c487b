/**
 * Runtime checks for what crosses the lab API boundary (Electron IPC, the browser-mode
 * WebSocket). The types in `labApi.ts` say what a well-behaved renderer sends; these
 * validators make sure a misbehaving or hostile page cannot hand the lab anything else:
 * every channel has exactly its fields, numbers are integral where they count things,
 * node ids are positive, strings are bounded, and cluster options go through the same
 * `validateClusterOptions` every other entry point uses.
 *
 * Errors are sentences naming the field, so the renderer can show them as they are.
 * Plain TypeScript with no Node imports: main/, the browser-mode server and the renderer
 * all share it.
 */
import type { NodeId } from '../raft/types';
import { DEFAULT_CLUSTER_OPTIONS, validateClusterOptions } from './clusterOptions';
import type { ClusterOptions, WorkloadOptions } from './clusterOptions';
import { PARTITION_PRESETS } from './faults';
import type { FaultSpec, PartitionPreset } from './faults';
import { LAB_CHANNELS, LAB_PUSH_CHANNELS } from './labApi';
import type { LabChannel, LabPush, LabPushChannel, LabRequest } from './labApi';
import { MAX_MESSAGE_ITEMS, MAX_RUN_MS } from './labApiTimeTravel';

/** The largest node id accepted: ids are small counters, this only stops absurd values. */
export const MAX_NODE_ID = 10_000;
/** Longest path accepted (run directories, events.jsonl files). */
export const MAX_PATH_LENGTH = 4096;
/** Longest file name accepted by run:file. */
export const MAX_FILE_NAME_LENGTH = 255;
/** Most groups a custom partition may have, and most nodes in all of them together. */
export const MAX_PARTITION_GROUPS = 32;
export const MAX_PARTITION_NODES = 256;
/** Longest delay or jitter a link fault may add (ms): ten minutes is already a dead link. */
export const MAX_LINK_DELAY_MS = 600_000;
/** Fastest and slowest clock-rate factor a clock fault may set. */
export const CLOCK_RATE_RANGE = { min: 0.01, max: 100 } as const;
/** Largest fsync delay a disk fault may add (ms). */
export const MAX_FSYNC_DELAY_MS = 60_000;

/** A request that passed validation, typed by its channel. */
export type ValidatedRequest = { [C in LabChannel]: { ok: true; channel: C; request: LabRequest<C> } }[LabChannel];
export type RequestValidation = ValidatedRequest | { ok: false; error: string };

/** A push that passed validation, typed by its channel. */
export type ValidatedPush = { [P in LabPushChannel]: { ok: true; channel: P; payload: LabPush[P] } }[LabPushChannel];
export type PushValidation = ValidatedPush | { ok: false; error: string };

/** Thrown inside this module only, turned into `{ok:false}` at the two entry points. */
class PayloadError extends Error {}

type Fields = Record<string, unknown>;

function fail(message: string): never {
  throw new PayloadError(message);
}

/**
 * A plain data object (from JSON.parse or a structured clone), never an array, class
 * instance or something with a poisoned prototype.
 */
function isPlainObject(v: unknown): v is Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function hasOwn(o: Fields, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Checks `value` is a plain object whose keys are all allowed and that has every required one. */
function expectObject(path: string, value: unknown, required: readonly string[], optional: readonly string[] = []): Fields {
  if (!isPlainObject(value)) fail(`${path} must be an object`);
  const allowed = new Set([...required, ...optional]);
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      fail(allowed.size === 0 ? `${path} takes no fields (got "${bounded(key)}")` : `${path} has an unknown field "${bounded(key)}"`);
    }
  }
  for (const key of required) {
    if (!hasOwn(value, key) || value[key] === undefined) fail(`${path}.${key} is required`);
  }
  return value;
}

/** Quotes user-provided text in an error message without letting it grow the message unboundedly. */
function bounded(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function expectNodeId(path: string, v: unknown): NodeId {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_NODE_ID) {
    fail(`${path} must be a node id (a whole number from 1 to ${MAX_NODE_ID})`);
  }
  return v;
}

function expectInt(path: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(`${path} must be a whole number from ${min} to ${max}`);
  }
  return v;
}

function expectNumber(path: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(`${path} must be a number from ${min} to ${max}`);
  return v;
}

function expectProbability(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(`${path} must be a probability from 0 to 1`);
  return v;
}

function expectBoolean(path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(`${path} must be true or false`);
  return v;
}

/** A filesystem path the lab will open: non-empty, bounded, and without NUL (which truncates C paths). */
function expectPath(path: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim().length === 0) fail(`${path} must be a non-empty path`);
  if (v.length > MAX_PATH_LENGTH) fail(`${path} must be at most ${MAX_PATH_LENGTH} characters`);
  if (v.includes('\0')) fail(`${path} must not contain NUL characters`);
  return v;
}

/** A bare file name inside a run directory: no separators or "..", so it cannot escape the directory. */
function expectFileName(path: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) fail(`${path} must be a file name`);
  if (v.length > MAX_FILE_NAME_LENGTH) fail(`${path} must be at most ${MAX_FILE_NAME_LENGTH} characters`);
  if (/[/\\\0]/.test(v) || v === '.' || v === '..') fail(`${path} must be a plain file name without "/", "\\" or ".."`);
  return v;
}

function expectEmpty(path: string, v: unknown): Record<string, never> {
  expectObject(path, v, []);
  return {};
}

const WORKLOAD_KEYS = ['clients', 'rate', 'mix', 'keys', 'timeoutMs'] as const;
const MIX_KEYS = ['get', 'put', 'cas', 'append'] as const;
const OPTION_KEYS = [
  'nodes', 'electionTimeoutMinMs', 'electionTimeoutMaxMs', 'heartbeatMs', 'preVote', 'checkQuorum',
  'fsync', 'transport', 'seed', 'dataDir', 'snapshotThreshold', 'workload',
] as const;

/** Joins the field errors of validateClusterOptions into one message, prefixing each with `path`. */
function optionErrorsMessage(path: string, errors: Record<string, string>): string {
  return Object.values(errors).map((message) => `${path}.${message}`).join('; ');
}

function expectWorkload(path: string, v: unknown): WorkloadOptions {
  const w = expectObject(path, v, WORKLOAD_KEYS);
  expectObject(`${path}.mix`, w.mix, MIX_KEYS);
  // Reuse the one options validator: embed the workload in otherwise-default options and
  // keep only the workload's errors (its messages already name "workload.<field>").
  const errors = validateClusterOptions({ ...DEFAULT_CLUSTER_OPTIONS, workload: w as unknown as WorkloadOptions });
  const own = Object.fromEntries(Object.entries(errors).filter(([field]) => field.startsWith('workload')));
  if (Object.keys(own).length > 0) {
    fail(Object.values(own).map((message) => message.replace(/^workload/, path)).join('; '));
  }
  return w as unknown as WorkloadOptions;
}

function expectClusterOptions(path: string, v: unknown): ClusterOptions {
  const o = expectObject(path, v, OPTION_KEYS, ['recording']);
  // Shape first, so validateClusterOptions only ever sees the fields it knows.
  const w = expectObject(`${path}.workload`, o.workload, WORKLOAD_KEYS);
  expectObject(`${path}.workload.mix`, w.mix, MIX_KEYS);
  if (typeof o.dataDir === 'string' && o.dataDir.length > 0) expectPath(`${path}.dataDir`, o.dataDir);
  const errors = validateClusterOptions(o as unknown as ClusterOptions);
  if (Object.keys(errors).length > 0) fail(optionErrorsMessage(path, errors));
  return o as unknown as ClusterOptions;
}

function expectPreset(path: string, v: unknown): PartitionPreset {
  if (typeof v !== 'string' || !(PARTITION_PRESETS as readonly string[]).includes(v)) {
    fail(`${path} must be one of ${PARTITION_PRESETS.join(', ')}`);
  }
  return v as PartitionPreset;
}

/** Groups of a custom partition: non-empty groups of distinct node ids, no node in two groups. */
function expectGroups(path: string, v: unknown): NodeId[][] {
  if (!Array.isArray(v) || v.length === 0) fail(`${path} must be a non-empty list of groups`);
  if (v.length > MAX_PARTITION_GROUPS) fail(`${path} may have at most ${MAX_PARTITION_GROUPS} groups`);
  const seen = new Set<NodeId>();
  let total = 0;
  return v.map((group: unknown, g) => {
    if (!Array.isArray(group) || group.length === 0) fail(`${path}[${g}] must be a non-empty list of node ids`);
    total += group.length;
    if (total > MAX_PARTITION_NODES) fail(`${path} may list at most ${MAX_PARTITION_NODES} nodes`);
    return group.map((id: unknown, i) => {
      const node = expectNodeId(`${path}[${g}][${i}]`, id);
      if (seen.has(node)) fail(`${path}: node ${node} appears in more than one place (a node belongs to one group)`);
      seen.add(node);
      return node;
    });
  });
}

/**
 * The partition request shared by fault:partition and fault:apply: either a preset (with
 * `node` exactly when the preset is isolate-node) or explicit groups, never both.
 */
function checkPartitionFields(path: string, p: Fields): void {
  const hasPreset = p.preset !== undefined;
  const hasGroups = p.groups !== undefined;
  if (hasPreset === hasGroups) fail(`${path} needs either a preset or groups (exactly one of them)`);
  if (hasPreset) {
    const preset = expectPreset(`${path}.preset`, p.preset);
    if (preset === 'isolate-node') expectNodeId(`${path}.node`, p.node);
    else if (p.node !== undefined) fail(`${path}.node is only used with the isolate-node preset`);
  } else {
    if (p.node !== undefined) fail(`${path}.node is only used with the isolate-node preset`);
    expectGroups(`${path}.groups`, p.groups);
  }
}

/** Link trouble fields shared by link and flaky faults; all optional. */
function checkLinkTrouble(path: string, f: Fields): void {
  if (f.drop !== undefined) expectProbability(`${path}.drop`, f.drop);
  if (f.duplicate !== undefined) expectProbability(`${path}.duplicate`, f.duplicate);
  if (f.delayMs !== undefined) expectInt(`${path}.delayMs`, f.delayMs, 0, MAX_LINK_DELAY_MS);
  if (f.jitterMs !== undefined) expectInt(`${path}.jitterMs`, f.jitterMs, 0, MAX_LINK_DELAY_MS);
}

/** A process fault's target: a node id, or "leader"/"random" resolved by the lab when applied. */
function expectTarget(path: string, v: unknown): NodeId | 'leader' | 'random' {
  if (v === 'leader' || v === 'random') return v;
  return expectNodeId(path, v);
}

function expectFault(path: string, v: unknown): FaultSpec {
  if (!isPlainObject(v)) fail(`${path} must be an object`);
  const kind = v.kind;
  switch (kind) {
    case 'partition': {
      const f = expectObject(path, v, ['kind'], ['preset', 'node', 'groups']);
      checkPartitionFields(path, f);
      break;
    }
    case 'link': {
      const f = expectObject(path, v, ['kind', 'from', 'to'], ['symmetric', 'drop', 'delayMs', 'jitterMs', 'duplicate']);
      const from = expectNodeId(`${path}.from`, f.from);
      const to = expectNodeId(`${path}.to`, f.to);
      if (from === to) fail(`${path}: from and to must be different nodes`);
      if (f.symmetric !== undefined) expectBoolean(`${path}.symmetric`, f.symmetric);
      checkLinkTrouble(path, f);
      break;
    }
    case 'flaky':
      checkLinkTrouble(path, expectObject(path, v, ['kind'], ['drop', 'delayMs', 'jitterMs', 'duplicate']));
      break;
    case 'clock': {
      const f = expectObject(path, v, ['kind', 'node', 'rate']);
      expectNodeId(`${path}.node`, f.node);
      expectNumber(`${path}.rate`, f.rate, CLOCK_RATE_RANGE.min, CLOCK_RATE_RANGE.max);
      break;
    }
    case 'disk': {
      const f = expectObject(path, v, ['kind', 'node', 'fsyncDelayMs']);
      expectNodeId(`${path}.node`, f.node);
      expectInt(`${path}.fsyncDelayMs`, f.fsyncDelayMs, 0, MAX_FSYNC_DELAY_MS);
      break;
    }
    case 'resume':
      expectNodeId(`${path}.node`, expectObject(path, v, ['kind', 'node']).node);
      break;
    case 'kill':
    case 'pause':
    case 'restart':
    case 'stop':
      expectTarget(`${path}.node`, expectObject(path, v, ['kind', 'node']).node);
      break;
    default:
      fail(`${path}.kind must be one of partition, link, flaky, clock, disk, kill, pause, resume, restart, stop`);
  }
  return v as unknown as FaultSpec;
}

/** The ids LabState.faults uses (see ActiveFault in labApi.ts). */
const ACTIVE_FAULT_ID = /^(partition|flaky|link:[1-9]\d{0,5}-[1-9]\d{0,5}|clock:[1-9]\d{0,5}|disk:[1-9]\d{0,5})$/;

/** Per-channel validators; each returns the request (the same object) or throws PayloadError. */
const REQUEST_VALIDATORS: { [C in LabChannel]: (payload: unknown) => LabRequest<C> } = {
  'lab:state': (p) => expectEmpty('lab:state request', p),
  'cluster:start': (p) => {
    const r = expectObject('cluster:start request', p, ['options']);
    expectClusterOptions('options', r.options);
    return r as LabRequest<'cluster:start'>;
  },
  'cluster:stop': (p) => expectEmpty('cluster:stop request', p),
  'node:kill': (p) => nodeRequest('node:kill', p),
  'node:stop': (p) => nodeRequest('node:stop', p),
  'node:pause': (p) => nodeRequest('node:pause', p),
  'node:resume': (p) => nodeRequest('node:resume', p),
  'node:restart': (p) => nodeRequest('node:restart', p),
  'node:transferLeader': (p) => nodeRequest('node:transferLeader', p),
  'node:remove': (p) => nodeRequest('node:remove', p),
  'node:add': (p) => expectEmpty('node:add request', p),
  'fault:partition': (p) => {
    const r = expectObject('fault:partition request', p, [], ['preset', 'node', 'groups']);
    checkPartitionFields('fault:partition request', r);
    return r as LabRequest<'fault:partition'>;
  },
  'fault:link': (p) => {
    const path = 'fault:link request';
    const r = expectObject(path, p, ['from', 'to', 'drop', 'delayMs', 'symmetric']);
    const from = expectNodeId(`${path}.from`, r.from);
    const to = expectNodeId(`${path}.to`, r.to);
    if (from === to) fail(`${path}: from and to must be different nodes`);
    expectProbability(`${path}.drop`, r.drop);
    expectInt(`${path}.delayMs`, r.delayMs, 0, MAX_LINK_DELAY_MS);
    expectBoolean(`${path}.symmetric`, r.symmetric);
    return r as LabRequest<'fault:link'>;
  },
  'fault:apply': (p) => {
    const r = expectObject('fault:apply request', p, ['fault']);
    expectFault('fault', r.fault);
    return r as LabRequest<'fault:apply'>;
  },
  'fault:heal': (p) => expectEmpty('fault:heal request', p),
  'fault:remove': (p) => {
    const r = expectObject('fault:remove request', p, ['id']);
    if (typeof r.id !== 'string' || !ACTIVE_FAULT_ID.test(r.id)) {
      fail("fault:remove request.id must name a fault in force: 'partition', 'flaky', 'link:A-B', 'clock:N' or 'disk:N'");
    }
    return r as LabRequest<'fault:remove'>;
  },
  'workload:set': (p) => {
    const r = expectObject('workload:set request', p, ['workload']);
    expectWorkload('workload', r.workload);
    return r as LabRequest<'workload:set'>;
  },
  'run:export': (p) => {
    const r = expectObject('run:export request', p, [], ['runDir']);
    if (r.runDir !== undefined) expectPath('runDir', r.runDir);
    return r as LabRequest<'run:export'>;
  },
  'run:list': (p) => expectEmpty('run:list request', p),
  'run:open': (p) => {
    const r = expectObject('run:open request', p, ['path']);
    expectPath('path', r.path);
    return r as LabRequest<'run:open'>;
  },
  'run:history': (p) => expectEmpty('run:history request', p),
  'run:file': (p) => {
    const r = expectObject('run:file request', p, ['runDir', 'name']);
    expectPath('runDir', r.runDir);
    expectFileName('name', r.name);
    return r as LabRequest<'run:file'>;
  },
  'run:stateAt': (p) => {
    const r = expectObject('run:stateAt request', p, ['atMs'], ['runDir']);
    if (r.runDir !== undefined) expectPath('runDir', r.runDir);
    expectNumber('atMs', r.atMs, -MAX_RUN_MS, MAX_RUN_MS);
    return r as LabRequest<'run:stateAt'>;
  },
  'run:messages': (p) => {
    const r = expectObject('run:messages request', p, ['fromMs', 'toMs', 'maxItems'], ['runDir']);
    if (r.runDir !== undefined) expectPath('runDir', r.runDir);
    const from = expectNumber('fromMs', r.fromMs, -MAX_RUN_MS, MAX_RUN_MS);
    const to = expectNumber('toMs', r.toMs, -MAX_RUN_MS, MAX_RUN_MS);
    if (to < from) fail('run:messages request: toMs must not be before fromMs');
    expectInt('maxItems', r.maxItems, 1, MAX_MESSAGE_ITEMS);
    return r as LabRequest<'run:messages'>;
  },
};

function nodeRequest(channel: string, p: unknown): { node: NodeId } {
  const r = expectObject(`${channel} request`, p, ['node']);
  expectNodeId('node', r.node);
  return r as { node: NodeId };
}

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
    const request = REQUEST_VALIDATORS[channel](payload);
    return { ok: true, channel, request } as ValidatedRequest;
  } catch (err) {
    if (err instanceof PayloadError) return { ok: false, error: err.message };
    throw err;
  }
}

const PHASES = ['idle', 'starting', 'running', 'stopping', 'viewing'];

/**
 * Checks a push before the renderer acts on it. Structural, not exhaustive: the lab
 * produces pushes, so this guards against a wrong or truncated message (a server of
 * another version, a bug) rather than re-validating every field of every event, which
 * at thousands of events a second would cost more than it protects.
 */
export function validatePush(channel: string, payload: unknown): PushValidation {
  if (!isLabPushChannel(channel)) {
    return { ok: false, error: `unknown push channel "${typeof channel === 'string' ? bounded(channel) : String(channel)}"` };
  }
  try {
    if (channel === 'lab:events') {
      const p = expectObject('lab:events push', payload, ['events']);
      if (!Array.isArray(p.events)) fail('lab:events push.events must be a list');
      p.events.forEach((e: unknown, i) => {
        if (!isPlainObject(e) || typeof e.type !== 'string' || typeof e.t !== 'number' || !Number.isFinite(e.t)) {
          fail(`lab:events push.events[${i}] must be an event with a type and a time t`);
        }
      });
      return { ok: true, channel, payload: p as unknown as LabPush['lab:events'] };
    }
    if (!isPlainObject(payload)) fail('lab:state push must be an object');
    if (typeof payload.phase !== 'string' || !PHASES.includes(payload.phase)) fail(`lab:state push.phase must be one of ${PHASES.join(', ')}`);
    if (!Array.isArray(payload.nodes)) fail('lab:state push.nodes must be a list');
    if (!Array.isArray(payload.blocked)) fail('lab:state push.blocked must be a list');
    if (!Array.isArray(payload.links)) fail('lab:state push.links must be a list');
    payload.nodes.forEach((n: unknown, i) => {
      if (!isPlainObject(n)) fail(`lab:state push.nodes[${i}] must be an object`);
      expectNodeId(`lab:state push.nodes[${i}].id`, n.id);
    });
    return { ok: true, channel, payload: payload as unknown as LabPush['lab:state'] };
  } catch (err) {
    if (err instanceof PayloadError) return { ok: false, error: err.message };
    throw err;
  }
}
