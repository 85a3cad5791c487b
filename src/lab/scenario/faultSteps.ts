/**
 * The `faults:` timeline of a scenario file. Each entry has `at`, exactly one action key,
 * and optionally `every` / `until` to repeat the action (e.g. crash the leader every 2 s).
 */
import { isMap } from 'yaml';
import type { NodeId } from '../../raft/types';
import { PARTITION_PRESETS, type PartitionPreset } from '../../contract/faults';
import { AIMED_ACTIONS, type AimedAction } from '../../contract/aimedRules';
import { MESSAGE_TYPES, type MessageType } from '../../contract/labApiTimeTravel';
import { LIMITS } from '../../contract/limits';
import { SCENARIO_ACTION_ENTRIES, type NodeTarget, type ScenarioAction, type ScenarioStep } from '../../contract/scenario';
import { formatDuration, readBool, readDuration, readNumber, readProbability } from './values';
import { childPath, describeNode, readMap, readSeq, scalarValue, type IssueList, type Located, type Positions } from './yamlReader';

/** The action keys, in the declaration's order (SCENARIO_ACTION_ENTRIES in src/contract/scenario.ts). */
export const ACTION_KEYS = Object.keys(SCENARIO_ACTION_ENTRIES) as (keyof typeof SCENARIO_ACTION_ENTRIES)[];
type ActionKey = (typeof ACTION_KEYS)[number];

const ENTRY_KEYS = ['at', 'every', 'until', ...ACTION_KEYS] as const;
/** More steps than this is almost certainly a mistake in `every`. */
export const MAX_STEPS = LIMITS.scenarioSteps;

/** A node id written in the file, checked against the cluster size once that is known. */
export interface NodeRef {
  id: NodeId;
  at: Located;
}

interface Ctx {
  positions: Positions;
  issues: IssueList;
  refs: NodeRef[];
}

/** Reads a node reference: an id, or one of the words in `words`. */
function readTarget<W extends string>(at: Located, words: readonly W[], ctx: Ctx): NodeId | W | undefined {
  const v = scalarValue(at.node);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) {
    ctx.refs.push({ id: v, at });
    return v;
  }
  if (typeof v === 'string' && (words as readonly string[]).includes(v)) return v as W;
  const alternatives = words.length > 0 ? `a node id (1, 2, ...) or ${words.join(', ')}` : 'a node id (1, 2, ...)';
  ctx.issues.add(at.pos, at.path, `${at.path} must be ${alternatives} (got ${describeNode(at.node)})`);
  return undefined;
}

function readNodeId(at: Located, ctx: Ctx): NodeId | undefined {
  return readTarget(at, [] as const, ctx) as NodeId | undefined;
}

function readGroups(at: Located, ctx: Ctx): NodeId[][] | undefined {
  const groups = readSeq(at, 'groups of node ids, e.g. [[1, 2], [3, 4, 5]]', ctx.positions, ctx.issues);
  if (!groups) return undefined;
  const out: NodeId[][] = [];
  const seen = new Set<NodeId>();
  let ok = true;
  for (const g of groups) {
    const members = readSeq(g, 'node ids', ctx.positions, ctx.issues);
    if (!members) {
      ok = false;
      continue;
    }
    const ids: NodeId[] = [];
    for (const m of members) {
      const id = readNodeId(m, ctx);
      if (id === undefined) {
        ok = false;
        continue;
      }
      if (seen.has(id)) {
        ctx.issues.add(m.pos, m.path, `${m.path}: node ${id} is in more than one group`);
        ok = false;
      }
      seen.add(id);
      ids.push(id);
    }
    out.push(ids);
  }
  if (ok && out.filter((g) => g.length > 0).length < 1) {
    ctx.issues.add(at.pos, at.path, `${at.path} needs at least one non-empty group (nodes left out form another group)`);
    return undefined;
  }
  return ok ? out : undefined;
}

function readIsolate(at: Located, ctx: Ctx): ScenarioAction | undefined {
  const t = readTarget(at, ['leader'] as const, ctx);
  if (t === undefined) return undefined;
  return t === 'leader' ? { kind: 'partition', preset: 'isolate-leader' } : { kind: 'partition', preset: 'isolate-node', node: t };
}

