/**
 * Checks of a recorded run as it is read for export (summary.json, report.html, trace.json):
 * a run folder may come from anyone, and the exporters compute with its numbers. Every
 * field an exporter computes with or prints is checked for its type here; an event that
 * fails is left out with a warning naming it (nothing else is lost), and a summary.json
 * that fails is recomputed from the events instead of being shown.
 *
 * Node events are checked with the telemetry schema the lab applies on receipt
 * (src/contract/telemetry.ts); the lab's own events field by field below.
 */
import { checkTelemetryEvent } from '../../contract/telemetry';
import { describeError, isPlainObject, ValidationError } from '../../contract/validateCore';
import type { HistoryOp, RunEvent } from '../../contract/runEvents';
import type { RecordedRun } from '../recorder/readRun';

const LAB_TYPES = new Set(['run', 'process', 'fault', 'violation', 'membership', 'workload', 'telemetryGap', 'speed', 'step']);
const NODE_TYPES = new Set(['ready', 'role', 'vote', 'election', 'commit', 'apply', 'snapshot', 'config', 'transfer', 'quorumLost', 'faultRules', 'log', 'metrics']);
const PROCESS_STATES = new Set(['starting', 'started', 'exited', 'killed', 'paused', 'resumed', 'restarted', 'stopped', 'crashed']);

const isUint = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isNodeId = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const isFiniteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isNullableNumber = (v: unknown): boolean => v === null || isFiniteNumber(v);
const isNodeList = (v: unknown): boolean => Array.isArray(v) && v.every(isNodeId);

/** What is wrong with one lab event's fields, or null. */
function labEventProblem(e: Record<string, unknown>): string | null {
  switch (e.type) {
    case 'run':
      if (e.phase !== 'started' && e.phase !== 'stopped') return 'phase must be started or stopped';
      if (e.options !== undefined && (!isPlainObject(e.options) || !isUint(e.options.nodes))) return 'options.nodes must be a whole number';
      return null;
    case 'process':
      return PROCESS_STATES.has(e.state as string) ? null : `unknown process state ${JSON.stringify(e.state)}`;
    case 'fault':
      if (!isNodeList(e.nodes)) return 'nodes must be a list of node ids';
      if (e.blocked !== undefined && !(Array.isArray(e.blocked) && e.blocked.every((p) => Array.isArray(p) && p.length === 2 && isNodeId(p[0]) && isNodeId(p[1])))) return 'blocked must be a list of node id pairs';
      if (!isPlainObject(e.fault) || typeof e.fault.kind !== 'string') return 'fault must have a kind';
      return typeof e.description === 'string' ? null : 'description must be text';
    case 'violation':
      return typeof e.property === 'string' && typeof e.message === 'string' ? null : 'property and message must be text';
    case 'membership':
      if (e.action !== 'add' && e.action !== 'promote' && e.action !== 'remove') return 'action must be add, promote or remove';
      if (e.learners !== undefined && !isNodeList(e.learners)) return 'learners must be node ids';
      return isNodeId(e.target) && isNodeList(e.voters) ? null : 'target and voters must be node ids';
    case 'workload':
      if (![e.intervalMs, e.ok, e.fail, e.info, e.opsPerSec].every(isFiniteNumber)) return 'intervalMs, ok, fail, info and opsPerSec must be numbers';
      return isNullableNumber(e.p50Ms) && isNullableNumber(e.p99Ms) ? null : 'p50Ms and p99Ms must be numbers or null';
    case 'telemetryGap':
      return isUint(e.missed) ? null : 'missed must be a whole number';
    case 'speed':
      return isFiniteNumber(e.speed) && (e.speed as number) > 0 && (e.speed as number) <= 1 ? null : 'speed must be a number in (0, 1]';
    case 'step':
      if (!isUint(e.index) || !isUint(e.line)) return 'index and line must be whole numbers';
      return typeof e.description === 'string' && (e.note === undefined || typeof e.note === 'string') ? null : 'description and note must be text';
    default:
      return null;
  }
}

/** What is wrong with one recorded event, or null when the exporters may use it. */
export function runEventProblem(v: unknown): string | null {
  if (!isPlainObject(v)) return 'not an event object';
  if (typeof v.type !== 'string') return 'event without a type';
  if (!isFiniteNumber(v.t)) return `${v.type} event: t must be a number`;
  if (v.node !== null && !isNodeId(v.node)) return `${v.type} event: node must be a node id or null`;
  if (LAB_TYPES.has(v.type)) {
    const p = labEventProblem(v);
    return p ? `${v.type} event: ${p}` : null;
  }
  // Event types this version does not know are kept: every exporter skips what it does not use.
  if (!NODE_TYPES.has(v.type)) return null;
  // A node event: the telemetry schema, with the recorded `t` (re-based, maybe < 0) and `node` set aside.
  const { node: _node, t: _t, ...body } = v;
  try {
    checkTelemetryEvent({ ...body, t: 0 });
    return null;
  } catch (err) {
    // A schema problem reads "term: expected a non-negative integer, got ..."; anything else is a bug, said as such.
    return `${v.type} event: ${err instanceof ValidationError ? err.message : describeError(err)}`;
  }
}

/** What is wrong with one history operation's numbers, or null. */
function opProblem(o: HistoryOp): string | null {
  if (!isFiniteNumber(o.call) || !isFiniteNumber(o.return)) return 'call and return must be numbers';
  return isUint(o.client) ? null : 'client must be a whole number';
}

