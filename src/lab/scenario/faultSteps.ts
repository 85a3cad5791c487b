/**
 * The `faults:` timeline of a scenario file. Each entry has `at`, exactly one action key,
 * and optionally `every` / `until` to repeat the action (e.g. crash the leader every 2 s).
 *
 * An action is read in two moves: its file form is turned into the action's fields (the
 * kind from the key, durations into ms, `isolate: 3` into the isolate-node preset) without
 * judging the values, and the result is decoded with `ScenarioActionSchema`
 * (src/contract/scenario.ts), the one place the rules live. Each field remembers where it
 * was written, so the declaration's issues come back at the file's line and column.
 */
import * as v from 'valibot';
import { isMap } from 'yaml';
import type { NodeId } from '../../raft/types';
import { AIMED_ACTIONS } from '../../contract/aimedRules';
import { LIMITS } from '../../contract/limits';
import { SCENARIO_ACTION_ENTRIES, ScenarioActionSchema, type ScenarioAction, type ScenarioStep } from '../../contract/scenario';
import { decodeDraft, descend, draft as fieldsDraft, mappingDraft, plainValue, type Draft, type ReadContext } from './decodeAt';
import { formatDuration, readDuration, readString } from './values';
import { describeNode, readMap, readSeq, scalarValue, type IssueList, type Located, type Positions } from './yamlReader';

/** The action keys, in the declaration's order (SCENARIO_ACTION_ENTRIES in src/contract/scenario.ts). */
export const ACTION_KEYS = Object.keys(SCENARIO_ACTION_ENTRIES) as (keyof typeof SCENARIO_ACTION_ENTRIES)[];
type ActionKey = (typeof ACTION_KEYS)[number];

const ENTRY_KEYS = ['at', 'every', 'until', 'note', ...ACTION_KEYS] as const;
/** More steps than this is almost certainly a mistake in `every`. */
export const MAX_STEPS = LIMITS.scenarioSteps;

/** A node id written in the file, checked against the cluster size once that is known. */
export interface NodeRef {
  id: NodeId;
  at: Located;
}

interface Ctx extends ReadContext {
  refs: NodeRef[];
}

/** A draft of the action of this kind. */
function draft(kind: string): Draft {
  return fieldsDraft({ kind });
}

/** `isolate: leader` or `isolate: 3`: a partition preset. */
function isolateForm(at: Located): Draft {
  const d = draft('partition');
  const value = scalarValue(at.node);
  if (value === 'leader') {
    d.fields.preset = 'isolate-leader';
    return d;
  }
  d.fields.preset = 'isolate-node';
  d.fields.node = plainValue(at.node);
  d.where.set('node', at);
  return d;
}

/** `partition: halves`, `partition: { groups: [...] }` or `partition: { isolate: <node|leader> }`. */
function partitionForm(at: Located, ctx: Ctx): Draft | undefined {
  if (!isMap(at.node)) {
    const d = draft('partition');
    // The file names one node with `isolate:`; the preset alone would be refused for its missing node.
    if (scalarValue(at.node) === 'isolate-node') {
      ctx.issues.add(at.pos, at.path, `${at.path}: write "isolate: <node>" to isolate one node`);
      return undefined;
    }
    d.fields.preset = plainValue(at.node);
    d.where.set('preset', at);
    return d;
  }
  const m = readMap(at, ['groups', 'isolate'], ctx.positions, ctx.issues);
  if (!m) return undefined;
  const isolate = m.get('isolate');
  const d = isolate ? isolateForm(isolate) : draft('partition');
  const groups = m.get('groups');
  if (groups) {
    d.fields.groups = plainValue(groups.node);
    d.where.set('groups', groups);
  }
  return d;
}

type FileForm = (at: Located, ctx: Ctx) => Draft | undefined;

/** A whole-value form (`kill: leader`, `groups: [[1], [2, 3]]`): the value is one field of the action. */
function valueForm(kind: ScenarioAction['kind'], field: string): FileForm {
  return (at) => {
    const d = draft(kind);
    d.fields[field] = plainValue(at.node);
    d.where.set(field, at);
    return d;
  };
}

