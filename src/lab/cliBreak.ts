/**
 * `raftlab run --break SPEC` (docs/debugger.md): breakpoints set when the run starts. SPEC is
 * a comma-separated list of conditions, any of which breaks:
 *
 *   roleChange                 a node changes role (§5.2)
 *   termAbove=N                a node's term exceeds N
 *   commitAtLeast=K            a node's commit index reaches K
 *   receive=TYPE[/TYPE...]     a node receives a message of these types (e.g. receive=vote/voteResp)
 *   send=TYPE[/TYPE...]        a node sends one
 *   nodeKilled                 a node is killed or crashes
 *   violation                  a checker reports a safety violation
 *
 * e.g. `--break roleChange,termAbove=3,commitAtLeast=10`. The result is checked with the
 * breakpoints' declaration (BreakpointsSchema, src/contract/debug.ts). What a headless run
 * does when one fires is in cli.ts (cmdRun) and scenarioRunner.ts (`stopOnBreak`).
 */
import * as v from 'valibot';
import { BreakpointsSchema, type Breakpoints } from '../contract/debug';
import type { ScenarioStep } from '../contract/scenario';
import { fillSentence } from '../contract/schemaKit';
import { MESSAGE_TYPES } from '../contract/labApiTimeTravel';

/** A bad --break SPEC (cliPlans.ts makes it a usage error, exit 2). */
export class BreakSpecError extends Error {}

const FLAGS = ['roleChange', 'nodeKilled', 'violation'] as const;
const NUMBERS = ['termAbove', 'commitAtLeast'] as const;
const MESSAGES = ['receive', 'send'] as const;
const KEYS = [...FLAGS, ...NUMBERS, ...MESSAGES];

export function parseBreakSpec(spec: string): Breakpoints {
  const bp: Record<string, unknown> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    const value = eq < 0 ? undefined : part.slice(eq + 1).trim();
    if (!(KEYS as readonly string[]).includes(key)) throw new BreakSpecError(`--break: unknown condition "${key}" (${KEYS.join(', ')})`);
    if (key in bp) throw new BreakSpecError(`--break: ${key} given twice`);
    if ((FLAGS as readonly string[]).includes(key)) {
      if (value !== undefined) throw new BreakSpecError(`--break: ${key} takes no value (write just ${key})`);
      bp[key] = true;
    } else if (value === undefined || value === '') {
      throw new BreakSpecError(`--break: ${key} needs a value, e.g. ${(NUMBERS as readonly string[]).includes(key) ? `${key}=3` : `${key}=vote/append`}`);
    } else if ((NUMBERS as readonly string[]).includes(key)) {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new BreakSpecError(`--break: ${key} must be a whole number >= 0, got "${value}"`);
      bp[key] = n;
    } else {
      const types = value.split('/').map((t) => t.trim());
      const unknown = types.find((t) => !(MESSAGE_TYPES as readonly string[]).includes(t));
      if (unknown !== undefined) throw new BreakSpecError(`--break: ${key}=${value}: "${unknown}" is not a message type (${MESSAGE_TYPES.join(', ')})`);
      bp[key] = { types };
    }
  }
  if (Object.keys(bp).length === 0) throw new BreakSpecError(`--break needs at least one condition (${KEYS.join(', ')})`);
  const r = v.safeParse(BreakpointsSchema, bp, { abortEarly: true });
  if (!r.success) throw new BreakSpecError(fillSentence(r.issues[0], '--break', '--break'));
  return r.output;
}

/** The breakpoints as the run's first step (at 0 ms): set through the debugger like a scenario's `break:`. */
export function breakStep(bp: Breakpoints): ScenarioStep {
  return { atMs: 0, action: { kind: 'break', ...bp }, source: { index: -1, line: 0 } };
}