function readPartition(at: Located, ctx: Ctx): ScenarioAction | undefined {
  if (isMap(at.node)) {
    const m = readMap(at, ['groups', 'isolate'], ctx.positions, ctx.issues);
    if (!m) return undefined;
    const groups = m.get('groups');
    const isolate = m.get('isolate');
    if (groups && isolate) {
      ctx.issues.add(at.pos, at.path, `${at.path} takes either groups or isolate, not both`);
      return undefined;
    }
    if (groups) {
      const g = readGroups(groups, ctx);
      return g ? { kind: 'partition', groups: g } : undefined;
    }
    if (isolate) return readIsolate(isolate, ctx);
    ctx.issues.add(at.pos, at.path, `${at.path} needs groups: [[...], [...]] or isolate: <node|leader>`);
    return undefined;
  }
  const v = scalarValue(at.node);
  const presets = PARTITION_PRESETS.filter((p) => p !== 'isolate-node');
  if (v === 'isolate-node') {
    ctx.issues.add(at.pos, at.path, `${at.path}: write "isolate: <node>" to isolate one node`);
    return undefined;
  }
  if (typeof v !== 'string' || !(presets as string[]).includes(v)) {
    ctx.issues.add(
      at.pos,
      at.path,
      `${at.path} must be a preset (${presets.join(', ')}), or { groups: [[...], [...]] } or { isolate: <node|leader> } (got ${describeNode(at.node)})`,
    );
    return undefined;
  }
  return { kind: 'partition', preset: v as PartitionPreset };
}

/** drop / delay / jitter / duplicate, shared by link and flaky. */
function readLinkTrouble(m: Map<string, Located>, at: Located, ctx: Ctx): { drop?: number; delayMs?: number; jitterMs?: number; duplicate?: number } | undefined {
  const out: { drop?: number; delayMs?: number; jitterMs?: number; duplicate?: number } = {};
  let ok = true;
  const num = <T>(v: T | undefined): T | undefined => {
    if (v === undefined) ok = false;
    return v;
  };
  if (m.has('drop')) out.drop = num(readProbability(m.get('drop')!, ctx.issues));
  if (m.has('duplicate')) out.duplicate = num(readProbability(m.get('duplicate')!, ctx.issues));
  if (m.has('delay')) out.delayMs = num(readDuration(m.get('delay')!, ctx.issues, { max: LIMITS.linkDelayMs.max }));
  if (m.has('jitter')) out.jitterMs = num(readDuration(m.get('jitter')!, ctx.issues, { max: LIMITS.linkDelayMs.max }));
  if (!ok) return undefined;
  if (Object.keys(out).length === 0) {
    ctx.issues.add(at.pos, at.path, `${at.path} needs at least one of drop, delay, jitter, duplicate`);
    return undefined;
  }
  return out;
}

function readLink(at: Located, ctx: Ctx): ScenarioAction | undefined {
  const m = readMap(at, ['from', 'to', 'drop', 'delay', 'jitter', 'duplicate', 'symmetric'], ctx.positions, ctx.issues);
  if (!m) return undefined;
  for (const k of ['from', 'to']) {
    if (!m.has(k)) ctx.issues.add(at.pos, at.path, `${at.path} needs ${k}: <node>`);
  }
  const from = m.has('from') ? readNodeId(m.get('from')!, ctx) : undefined;
  const to = m.has('to') ? readNodeId(m.get('to')!, ctx) : undefined;
  const symmetric = m.has('symmetric') ? readBool(m.get('symmetric')!, ctx.issues) : false;
  const trouble = readLinkTrouble(m, at, ctx);
  if (from === undefined || to === undefined || symmetric === undefined || !trouble) return undefined;
  if (from === to) {
    ctx.issues.add(m.get('to')!.pos, childPath(at.path, 'to'), `${at.path}: from and to must be different nodes`);
    return undefined;
  }
  return { kind: 'link', from, to, symmetric, ...trouble };
}

