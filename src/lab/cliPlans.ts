/**
 * `raftlab run`'s flags turned into runs to do: a scenario file's variants, or one run from
 * flags alone, with the flags overriding the file. Bad values are usage errors (exit 2).
 */
import type { ClusterOptions, WorkloadOptions } from '../contract/clusterOptions';
import { DEFAULT_CLUSTER_OPTIONS, hostsFromText, validateClusterOptions, withDefaults } from '../contract/clusterOptions';
import type { ScenarioExpectations, ScenarioStep } from '../contract/scenario';
import { FAULT_PRESETS, isFaultPreset, presetSteps } from './faultPresets';
import { loadScenarioFile, plannedRuns } from './scenario/loadScenario';
import { parseDuration } from './scenario/values';
import { AimSpecError, parseAimSpec } from './cliAim';
import { BreakSpecError, breakStep, parseBreakSpec } from './cliBreak';

export class UsageError extends Error {}

export interface RunArgs {
  scenario?: string;
  nodes?: string;
  duration?: string;
  faults?: string;
  workload?: string;
  seed?: string;
  out?: string;
  transport?: string;
  hosts?: string;
  partitions?: string;
  fsync?: string;
  recording?: string;
  'election-timeout-min'?: string;
  'election-timeout-max'?: string;
  heartbeat?: string;
  'tick-ms'?: string;
  'network-delay'?: string;
  'network-jitter'?: string;
  prevote?: boolean;
  'no-prevote'?: boolean;
  'check-quorum'?: boolean;
  'no-check-quorum'?: boolean;
  /** Slow motion: the cluster's speed, 0.01 to 1 (docs/aimed-faults.md). */
  speed?: string;
  /** Aimed faults, each a step (cliAim.ts). */
  aim?: string[];
  /** Breakpoints from the start; the run stops at the first break (cliBreak.ts). */
  break?: string;
}

export interface Plan {
  label: string;
  /** The scenario file the run came from (null: flags only). */
  scenario: string | null;
  cluster: ClusterOptions;
  durationMs: number;
  steps: ScenarioStep[];
  expect: ScenarioExpectations;
  /** --break: stop the run when a breakpoint fires (scenarioRunner.ts `stopOnBreak`). */
  stopOnBreak: boolean;
}

/**
 * What a run from flags alone expects: no violation, a leader within 5 s, and, when it has a
 * workload, a linearizable history. Without one there is no history: "linearizable ok" for
 * 0 operations would claim a check that never happened (issue 15 item 14).
 */
function flagRunExpectations(workload: WorkloadOptions): ScenarioExpectations {
  return workload.clients > 0 ? { noViolations: true, linearizable: true, leaderWithinMs: 5000 } : { noViolations: true, leaderWithinMs: 5000 };
}

/** Parses --workload "clients=4,rate=200,mix=get:1/put:1,keys=8,timeout=1000". */
export function parseWorkloadSpec(spec: string, base: WorkloadOptions): WorkloadOptions {
  if (spec === 'none') return { ...base, clients: 0 };
  const out: WorkloadOptions = { ...base, mix: { ...base.mix } };
  for (const part of spec.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (v === undefined) throw new UsageError(`--workload: "${part}" is not key=value`);
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`--workload: ${k} must be a number, got "${v}"`);
      return n;
    };
    switch (k) {
      case 'clients':
        out.clients = num();
        break;
      case 'rate':
        out.rate = num();
        break;
      case 'keys':
        out.keys = num();
        break;
      case 'timeout':
      case 'timeoutMs':
        out.timeoutMs = num();
        break;
      case 'mix': {
        out.mix = { get: 0, put: 0, cas: 0, append: 0 };
        for (const w of v.split('/')) {
          const [op, weight] = w.split(':');
          if (!(op in out.mix)) throw new UsageError(`--workload: unknown op "${op}" in mix (get, put, cas, append)`);
          const n = Number(weight);
          if (!Number.isFinite(n) || n < 0) throw new UsageError(`--workload: weight of ${op} must be a number >= 0`);
          out.mix[op as keyof WorkloadOptions['mix']] = n;
        }
        break;
      }
      default:
        throw new UsageError(`--workload: unknown key "${k}" (clients, rate, mix, keys, timeout)`);
    }
  }
  return out;
}

function wholeNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new UsageError(`--${flag} must be a whole number, got "${v}"`);
  return n;
}

function msNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} must be a number of ms >= 0, got "${v}"`);
  return n;
}

/** --flag / --no-flag: undefined when neither is given, an error when both are. */
function onOff(flag: string, on: boolean | undefined, off: boolean | undefined): boolean | undefined {
  if (on && off) throw new UsageError(`--${flag} and --no-${flag} contradict each other`);
  return on ? true : off ? false : undefined;
}

function overridesFrom(a: RunArgs): Partial<ClusterOptions> {
  const o: Partial<ClusterOptions> = {};
  const set = <K extends keyof ClusterOptions>(k: K, v: ClusterOptions[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set('nodes', wholeNumber('nodes', a.nodes));
  set('seed', wholeNumber('seed', a.seed));
  set('electionTimeoutMinMs', wholeNumber('election-timeout-min', a['election-timeout-min']));
  set('electionTimeoutMaxMs', wholeNumber('election-timeout-max', a['election-timeout-max']));
  set('heartbeatMs', wholeNumber('heartbeat', a.heartbeat));
  set('tickMs', wholeNumber('tick-ms', a['tick-ms']));
  set('preVote', onOff('prevote', a.prevote, a['no-prevote']));
  set('checkQuorum', onOff('check-quorum', a['check-quorum'], a['no-check-quorum']));
  set('transport', a.transport as ClusterOptions['transport'] | undefined);
  // --hosts a,b,c: ssh destinations (docs/multi-host.md); the options check each one.
  set('hosts', a.hosts === undefined ? undefined : (hostsFromText(a.hosts) ?? []));
  set('partitions', a.partitions as ClusterOptions['partitions'] | undefined);
  set('fsync', a.fsync as ClusterOptions['fsync'] | undefined);
  set('recording', a.recording as ClusterOptions['recording'] | undefined);
  if (a.speed !== undefined) {
    const s = Number(a.speed);
    if (a.speed.trim() === '' || !Number.isFinite(s)) throw new UsageError(`--speed must be a number from 0.01 to 1, got "${a.speed}"`);
    o.speed = s;
  }
  return o;
}

/** --network-delay / --network-jitter over the scenario's networkDelay (a flag not given keeps the file's value). */
function networkDelayOverride(a: RunArgs, base: ClusterOptions): Partial<ClusterOptions> {
  const delayMs = msNumber('network-delay', a['network-delay']);
  const jitterMs = msNumber('network-jitter', a['network-jitter']);
  if (delayMs === undefined && jitterMs === undefined) return {};
  const was = base.networkDelay ?? { delayMs: 0, jitterMs: 0 };
  return { networkDelay: { delayMs: delayMs ?? was.delayMs, jitterMs: jitterMs ?? was.jitterMs } };
}

/** Builds the runs to do from a scenario file and/or flags (flags override the file). */
export function plansFrom(a: RunArgs): Plan[] {
  const overrides = overridesFrom(a);
  let durationMs: number | undefined;
  if (a.duration !== undefined) {
    durationMs = parseDuration(a.duration);
    if (durationMs === undefined || durationMs <= 0) throw new UsageError(`--duration must be like 30s, 1500ms or 2m, got "${a.duration}"`);
  }
  if (a.faults !== undefined && !isFaultPreset(a.faults)) throw new UsageError(`--faults must be one of ${FAULT_PRESETS.join(', ')}`);
  let breakpoints: ScenarioStep | null = null;
  try {
    breakpoints = a.break === undefined ? null : breakStep(parseBreakSpec(a.break));
  } catch (err) {
    throw err instanceof BreakSpecError ? new UsageError(err.message) : err;
  }

  const base: Omit<Plan, 'stopOnBreak'>[] = a.scenario
    ? (() => {
        const s = loadScenarioFile(a.scenario);
        return plannedRuns(s).map((r) => ({ label: r.label, scenario: a.scenario!, cluster: r.cluster, durationMs: s.durationMs, steps: s.steps, expect: s.expect }));
      })()
    : [{ label: '', scenario: null, cluster: DEFAULT_CLUSTER_OPTIONS, durationMs: 20_000, steps: [], expect: {} }];

  return base.map((p) => {
    let cluster: ClusterOptions = withDefaults({ ...p.cluster, ...overrides, ...networkDelayOverride(a, p.cluster) });
    if (a.workload !== undefined) cluster = { ...cluster, workload: parseWorkloadSpec(a.workload, cluster.workload) };
    const errors = validateClusterOptions(cluster);
    if (Object.keys(errors).length > 0) throw new UsageError(Object.values(errors).join('\n'));
    const d = durationMs ?? p.durationMs;
    const timeline = a.faults !== undefined ? presetSteps(a.faults as (typeof FAULT_PRESETS)[number], d) : p.steps;
    const aimed = (a.aim ?? []).map((spec, i) => {
      try {
        return parseAimSpec(spec, i);
      } catch (err) {
        throw err instanceof AimSpecError ? new UsageError(err.message) : err;
      }
    });
    for (const s of aimed) if (s.atMs >= d) throw new UsageError(`--aim at=${s.atMs}ms is not before the end of the run (${d} ms)`);
    // Stable: an --aim step at the same time as a timeline step comes after it.
    const sorted = aimed.length === 0 ? timeline : [...timeline, ...aimed].map((s, i) => ({ s, i })).sort((x, y) => x.s.atMs - y.s.atMs || x.i - y.i).map((x) => x.s);
    // --break's breakpoints come first, before anything the timeline does at 0 ms.
    const steps = breakpoints ? [breakpoints, ...sorted] : sorted;
    // A run from flags is named by what it is, not "run" (the summary's first row already says run).
    const faults = a.faults ?? (aimed.length > 0 ? 'aimed' : 'none');
    const label = p.label || `${cluster.nodes} nodes, faults ${faults}${cluster.speed !== undefined && cluster.speed !== 1 ? `, at ${cluster.speed}x` : ''}`;
    const expect = p.scenario === null ? flagRunExpectations(cluster.workload) : p.expect;
    return { ...p, label, cluster, durationMs: d, steps, expect, stopOnBreak: breakpoints !== null };
  });
}
