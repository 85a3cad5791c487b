/**
 * `raftlab run --aim SPEC` (docs/aimed-faults.md): an aimed fault from the command line, as a
 * scenario step. SPEC is key=value pairs separated by commas:
 *
 *   at=2s,from=leader,to=random,types=append,nth=3,action=drop
 *   at=1s,from=1,to=2,side=receiver,types=vote/voteResp,termMin=2,every=2,action=delay,delay=200ms
 *
 * Keys mirror a scenario file's `aim:` step (docs/scenarios.md); types are separated by "/".
 * The result is checked with the FaultSpec declaration (src/contract/aimedFault.ts).
 */
import * as v from 'valibot';
import { FaultSpecSchema } from '../contract/faults';
import type { ScenarioStep } from '../contract/scenario';
import { fillSentence } from '../contract/schemaKit';
import { parseDuration } from './scenario/values';

/** A bad --aim SPEC (cliPlans.ts makes it a usage error, exit 2). */
export class AimSpecError extends Error {}

const KEYS = ['at', 'from', 'to', 'side', 'types', 'termMin', 'termMax', 'indexMin', 'indexMax', 'hasEntries', 'nth', 'every', 'first', 'action', 'delay'] as const;

const endOf = (v: string): number | string => (/^\d+$/.test(v) ? Number(v) : v);

function count(key: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new AimSpecError(`--aim: ${key} must be a whole number, got "${value}"`);
  return n;
}

/** One --aim SPEC as a scenario step at its `at` (index: its place among the --aim flags). */
export function parseAimSpec(spec: string, index: number): ScenarioStep {
  const kv = new Map<string, string>();
  for (const part of spec.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new AimSpecError(`--aim: "${part}" is not key=value`);
    const k = part.slice(0, eq).trim();
    if (!(KEYS as readonly string[]).includes(k)) throw new AimSpecError(`--aim: unknown key "${k}" (${KEYS.join(', ')})`);
    if (kv.has(k)) throw new AimSpecError(`--aim: ${k} given twice`);
    kv.set(k, part.slice(eq + 1).trim());
  }
  const at = parseDuration(kv.get('at') ?? '');
  if (at === undefined) throw new AimSpecError(`--aim needs at=<time>, e.g. at=2s`);
  const occurrences = (['nth', 'every', 'first'] as const).filter((k) => kv.has(k));
  if (occurrences.length > 1) throw new AimSpecError(`--aim takes at most one of nth, every, first`);
  const match: Record<string, unknown> = {};
  if (kv.has('types')) match.types = kv.get('types')!.split('/');
  for (const k of ['termMin', 'termMax', 'indexMin', 'indexMax'] as const) if (kv.has(k)) match[k] = count(k, kv.get(k)!);
  if (kv.has('hasEntries')) {
    const b = kv.get('hasEntries');
    if (b !== 'true' && b !== 'false') throw new AimSpecError(`--aim: hasEntries must be true or false, got "${b}"`);
    match.hasEntries = b === 'true';
  }
  const o = occurrences[0];
  const occurrence = o === undefined ? undefined : o === 'nth' ? { kind: 'nth', n: count(o, kv.get(o)!) } : { kind: o, k: count(o, kv.get(o)!) };
  const kind = kv.get('action');
  let action: Record<string, unknown> = { kind };
  if (kind === 'delay') {
    const ms = parseDuration(kv.get('delay') ?? '');
    if (ms === undefined) throw new AimSpecError('--aim: action=delay needs delay=<time>, e.g. delay=200ms');
    action = { kind, ms };
  } else if (kv.has('delay')) {
    throw new AimSpecError('--aim: delay= only goes with action=delay');
  }
  const fault = {
    kind: 'aimed',
    from: endOf(kv.get('from') ?? ''),
    to: endOf(kv.get('to') ?? ''),
    side: kv.get('side') ?? 'sender',
    ...(Object.keys(match).length > 0 ? { match } : {}),
    ...(occurrence ? { occurrence } : {}),
    action,
  };
  const r = v.safeParse(FaultSpecSchema, fault, { abortEarly: true });
  if (!r.success) throw new AimSpecError(fillSentence(r.issues[0], '--aim', '--aim'));
  if (r.output.kind !== 'aimed') throw new AimSpecError('--aim: not an aimed fault');
  return { atMs: at, action: r.output, source: { index: -1 - index, line: 0 } };
}