function readFlaky(at: Located, ctx: Ctx): ScenarioAction | undefined {
  const m = readMap(at, ['drop', 'delay', 'jitter', 'duplicate'], ctx.positions, ctx.issues);
  if (!m) return undefined;
  const trouble = readLinkTrouble(m, at, ctx);
  return trouble ? { kind: 'flaky', ...trouble } : undefined;
}

function readClock(at: Located, ctx: Ctx): ScenarioAction | undefined {
  const m = readMap(at, ['node', 'rate'], ctx.positions, ctx.issues);
  if (!m) return undefined;
  if (!m.has('node') || !m.has('rate')) {
    ctx.issues.add(at.pos, at.path, `${at.path} needs node and rate, e.g. { node: 2, rate: 1.5 }`);
    return undefined;
  }
  const node = readNodeId(m.get('node')!, ctx);
  const rate = readNumber(m.get('rate')!, ctx.issues, { min: LIMITS.timerRate.min, max: LIMITS.timerRate.max });
  return node !== undefined && rate !== undefined ? { kind: 'clock', node, rate } : undefined;
}

function readDisk(at: Located, ctx: Ctx): ScenarioAction | undefined {
  const m = readMap(at, ['node', 'fsyncDelay'], ctx.positions, ctx.issues);
  if (!m) return undefined;
  if (!m.has('node') || !m.has('fsyncDelay')) {
    ctx.issues.add(at.pos, at.path, `${at.path} needs node and fsyncDelay, e.g. { node: 2, fsyncDelay: 20ms }`);
    return undefined;
  }
  const node = readNodeId(m.get('node')!, ctx);
  const fsyncDelayMs = readDuration(m.get('fsyncDelay')!, ctx.issues, { max: LIMITS.fsyncDelayMs.max });
  return node !== undefined && fsyncDelayMs !== undefined ? { kind: 'disk', node, fsyncDelayMs } : undefined;
}

const AIM_KEYS = ['from', 'to', 'side', 'types', 'termMin', 'termMax', 'indexMin', 'indexMax', 'nth', 'every', 'first', 'action', 'delay'] as const;

/**
 * `aim: { from, to, types, termMin..indexMax, nth | every | first, action, delay }`: an aimed
 * fault (src/contract/aimedFault.ts, docs/aimed-faults.md).
 */
