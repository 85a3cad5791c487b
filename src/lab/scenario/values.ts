/**
 * Scalar readers for scenario files: each returns the value, or undefined after recording
 * an issue that names the field and says what is expected.
 */
import { DURATION_PATTERN as DURATION } from '../../contract/scenario';
import { describeNode, scalarValue, type IssueList, type Located } from './yamlReader';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1500ms" -> 1500, "5s" -> 5000, "1.5m" -> 90000; 0 is allowed bare. Undefined if malformed. */
export function parseDuration(v: unknown): number | undefined {
  if (v === 0) return 0;
  if (typeof v !== 'string') return undefined;
  const m = DURATION.exec(v.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]] * 1000) / 1000;
}

/** Formats ms back the way a scenario writes them (for messages). */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 && ms !== 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * A duration (the scenario's `at`, `every`, `until`, `duration` and an action's duration
 * fields). An action's bounds are its declaration's (ScenarioActionSchema) and are not
 * repeated here; `max` (ms) is for a reader that has no declaration to decode with.
 */
export function readDuration(at: Located, issues: IssueList, opts: { positive?: boolean; max?: number } = {}): number | undefined {
  const ms = parseDuration(scalarValue(at.node));
  if (ms === undefined) {
    issues.add(at.pos, at.path, `${at.path} must be a duration like 5s or 1500ms (got ${describeNode(at.node)})`);
    return undefined;
  }
  if (opts.positive && ms <= 0) {
    issues.add(at.pos, at.path, `${at.path} must be longer than 0`);
    return undefined;
  }
  if (opts.max !== undefined && ms > opts.max) {
    issues.add(at.pos, at.path, `${at.path} must be at most ${formatDuration(opts.max)} (got ${describeNode(at.node)})`);
    return undefined;
  }
  return ms;
}

export function readString(at: Located, issues: IssueList): string | undefined {
  const v = scalarValue(at.node);
  if (typeof v !== 'string') {
    issues.add(at.pos, at.path, `${at.path} must be text (got ${describeNode(at.node)})`);
    return undefined;
  }
  return v;
}

export function readBool(at: Located, issues: IssueList): boolean | undefined {
  const v = scalarValue(at.node);
  if (typeof v !== 'boolean') {
    issues.add(at.pos, at.path, `${at.path} must be true or false (got ${describeNode(at.node)})`);
    return undefined;
  }
  return v;
}

export function readNumber(at: Located, issues: IssueList, range: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean } = {}): number | undefined {
  const v = scalarValue(at.node);
  const kind = range.integer ? 'a whole number' : 'a number';
  let bounds = '';
  if (range.min !== undefined && range.max !== undefined) {
    bounds = range.minExclusive ? ` above ${range.min} and at most ${range.max}` : ` from ${range.min} to ${range.max}`;
  } else if (range.min !== undefined) {
    bounds = range.minExclusive ? ` above ${range.min}` : ` of at least ${range.min}`;
  }
  const fail = (): undefined => {
    issues.add(at.pos, at.path, `${at.path} must be ${kind}${bounds} (got ${describeNode(at.node)})`);
    return undefined;
  };
  if (typeof v !== 'number' || !Number.isFinite(v)) return fail();
  if (range.integer && !Number.isInteger(v)) return fail();
  if (range.min !== undefined && (range.minExclusive ? v <= range.min : v < range.min)) return fail();
  if (range.max !== undefined && v > range.max) return fail();
  return v;
}