/** A flag with no fields (`heal: all`, `add-node: true`): the file declaration says which values. */
function flagForm(key: 'heal' | 'add-node' | 'freeze' | 'unfreeze'): FileForm {
  const declared = SCENARIO_ACTION_ENTRIES[key];
  const why = v.getDescription(declared);
  return (at, ctx) => {
    const r = v.safeParse(declared, plainValue(at.node));
    if (r.success) return draft(key);
    ctx.issues.add(at.pos, at.path, `${at.path} must be ${r.issues[0].expected} (got ${describeNode(at.node)})${why ? `: ${why.charAt(0).toLowerCase()}${why.slice(1)}` : ''}`);
    return undefined;
  };
}

type MappingKey = 'link' | 'flaky' | 'clock' | 'disk' | 'bandwidth' | 'release' | 'advance' | 'break' | 'aim' | 'put';

/** A mapping's declared fields, whether the declaration is the object itself or a pipe around it (one with a description). */
function entriesOf(key: MappingKey): v.ObjectEntries {
  const declared = SCENARIO_ACTION_ENTRIES[key] as v.GenericSchema & { entries?: v.ObjectEntries; pipe?: readonly (v.GenericSchema & { entries?: v.ObjectEntries })[] };
  const entries = declared.entries ?? declared.pipe?.[0]?.entries;
  if (!entries) throw new Error(`scenario key ${key} is not declared as a mapping`);
  return entries;
}

function mapping(key: MappingKey): FileForm {
  const entries = entriesOf(key);
  return (at, ctx) => mappingDraft(entries, at, ctx, { kind: key });
}

const MATCH_FIELDS = ['types', 'termMin', 'termMax', 'indexMin', 'indexMax', 'hasEntries'] as const;
const OCCURRENCE_FIELDS = { nth: 'n', every: 'k', first: 'k' } as const;

/**
 * `aim: { from, to, side, types, termMin..indexMax, hasEntries, nth | every | first, action, delay }`: the
 * file's flat keys become the aimed fault's nested fields (src/contract/aimedFault.ts:
 * `match`, `occurrence`, `action`), each remembering its file key by a dotted path so the
 * declaration's issues are placed where the file wrote them (docs/aimed-faults.md).
 * `side` is left out when the file leaves it out: the fault's default is the sender.
 */
function aimForm(at: Located, ctx: Ctx): Draft | undefined {
  const flat = mappingDraft(entriesOf('aim'), at, ctx);
  if (!flat) return undefined;
  const d = draft('aimed');
  // A malformed delay was reported by the reader: the declaration's word on the action is not repeated.
  if (flat.refused.has('delayMs')) d.refused.add('action');
  const move = (from: string, to: string, set: (value: unknown) => void) => {
    const loc = flat.where.get(from);
    if (!loc) return;
    set(flat.fields[from]);
    d.where.set(to, loc);
  };
  for (const k of ['from', 'to', 'side'] as const) {
    move(k, k, (value) => (d.fields[k] = value));
    d.fileKey.set(k, k);
  }
  d.fileKey.set('action', 'action');
  const match: Record<string, unknown> = {};
  for (const k of MATCH_FIELDS) move(k, `match.${k}`, (value) => (match[k] = value));
  if (Object.keys(match).length > 0) d.fields.match = match;
  const occurrences = (Object.keys(OCCURRENCE_FIELDS) as (keyof typeof OCCURRENCE_FIELDS)[]).filter((k) => flat.where.has(k));
  if (occurrences.length > 1) {
    ctx.issues.add(at.pos, at.path, `${at.path} takes at most one of nth, every, first (got ${occurrences.join(', ')})`);
    d.refused.add('occurrence');
  }
  for (const k of occurrences) {
    const field = OCCURRENCE_FIELDS[k];
    d.fields.occurrence = { kind: k };
    move(k, `occurrence.${field}`, (value) => ((d.fields.occurrence as Record<string, unknown>)[field] = value));
    d.where.set('occurrence', flat.where.get(k)!);
  }
  const actionAt = flat.where.get('action');
  const delayAt = flat.where.get('delayMs');
  if (actionAt) {
    const kind = flat.fields.action;
    d.fields.action = { kind };
    d.where.set('action', actionAt);
    // Refused here rather than by the declaration, whose sentence names the lab API's `action.kind`.
    const refuse = (where: Located, sentence: string) => {
      ctx.issues.add(where.pos, where.path, sentence);
      d.refused.add('action');
    };
    if (!(AIMED_ACTIONS as readonly unknown[]).includes(kind)) refuse(actionAt, `${actionAt.path} must be one of ${AIMED_ACTIONS.join(', ')} (got ${describeNode(actionAt.node)})`);
    else if (kind === 'delay' && !delayAt && !flat.refused.has('delayMs')) refuse(at, `${at.path} needs delay: <duration> with action: delay, e.g. delay: 200ms`);
    else if (kind !== 'delay' && delayAt) refuse(delayAt, `${delayAt.path} only goes with action: delay`);
    else if (delayAt) move('delayMs', 'action.ms', (value) => ((d.fields.action as Record<string, unknown>).ms = value));
  }
  return d;
}

