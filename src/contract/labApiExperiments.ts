/**
 * The experiment channels of the lab API (issue 14): open a result folder of `raftlab
 * figure16` or of a scenario sweep and see what its report shows (CDFs of election times,
 * the statistics table, the paper's values), and compare two or more recorded runs (A/B, as
 * `raftlab compare` does). The lab computes the statistics (src/analysis/stats.ts); the
 * renderer only draws what it is sent.
 *
 * Requests are declared here and folded into the one map of request declarations
 * (labApiRequests.ts); the types are inferred from them. No Node imports.
 */
import * as v from 'valibot';
import { fields, filePath, numberFrom, say } from './labApiFields';
import { FIELD, type Decoded } from './schemaKit';

/** Most runs one comparison takes (the first is A; each other is compared with it). */
export const MAX_COMPARED_RUNS = 8;

export const EXPERIMENT_REQUEST_SCHEMAS = {
  /** A figure16 or sweep folder (with trials-real.json and/or trials-sim.json), or one trials file. */
  'experiment:open': fields({ path: filePath }),
  'experiment:compare': fields({
    runs: v.pipe(
      v.array(filePath, say(`${FIELD} must be a list of run paths`)),
      v.minLength(2, say(`${FIELD} needs at least two runs (A and B)`)),
      v.maxLength(MAX_COMPARED_RUNS, say(`${FIELD} may hold at most ${MAX_COMPARED_RUNS} runs`)),
    ),
    /** The gate of `raftlab compare --fail-if-slower`: B counts as worse beyond this many percent (default 0). */
    failIfSlowerPct: v.optional(numberFrom(0, 1000)),
  }),
};

/** An estimate with its interval (src/analysis/stats.ts Interval). */
export interface IntervalView {
  estimate: number;
  low: number;
  high: number;
  confidence: number;
}

/** One cumulative distribution: points (value, cumulative percent), ascending, drawn as end steps. */
export interface CurveView {
  /** Legend name, e.g. "150–155 real" or "B: 2026-…-s1". */
  name: string;
  /** Which variant or run it belongs to (its colour). */
  key: string;
  /** Simulated curves are drawn dashed. */
  dashed: boolean;
  points: Array<[number, number]>;
}

/** A distribution's figures, as every statistics table shows them (null: no samples). */
export interface DistributionView {
  n: number;
  mean: number | null;
  p50: number | null;
  /** Bootstrap 95% interval of the median (seeded: the same samples give the same interval). */
  p50Low: number | null;
  p50High: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** The statistics table's row for one variant of one mode. */
export interface StatsRowView extends DistributionView {
  label: string;
  mode: 'real' | 'sim';
  unresolved: number;
  /** What the paper reports for this range (§9.3), when it does. */
  paper: string | null;
}

/** Real processes against the simulator for one range: the difference of medians. */
export interface AgreementView {
  label: string;
  /** real − simulated median (ms), with its bootstrap 95% interval. */
  diff: IntervalView;
  /** Two-sided Mann–Whitney p. */
  p: number;
  agree: boolean;
}

/** A value the paper reports, drawn as a marker beside the curves. */
export interface PaperPointView {
  label: string;
  what: 'p50' | 'max';
  ms: number;
  /** Where on the cumulative-percent axis (50 for a median, 100 for a maximum). */
  percent: number;
}

export interface ExperimentPanelView {
  /** "top", "bottom", or the sweep's name. */
  name: string;
  title: string;
  /** e.g. "simulated: 1000 trials per range; real processes: 100 trials per range". */
  counts: string;
  curves: CurveView[];
  stats: StatsRowView[];
  agreement: AgreementView[];
  paper: PaperPointView[];
}

export interface ExperimentView {
  /** The folder (or file) that was opened, resolved. */
  path: string;
  kind: 'figure16' | 'sweep' | 'trials';
  /** The trials files read, one per mode (resolved paths): what experiment:compare can take as A or B. */
  sources: Array<{
    mode: 'real' | 'sim';
    path: string;
    /** The file's range labels: `path#label` compares one range with another (experiment:compare). */
    variants: string[];
  }>;
  title: string;
  /** What the variants share, one sentence (servers, network delay, ticks). */
  setting: string;
  panels: ExperimentPanelView[];
  /** Each variant's effective timeout randomness (range plus tick phase). */
  randomness: Array<{ label: string; mode: 'real' | 'sim'; text: string }>;
}

/** One run of a comparison. */
export interface ComparedRunView {
  /** "A", "B", "C", ... */
  name: string;
  path: string;
}

/** One metric's distribution in one run. */
export interface MetricStatsView extends DistributionView {
  run: string;
}

/** One later run against A, for one metric (as `raftlab compare` prints it). */
export interface DifferenceView {
  /** "B", "C", ... (against A). */
  run: string;
  medianA: number | null;
  medianB: number | null;
  /** B − A of the medians with its 95% interval; null when a side has no samples. */
  diff: IntervalView | null;
  /** (B − A) / A; null when A's median is 0 or missing. */
  relative: IntervalView | null;
  /** Two-sided Mann–Whitney p; null without samples. */
  p: number | null;
  /** "no clear difference", "B better", "B worse (within the gate)", "B WORSE by > X%", "no samples". */
  verdict: string;
  worse: boolean;
}

export interface MetricComparisonView {
  /** e.g. "election time (ms)". */
  name: string;
  better: 'lower' | 'higher';
  /** Time axes are logarithmic, counts linear. */
  logAxis: boolean;
  curves: CurveView[];
  stats: MetricStatsView[];
  differences: DifferenceView[];
}

export interface ComparisonView {
  runs: ComparedRunView[];
  gatePct: number;
  metrics: MetricComparisonView[];
}

export interface ExperimentChannels {
  'experiment:open': { request: Decoded<(typeof EXPERIMENT_REQUEST_SCHEMAS)['experiment:open']>; response: ExperimentView };
  'experiment:compare': { request: Decoded<(typeof EXPERIMENT_REQUEST_SCHEMAS)['experiment:compare']>; response: ComparisonView };
}

export const EXPERIMENT_CHANNELS = ['experiment:open', 'experiment:compare'] as const satisfies ReadonlyArray<keyof ExperimentChannels>;
