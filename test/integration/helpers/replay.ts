/**
 * The replay assertion every integration test gets at teardown (TestCluster.dispose): the
 * run's journals, replayed through the pure core (src/replay), must reproduce every step's
 * journaled output digest. A mismatch is a determinism bug in the core or a journal that
 * misses an input (issue 10: "0 mismatches across kills, restarts, snapshots and membership
 * changes").
 */
import { describeMismatch, replayRun, type RunReplayReport } from '../../../src/replay/runReplay';

/**
 * Replays `runDir` and throws naming node, step and field when any step differs, or when
 * `journaled` (recording 'full') and no node left a journal with steps in it.
 */
export function expectExactReplay(runDir: string, journaled = true): RunReplayReport {
  const report = replayRun(runDir);
  if (journaled && (report.nodes.length === 0 || report.steps === 0)) throw new Error(`replay of ${runDir}: recording is full but no node journaled a step`);
  if (report.mismatches.length > 0) {
    const shown = report.mismatches.slice(0, 10).map(describeMismatch).join('\n  ');
    throw new Error(`replay of ${runDir}: ${report.mismatches.length} mismatch(es) in ${report.steps} steps:\n  ${shown}`);
  }
  return report;
}
