/**
 * Runs one seed: chaos (faults + client traffic, safety checked after every step), then
 * the liveness phase. A failing seed is run again with tracing on (runs are deterministic)
 * so its report shows the last steps before the failure.
 */
import { FaultInjector } from './faults';
import { checkLiveness, livenessBounds } from './liveness';
import { type Scenario, describeScenario, drawScenario } from './scenario';
import { type SimCounters, Simulation } from './simulation';
import { TraceRecorder } from './trace';
import { type Violation, ViolationError } from './violations';

export interface RunOptions {
  seed: number;
  /** Fixed cluster size (default: drawn from the seed, 3-7). */
  nodes?: number;
  /** Ticks of chaos before healing (default DEFAULT_CHAOS_TICKS). */
  steps?: number;
  /** Record a trace (the last `traceLines` lines) even if the run passes. */
  trace?: boolean;
  traceLines?: number;
  /** Print every trace line as it happens. */
  echo?: (line: string) => void;
}

export interface SeedResult {
  seed: number;
  scenario: Scenario;
  /** Virtual ticks simulated (chaos + liveness phase). */
  ticks: number;
  /** Inputs stepped into cores. */
  coreSteps: number;
  violation?: Violation;
  /** The last trace lines (when traced). */
  trace?: string[];
  stats: {
    proposals: number;
    reads: number;
    readsAnswered: number;
    committed: number;
    messagesDelivered: number;
    messagesDropped: number;
    /** Ticks in which the network hit its per-tick capacity. */
    congestedTicks: number;
    nodes: number;
    /** Where crashes struck ("before appendEntries", "between steps", ...) -> count. */
    crashPoints: Record<string, number>;
  } & SimCounters;
}

/** Runs one seed once. */
export function runSeedOnce(options: RunOptions): SeedResult {
  const scenario = drawScenario(options.seed, { nodes: options.nodes, chaosTicks: options.steps });
  const tracing = options.trace === true || options.echo !== undefined;
  const trace = new TraceRecorder(tracing, options.traceLines ?? 200, options.echo);
  if (tracing) for (const line of describeScenario(scenario)) trace.record(0, `scenario ${line}`);
  let sim: Simulation | undefined;
  let violation: Violation | undefined;
  try {
    sim = new Simulation(scenario, trace);
    const injector = new FaultInjector(sim);
    while (sim.now < scenario.chaosTicks) {
      injector.apply();
      sim.advance();
    }
    checkLiveness(sim, injector, livenessBounds(scenario.electionTicksMax));
  } catch (error) {
    if (!(error instanceof ViolationError)) throw error;
    violation = error.violation;
    trace.record(violation.tick, `VIOLATION ${violation.property}: ${violation.message}`);
  }
  const result: SeedResult = {
    seed: options.seed,
    scenario,
    ticks: sim?.now ?? 0,
    coreSteps: sim?.cluster.steps ?? 0,
    stats: {
      proposals: sim?.client.proposals ?? 0,
      reads: sim?.client.reads ?? 0,
      readsAnswered: sim?.client.readsAnswered ?? 0,
      committed: sim?.checker.committedIndex ?? 0,
      messagesDelivered: sim?.network.stats.delivered ?? 0,
      messagesDropped: sim?.network.stats.dropped ?? 0,
      congestedTicks: sim?.network.stats.congested ?? 0,
      nodes: sim?.cluster.ids().length ?? 0,
      crashPoints: { ...(sim?.cluster.crashPoints ?? {}) },
      ...(sim?.counters ?? emptyCounters()),
    },
  };
  if (violation) result.violation = violation;
  if (tracing) result.trace = trace.tail();
  return result;
}

/** Runs one seed; if it fails, runs it again with tracing to explain the failure. */
export function runSeed(options: RunOptions): SeedResult {
  const first = runSeedOnce(options);
  if (!first.violation || first.trace) return first;
  const traced = runSeedOnce({ ...options, trace: true });
  if (!traced.violation || withoutStack(traced.violation.message) !== withoutStack(first.violation.message)) {
    // Not reproducible means the simulation is not deterministic: say so rather than mislead.
    traced.trace = [
      `(the traced re-run did not fail the same way: ${traced.violation ? traced.violation.message : 'it passed'}; the simulation is not deterministic)`,
      ...(traced.trace ?? []),
    ];
  }
  return { ...first, trace: traced.trace };
}

/**
 * A violation's message without stack frames: a core that threw carries its stack, whose
 * outermost frames name the caller of the run (the first run and its traced re-run differ there).
 */
function withoutStack(message: string): string {
  return message
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .join('\n');
}

/** The command that reproduces a seed with the same options. */
export function reproduceCommand(options: RunOptions): string {
  const extra = [options.nodes !== undefined ? `--nodes ${options.nodes}` : '', options.steps !== undefined ? `--steps ${options.steps}` : '']
    .filter(Boolean)
    .join(' ');
  return `npm run sim -- --seed ${options.seed}${extra ? ` ${extra}` : ''}`;
}

/** A readable report of a failed seed: property, message, scenario, trace, reproduction. */
export function formatFailure(result: SeedResult, options: RunOptions): string {
  const v = result.violation;
  if (!v) return `seed ${result.seed}: passed`;
  return [
    `=== seed ${result.seed} FAILED: ${v.property} at t=${v.tick}`,
    v.message,
    '--- scenario',
    ...describeScenario(result.scenario),
    `--- last ${result.trace?.length ?? 0} trace lines`,
    ...(result.trace ?? []),
    `--- reproduce: ${reproduceCommand(options)}   (add --verbose to print every step)`,
  ].join('\n');
}

function emptyCounters(): SimCounters {
  return { crashes: 0, restarts: 0, pauses: 0, partitions: 0, storms: 0, electionsWon: 0, transfers: 0, snapshotsTaken: 0, snapshotsInstalled: 0, configsCommitted: 0, learnersAdded: 0, learnersPromoted: 0 };
}
