/**
 * Judges a finished run against a scenario's `expect:` section, giving the summary's
 * `expectations` entries.
 */
import type { RunEvent, Summary } from '../../contract/runEvents';
import type { ScenarioExpectations } from '../../contract/scenario';
import { analyzeElections } from '../export/elections';
import { runSpan } from '../export/summary';

export type ExpectationResult = NonNullable<Summary['expectations']>[number];

export function evaluateExpectations(expect: ScenarioExpectations, summary: Summary, events: readonly RunEvent[]): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  if (expect.leaderWithinMs !== undefined) {
    const first = analyzeElections(events).firstLeaderAt;
    const start = runSpan(events, []).start;
    const after = first === null ? null : first - start;
    out.push({
      name: `leaderWithin ${expect.leaderWithinMs} ms`,
      ok: after !== null && after <= expect.leaderWithinMs,
      detail: after === null ? 'no leader was ever elected' : `first leader after ${after.toFixed(1)} ms`,
    });
  }
  if (expect.noViolations) {
    const n = summary.violations.length;
    out.push({
      name: 'noViolations',
      ok: n === 0,
      detail: n === 0 ? 'no safety violation' : `${n} violation${n > 1 ? 's' : ''}, first: ${summary.violations[0].property}: ${summary.violations[0].message}`,
    });
  }
  if (expect.linearizable) {
    out.push({
      name: 'linearizable',
      ok: summary.linearizable === true,
      detail:
        summary.linearizable === true
          ? `${summary.ops.ok} ok operations checked`
          : `${summary.linearizable === false ? 'not linearizable' : 'could not decide'}: ${summary.linearizability ?? 'no reason given'}`,
    });
  }
  if (expect.maxElectionMs !== undefined) {
    const max = summary.electionMs.max;
    out.push({
      name: `maxElectionMs ${expect.maxElectionMs}`,
      ok: max === null || max <= expect.maxElectionMs,
      detail: max === null ? 'no leader was lost, nothing to measure' : `longest time without a leader: ${max} ms over ${summary.electionMs.count} elections`,
    });
  }
  return out;
}
