/**
 * The Raft paper's Figure 16 (§9.3, "Leader election performance") as an experiment
 * definition shared by the real-process trial loop (src/lab/experiments/), the simulator's
 * (src/sim/electionTrials.ts) and their reports: the timeout ranges of both panels, the
 * setting the paper measured in, its reported values, and the file format of a trial set.
 *
 * The paper: five servers, broadcast time about 15 ms, the leader crashed uniformly randomly
 * within its heartbeat interval, time from the crash until a new leader; 1,000 trials per
 * range (100 for 150–150).
 */

/** One timeout range as the paper writes it: "150–155" draws from 150 to 155 ms. */
export interface TimeoutRange {
  /** The paper's label, e.g. "150–155". */
  label: string;
  minMs: number;
  /** Inclusive, as in the paper's notation. */
  maxMs: number;
}

export type Figure16Panel = 'top' | 'bottom';

const range = (minMs: number, maxMs: number): TimeoutRange => ({ label: `${minMs}–${maxMs}`, minMs, maxMs });

/** Top: randomness added to a 150 ms timeout. Bottom: smaller timeouts elect faster. */
export const FIGURE16_RANGES: Record<Figure16Panel, readonly TimeoutRange[]> = {
  top: [range(150, 150), range(150, 151), range(150, 155), range(150, 175), range(150, 200), range(150, 300)],
  bottom: [range(12, 24), range(25, 50), range(50, 100), range(100, 200), range(150, 300)],
};

/** What the paper reports in §9.3's text for a range (the figure itself gives only curves). */
export interface PaperReference {
  p50?: number;
  mean?: number;
  max?: number;
  /** The paper's words, for ranges it describes without a number. */
  note?: string;
}

/** Keyed by TimeoutRange.label. */
export const PAPER_REFERENCE: Readonly<Record<string, PaperReference>> = {
  '150–150': { note: 'no randomness: elections took longer than 10 s (split votes; 100 trials)' },
  '150–155': { p50: 287, note: '5 ms of randomness: median downtime 287 ms' },
  '150–200': { max: 513, note: '50 ms of randomness: worst case 513 ms over 1,000 trials' },
  '12–24': { mean: 35, max: 152, note: 'mean 35 ms, longest trial 152 ms' },
};

/** The paper's setting: five servers, broadcast ≈ 15 ms, i.e. 7.5 ms one way on average. */
export const FIGURE16_SETTING = {
  nodes: 5,
  /** One-way delay + uniform jitter: a round trip of 14–18 ms, about the paper's 15 ms broadcast. */
  networkDelay: { delayMs: 7, jitterMs: 2 },
  tickMs: 1,
  trialsReal: 100,
  trialsSim: 1000,
} as const;

/**
 * The cluster timing for a range: the core draws whole ticks from [min, max) (§5.2), so the
 * paper's inclusive "a–b" is [a, b + 1) in 1 ms ticks. The heartbeat interval is half the
 * minimum timeout, as in the paper (§9.3: "half of the minimum election timeout for all tests").
 */
export function clusterTimingFor(r: TimeoutRange): { electionTimeoutMinMs: number; electionTimeoutMaxMs: number; heartbeatMs: number } {
  return { electionTimeoutMinMs: r.minMs, electionTimeoutMaxMs: r.maxMs + 1, heartbeatMs: Math.max(1, Math.floor(r.minMs / 2)) };
}

/** One range's trials: kill → new-leader times in ms. */
export interface TrialVariant {
  label: string;
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatMs: number;
  tickMs: number;
  /** The effective randomness (src/contract/clusterOptions.ts effectiveTimeoutRange). */
  timeoutRandomness: string;
  samples: number[];
  /** Trials with no new leader within the per-trial limit (not in samples). */
  unresolved: number;
  /** Wall-clock time the variant took, ms. */
  wallMs: number;
}

/** A trial set file (`trials.json`), the same for both modes. */
export interface TrialSet {
  format: 'raftlab-election-trials';
  version: 1;
  /** "real": node processes over ZeroMQ; "sim": the simulator on virtual time. */
  mode: 'real' | 'sim';
  name: string;
  nodes: number;
  networkDelay: { delayMs: number; jitterMs: number };
  seed: number;
  /** Simulated sets only: mean timer and delivery lateness modelled (src/sim/electionTrials.ts); absent or 0: exact timers. */
  timerLagMs?: number;
  trialsPerVariant: number;
  /** ISO time the set was finished. */
  finishedAt: string;
  variants: TrialVariant[];
}

/** Checks a parsed trials.json; returns an error sentence or null. */
export function trialSetProblem(v: unknown): string | null {
  const t = v as Partial<TrialSet> | null;
  if (typeof t !== 'object' || t === null) return 'not a JSON object';
  if (t.format !== 'raftlab-election-trials') return 'format is not "raftlab-election-trials"';
  if (t.version !== 1) return `unsupported version ${String(t.version)}`;
  if (t.mode !== 'real' && t.mode !== 'sim') return 'mode must be "real" or "sim"';
  if (!Array.isArray(t.variants)) return 'variants must be a list';
  for (const [i, x] of t.variants.entries()) {
    if (typeof x?.label !== 'string') return `variants[${i}].label must be a string`;
    if (!Array.isArray(x.samples) || !x.samples.every((s) => typeof s === 'number' && Number.isFinite(s) && s >= 0)) return `variants[${i}].samples must be a list of ms >= 0`;
  }
  return null;
}
