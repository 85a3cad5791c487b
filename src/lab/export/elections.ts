/**
 * Leaderless intervals over a recorded run, for summary.json, the CLI summary and the
 * report: the one rule set lives in src/analysis/leaderless.ts (documented in
 * docs/formats.md), shared with the app's live election chart.
 */
export { analyzeElections, byTime, type ElectionAnalysis } from '../../analysis/elections';
export type { LeaderlessCause, LeaderlessInterval, Leadership } from '../../analysis/leaderless';