function readAim(at: Located, ctx: Ctx): ScenarioAction | undefined {
  const m = readMap(at, AIM_KEYS, ctx.positions, ctx.issues);
  if (!m) return undefined;
  let ok = true;
  const need = (k: string, example: string) => {
    if (m.has(k)) return true;
    ctx.issues.add(at.pos, at.path, `${at.path} needs ${k}: ${example}`);
    return (ok = false);
  };
  const from = need('from', '<node|leader|random>') ? readTarget(m.get('from')!, ['leader', 'random'] as const, ctx) : undefined;
  const to = need('to', '<node|leader|random>') ? readTarget(m.get('to')!, ['leader', 'random'] as const, ctx) : undefined;
  const side = m.has('side') ? scalarValue(m.get('side')!.node) : 'sender';
  if (side !== 'sender' && side !== 'receiver') {
    const s = m.get('side')!;
    ctx.issues.add(s.pos, s.path, `${s.path} must be sender or receiver (got ${describeNode(s.node)})`);
    ok = false;
  }
  let types: MessageType[] | undefined;
  if (m.has('types')) {
    const list = readSeq(m.get('types')!, 'message types', ctx.positions, ctx.issues);
    types = [];
    for (const item of list ?? []) {
      const t = scalarValue(item.node);
      if (typeof t === 'string' && (MESSAGE_TYPES as readonly string[]).includes(t)) types.push(t as MessageType);
      else {
        ctx.issues.add(item.pos, item.path, `${item.path} must be one of ${MESSAGE_TYPES.join(', ')} (got ${describeNode(item.node)})`);
        ok = false;
      }
    }
    if (!list || types.length === 0) {
      if (list) ctx.issues.add(m.get('types')!.pos, m.get('types')!.path, `${m.get('types')!.path} must name at least one message type`);
      ok = false;
    }
  }
  const match: { types?: MessageType[]; termMin?: number; termMax?: number; indexMin?: number; indexMax?: number } = types ? { types } : {};
  for (const k of ['termMin', 'termMax', 'indexMin', 'indexMax'] as const) {
    if (!m.has(k)) continue;
    const n = readNumber(m.get(k)!, ctx.issues, { min: 0, integer: true });
    if (n === undefined) ok = false;
    else match[k] = n;
  }
  const occurrences = (['nth', 'every', 'first'] as const).filter((k) => m.has(k));
  if (occurrences.length > 1) {
    ctx.issues.add(at.pos, at.path, `${at.path} takes at most one of nth, every, first (got ${occurrences.join(', ')})`);
    ok = false;
  }
  let occurrence: Extract<ScenarioAction, { kind: 'aimed' }>['occurrence'];
  if (occurrences.length === 1) {
    const k = occurrences[0];
    const n = readNumber(m.get(k)!, ctx.issues, { min: 1, max: 1_000_000_000, integer: true });
    if (n === undefined) ok = false;
    else occurrence = k === 'nth' ? { kind: 'nth', n } : { kind: k, k: n };
  }
  let action: AimedAction | undefined;
  if (need('action', AIMED_ACTIONS.join(' | '))) {
    const a = m.get('action')!;
    const kind = scalarValue(a.node);
    if (typeof kind !== 'string' || !(AIMED_ACTIONS as readonly string[]).includes(kind)) {
      ctx.issues.add(a.pos, a.path, `${a.path} must be one of ${AIMED_ACTIONS.join(', ')} (got ${describeNode(a.node)})`);
      ok = false;
    } else if (kind === 'delay') {
      if (need('delay', '<duration> (with action: delay), e.g. delay: 200ms')) {
        const ms = readDuration(m.get('delay')!, ctx.issues, { max: LIMITS.linkDelayMs.max });
        if (ms === undefined) ok = false;
        else action = { kind: 'delay', ms };
      }
    } else {
      action = { kind } as AimedAction;
    }
  }
  if (m.has('delay') && action && action.kind !== 'delay') {
    const d = m.get('delay')!;
    ctx.issues.add(d.pos, d.path, `${d.path} only goes with action: delay`);
    ok = false;
  }
  if (!ok || from === undefined || to === undefined || !action) return undefined;
  if (from === to && from !== 'random') {
    ctx.issues.add(at.pos, at.path, `${at.path}: from and to must be different nodes`);
    return undefined;
  }
  return { kind: 'aimed', from, to, side: side as 'sender' | 'receiver', ...(Object.keys(match).length > 0 ? { match } : {}), ...(occurrence ? { occurrence } : {}), action };
}

function readAction(key: ActionKey, at: Located, ctx: Ctx): ScenarioAction | undefined {
  const targets = ['leader', 'random'] as const;
  switch (key) {
    case 'kill':
    case 'pause':
    case 'stop': {
      const node = readTarget(at, targets, ctx);
      return node === undefined ? undefined : { kind: key, node };
    }
    case 'restart': {
      const node = readTarget(at, [...targets, 'killed'] as const, ctx);
      return node === undefined ? undefined : { kind: 'restart', node };
    }
    case 'resume': {
      const node = readTarget(at, ['paused'] as const, ctx);
      return node === undefined ? undefined : { kind: 'resume', node };
    }
    case 'partition':
      return readPartition(at, ctx);
    case 'groups': {
      const g = readGroups(at, ctx);
      return g ? { kind: 'partition', groups: g } : undefined;
    }
    case 'isolate':
      return readIsolate(at, ctx);
    case 'heal': {
      const v = scalarValue(at.node);
      if (v !== 'all' && v !== true) {
        ctx.issues.add(at.pos, at.path, `${at.path} must be "all" (heals every partition and link fault)`);
        return undefined;
      }
      return { kind: 'heal' };
    }
    case 'link':
      return readLink(at, ctx);
    case 'flaky':
      return readFlaky(at, ctx);
    case 'clock':
      return readClock(at, ctx);
    case 'disk':
      return readDisk(at, ctx);
    case 'add-node':
      if (scalarValue(at.node) !== true) {
        ctx.issues.add(at.pos, at.path, `${at.path} must be true (the lab picks the new node's id)`);
        return undefined;
      }
      return { kind: 'add-node' };
    case 'remove-node': {
      const node = readTarget(at, targets, ctx);
      return node === undefined ? undefined : { kind: 'remove-node', node: node as NodeTarget };
    }
    case 'transfer-leader': {
      const to = readTarget(at, ['random'] as const, ctx);
      return to === undefined ? undefined : { kind: 'transfer-leader', to };
    }
    case 'aim':
      return readAim(at, ctx);
    case 'speed': {
      const speed = readNumber(at, ctx.issues, { min: LIMITS.speed.min, max: LIMITS.speed.max });
      return speed === undefined ? undefined : { kind: 'speed', speed };
    }
  }
}