/**
 * The run with every event and operation the exporters cannot trust left out, and one
 * warning per kind of problem (with a count and the first position), so a crafted or
 * damaged recording still exports what is sound.
 */
export function checkRecordedRun(run: RecordedRun): RecordedRun {
  const warnings = [...run.warnings];
  const note = (what: string, problems: Map<string, { count: number; first: number }>): void => {
    for (const [problem, { count, first }] of problems) warnings.push(`${what}: left out ${count} (first at position ${first + 1}): ${problem}`);
  };
  const collect = <T>(items: readonly T[], check: (x: T) => string | null): { kept: T[]; problems: Map<string, { count: number; first: number }> } => {
    const kept: T[] = [];
    const problems = new Map<string, { count: number; first: number }>();
    items.forEach((x, i) => {
      const p = check(x);
      if (p === null) kept.push(x);
      else {
        const seen = problems.get(p);
        if (seen) seen.count++;
        else problems.set(p, { count: 1, first: i });
      }
    });
    return { kept, problems };
  };
  const ev = collect(run.events, (e) => runEventProblem(e));
  const ops = collect(run.history, opProblem);
  note('events.jsonl', ev.problems);
  note('history.jsonl', ops.problems);
  return { events: ev.kept as RunEvent[], history: ops.kept, warnings };
}

/** What is wrong with a summary.json read back, or null when every field has its documented type. */
export function summaryProblem(s: unknown): string | null {
  if (!isPlainObject(s)) return 'not an object';
  if (typeof s.runId !== 'string') return 'runId must be text';
  for (const k of ['nodes', 'leaderChanges', 'faults'] as const) if (!isUint(s[k])) return `${k} must be a whole number`;
  for (const k of ['durationMs', 'throughputOpsPerSec'] as const) if (!isFiniteNumber(s[k])) return `${k} must be a number`;
  if (s.refusals !== undefined && !(isPlainObject(s.refusals) && Object.values(s.refusals).every((r) => isPlainObject(r) && Object.values(r).every(isUint)))) {
    return 'refusals must map node ids to { reason: count }';
  }
  const e = s.electionMs;
  if (!isPlainObject(e) || !isUint(e.count) || !isNullableNumber(e.p50) || !isNullableNumber(e.p99) || !isNullableNumber(e.max) || !Array.isArray(e.samples) || !e.samples.every(isFiniteNumber)) {
    return 'electionMs must be { count, p50, p99, max, samples } of numbers';
  }
  const c = s.commitLatencyMs;
  if (!isPlainObject(c) || !isNullableNumber(c.p50) || !isNullableNumber(c.p99)) return 'commitLatencyMs must be { p50, p99 } of numbers';
  const o = s.ops;
  if (!isPlainObject(o) || !isUint(o.ok) || !isUint(o.fail) || !isUint(o.info)) return 'ops must be { ok, fail, info } of whole numbers';
  if (!Array.isArray(s.violations) || !s.violations.every((v) => isPlainObject(v) && typeof v.property === 'string' && typeof v.message === 'string' && isFiniteNumber(v.t))) {
    return 'violations must be a list of { property, message, t }';
  }
  if (s.linearizable !== true && s.linearizable !== false && s.linearizable !== 'unknown') return 'linearizable must be true, false or "unknown"';
  if (s.linearizability !== undefined && typeof s.linearizability !== 'string') return 'linearizability must be text';
  const w = s.linearizabilityWitness;
  if (w !== undefined) {
    const isOp = (o: unknown): boolean => isPlainObject(o) && typeof o.key === 'string' && typeof o.op === 'string' && isFiniteNumber(o.call) && isFiniteNumber(o.return);
    if (!(isPlainObject(w) && typeof w.key === 'string' && isOp(w.op) && Array.isArray(w.linearizedTail) && w.linearizedTail.every(isOp))) {
      return 'linearizabilityWitness must be { key, valueBefore, op, linearizedTail } with operations { key, op, call, return }';
    }
  }
  if (s.expectations !== undefined && !(Array.isArray(s.expectations) && s.expectations.every((x) => isPlainObject(x) && typeof x.name === 'string' && typeof x.ok === 'boolean' && typeof x.detail === 'string'))) {
    return 'expectations must be a list of { name, ok, detail }';
  }
  if (s.clocks !== undefined) {
    const ok = (c: unknown) =>
      isPlainObject(c) && typeof c.host === 'string' && isFiniteNumber(c.offsetMs) && isFiniteNumber(c.boundMs) && isFiniteNumber(c.delayMs) && isUint(c.samples) && isUint(c.estimates) && isFiniteNumber(c.maxBoundMs);
    if (!(isPlainObject(s.clocks) && Object.values(s.clocks).every(ok))) return 'clocks must map node ids to { host, offsetMs, boundMs, delayMs, samples, estimates, maxBoundMs }';
  }
  const t = s.transfers;
  if (t !== undefined && !(isPlainObject(t) && isUint(t.count) && Array.isArray(t.samples) && t.samples.every(isFiniteNumber))) return 'transfers must be { count, samples } of numbers';
  const opt = s.options;
  if (opt !== undefined && opt !== null) {
    if (!isPlainObject(opt)) return 'options must be an object or null';
    for (const k of ['nodes', 'electionTimeoutMinMs', 'electionTimeoutMaxMs', 'heartbeatMs'] as const) if (!isFiniteNumber(opt[k])) return `options.${k} must be a number`;
    for (const k of ['preVote', 'checkQuorum'] as const) if (typeof opt[k] !== 'boolean') return `options.${k} must be true or false`;
  }
  return null;
}

