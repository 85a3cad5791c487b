/**
 * How the Experiments view writes the lab's numbers: the digits `raftlab compare` and the
 * report print (src/lab/experiments/compare.ts, trialReport.ts), so the app, the CLI and
 * figure16.html read alike. Formatting only: every value is the lab's.
 */
import type { IntervalView } from '../../../../src/contract/labApiExperiments';
import { pText } from '../../../../src/analysis/stats';
export { pText };

/** One decimal, or "–" for a value the lab could not compute (no samples). */
export function f1(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : v.toFixed(1);
}

/** A signed percentage of a fraction: 0.123 -> "+12.3%". */
export function pct(v: number): string {
  return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
}

/** "12.3 (4.5 to 20.1)": an estimate and its interval. */
export function intervalText(i: IntervalView | null, as: (v: number) => string = f1): string {
  return i === null ? '–' : `${as(i.estimate)} (${as(i.low)} to ${as(i.high)})`;
}

export const modeWords = (m: 'real' | 'sim'): string => (m === 'sim' ? 'simulated' : 'real processes');

/** "p = 0.58", or "p < 1e-6" for one too small to print. */
export function pClause(p: number): string {
  const t = pText(p);
  return t.startsWith('<') ? `p ${t}` : `p = ${t}`;
}