/**
 * How each file key becomes an action's fields; one entry per key of SCENARIO_ACTION_ENTRIES
 * (the type makes a new key fail to compile until it has its form here).
 */
const FILE_FORMS: { [K in ActionKey]: FileForm } = {
  kill: valueForm('kill', 'node'),
  pause: valueForm('pause', 'node'),
  stop: valueForm('stop', 'node'),
  restart: valueForm('restart', 'node'),
  resume: valueForm('resume', 'node'),
  partition: partitionForm,
  groups: valueForm('partition', 'groups'),
  isolate: isolateForm,
  heal: flagForm('heal'),
  link: mapping('link'),
  flaky: mapping('flaky'),
  clock: mapping('clock'),
  disk: mapping('disk'),
  bandwidth: mapping('bandwidth'),
  'add-node': flagForm('add-node'),
  'remove-node': valueForm('remove-node', 'node'),
  'transfer-leader': valueForm('transfer-leader', 'to'),
  freeze: flagForm('freeze'),
  unfreeze: flagForm('unfreeze'),
  release: mapping('release'),
  advance: mapping('advance'),
  'timeout-now': valueForm('timeout-now', 'node'),
  put: mapping('put'),
  break: mapping('break'),
  speed: valueForm('speed', 'speed'),
  aim: aimForm,
};

/** Node ids the action names, with where: checked against the cluster size by the caller. */
const NODE_FIELDS = ['node', 'from', 'to', 'groups'] as const;

function collectRefs(action: ScenarioAction, d: Draft, ctx: Ctx): void {
  const fields = action as Record<string, unknown>;
  for (const field of NODE_FIELDS) {
    const loc = d.where.get(field);
    const value = fields[field];
    if (!loc) continue;
    if (typeof value === 'number') ctx.refs.push({ id: value, at: loc });
    if (Array.isArray(value)) {
      (value as number[][]).forEach((group, g) => group.forEach((id, i) => ctx.refs.push({ id, at: descend(loc, [g, i], ctx.positions) })));
    }
  }
}

/** Reads one action: its file form, then the declaration's decoding of it. */
function readAction(key: ActionKey, at: Located, ctx: Ctx): ScenarioAction | undefined {
  const d = FILE_FORMS[key](at, ctx);
  const action = d && decodeDraft(ScenarioActionSchema, d, at, ctx);
  if (action) collectRefs(action, d, ctx);
  return action;
}

/** A step's `note:`: text, at most LIMITS.scenarioNoteChars long. */
function readNote(at: Located, issues: IssueList): string | undefined {
  const note = readString(at, issues);
  if (note !== undefined && note.length > LIMITS.scenarioNoteChars) {
    issues.add(at.pos, at.path, `${at.path} is ${note.length} characters long; a note may have at most ${LIMITS.scenarioNoteChars}`);
    return undefined;
  }
  return note?.trim();
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
    const note = m.has('note') ? readNote(m.get('note')!, issues) : undefined;
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
      steps.push({ atMs, action, source: { index, line }, ...(note !== undefined ? { note } : {}) });
      return;
    }
    until = until ?? durationMs ?? atMs + every;
    for (let t = atMs; t < until; t += every) {
      if (steps.length >= MAX_STEPS) {
        const loc = m.get('every')!;
        issues.add(loc.pos, loc.path, `${loc.path} makes the timeline longer than ${MAX_STEPS} steps`);
        return;
      }
      steps.push({ atMs: t, action, source: { index, line }, ...(note !== undefined ? { note } : {}) });
    }
  });
  // Stable sort: entries at the same time keep the file's order.
  return steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.atMs - b.s.atMs || a.i - b.i).map((x) => x.s);
}