/**
 * Reads the `faults:` list into a timeline sorted by time. `refs` collects every node id
 * written, for the caller to check once the cluster size is known.
 */
export function readFaults(at: Located, durationMs: number | undefined, positions: Positions, issues: IssueList, refs: NodeRef[]): ScenarioStep[] {
  const ctx: Ctx = { positions, issues, refs };
  const entries = readSeq(at, 'fault entries (each with at: and an action)', positions, issues);
  if (!entries) return [];
  const steps: ScenarioStep[] = [];
  entries.forEach((entry, index) => {
    const m = readMap(entry, ENTRY_KEYS, positions, issues);
    if (!m) return;
    const actionKeys = ACTION_KEYS.filter((k) => m.has(k));
    if (!m.has('at')) issues.add(entry.pos, entry.path, `${entry.path} needs at: <time>, e.g. at: 5s`);
    if (actionKeys.length === 0) {
      issues.add(entry.pos, entry.path, `${entry.path} needs an action: one of ${ACTION_KEYS.join(', ')}`);
    } else if (actionKeys.length > 1) {
      const second = m.get(actionKeys[1])!;
      issues.add(second.pos, second.path, `${entry.path} has more than one action (${actionKeys.join(', ')}); write one entry per action`);
    }
    const atMs = m.has('at') ? readDuration(m.get('at')!, issues) : undefined;
    const action = actionKeys.length === 1 ? readAction(actionKeys[0], m.get(actionKeys[0])!, ctx) : undefined;
    const every = m.has('every') ? readDuration(m.get('every')!, issues, { positive: true }) : undefined;
    let until = m.has('until') ? readDuration(m.get('until')!, issues) : undefined;
    if (m.has('until') && !m.has('every')) issues.add(m.get('until')!.pos, m.get('until')!.path, `${m.get('until')!.path} only makes sense with every`);
    if (atMs === undefined || action === undefined) return;
    const line = entry.pos.line;
    if (durationMs !== undefined && atMs >= durationMs) {
      const loc = m.get('at')!;
      issues.add(loc.pos, loc.path, `${loc.path} (${formatDuration(atMs)}) must be before the end of the run (duration: ${formatDuration(durationMs)})`);
      return;
    }
    if (durationMs !== undefined && until !== undefined && until > durationMs) {
      const loc = m.get('until')!;
      issues.add(loc.pos, loc.path, `${loc.path} (${formatDuration(until)}) is after the end of the run (duration: ${formatDuration(durationMs)})`);
      return;
    }
    if (m.has('every') && every === undefined) return;
    if (every === undefined) {
      steps.push({ atMs, action, source: { index, line } });
      return;
    }
    until = until ?? durationMs ?? atMs + every;
    for (let t = atMs; t < until; t += every) {
      if (steps.length >= MAX_STEPS) {
        const loc = m.get('every')!;
        issues.add(loc.pos, loc.path, `${loc.path} makes the timeline longer than ${MAX_STEPS} steps`);
        return;
      }
      steps.push({ atMs: t, action, source: { index, line } });
    }
  });
  // Stable sort: entries at the same time keep the file's order.
  return steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.atMs - b.s.atMs || a.i - b.i).map((x) => x.s);
}
