/**
 * Options for starting a cluster, shared by the lab (which enforces them), the CLI, scenario
 * files and the renderer's start panel (which explains bad values inline). One validator,
 * so every entry point gives the same, field-named errors.
 */
export interface WorkloadOptions {
  /** Number of concurrent key-value clients; 0 disables the workload. */
  clients: number;
  /** Target operations per second across all clients; 0 means closed loop (as fast as answered). */
  rate: number;
  /** Relative weights of each operation. */
  mix: { get: number; put: number; cas: number; append: number };
  /** Number of distinct keys. */
  keys: number;
  /** Per-request timeout in ms; a timed-out write is recorded as info (unknown outcome). */
  timeoutMs: number;
}

/**
 * A one-way delay added to every peer message a node sends (on top of per-link faults):
 * emulated at the node's transport, since this machine's kernel has no netem
 * (docs/network-emulation.md). The paper's Figure 16 used a broadcast time of about 15 ms (§9.3).
 */
export interface NetworkDelay {
  /** Fixed one-way delay in ms. */
  delayMs: number;
  /** Extra delay drawn uniformly from [0, jitterMs) per message. */
  jitterMs: number;
}

export interface ClusterOptions {
  nodes: number;
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatMs: number;
  preVote: boolean;
  checkQuorum: boolean;
  fsync: 'always' | 'never';
  transport: 'tcp' | 'ipc';
  seed: number;
  /** Data directory for node state; empty: a fresh temporary directory. */
  dataDir: string;
  /** Snapshot after this many applied entries; 0 disables. */
  snapshotThreshold: number;
  workload: WorkloadOptions;
  /**
   * Resolution of the nodes' timers in ms (1 to 10); 0 or absent: min(10, heartbeatMs / 5).
   * Each process ticks with its own phase, so a timeout of k ticks elapses after between
   * (k - 1) and k ticks of wall time: the tick adds up to one tick of hidden randomness
   * to the election timeout range (see effectiveTimeoutRange).
   */
  tickMs?: number;
  /** Cluster-wide emulated network delay; absent: none (loopback, about 0.3 ms). */
  networkDelay?: NetworkDelay;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = {
  clients: 2,
  rate: 20,
  mix: { get: 2, put: 2, cas: 1, append: 1 },
  keys: 8,
  timeoutMs: 1000,
};

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = {
  nodes: 5,
  electionTimeoutMinMs: 150,
  electionTimeoutMaxMs: 300,
  heartbeatMs: 50,
  preVote: true,
  checkQuorum: true,
  fsync: 'always',
  transport: 'tcp',
  seed: 1,
  dataDir: '',
  snapshotThreshold: 10_000,
  workload: DEFAULT_WORKLOAD,
};

export const LIMITS = {
  nodes: { min: 1, max: 25 },
  electionTimeoutMs: { min: 10, max: 60_000 },
  heartbeatMs: { min: 1 },
  clients: { min: 0, max: 256 },
  rate: { min: 0, max: 100_000 },
  keys: { min: 1, max: 100_000 },
  timeoutMs: { min: 10, max: 600_000 },
  tickMs: { min: 0, max: 10 },
  networkDelayMs: { min: 0, max: 10_000 },
} as const;

/** The tick a node runs with under these options (see ClusterOptions.tickMs). */
export function effectiveTickMs(o: Pick<ClusterOptions, 'heartbeatMs' | 'tickMs'>): number {
  if (o.tickMs !== undefined && o.tickMs > 0) return o.tickMs;
  return Math.max(1, Math.min(10, Math.floor(o.heartbeatMs / 5)));
}

/** The election timeout randomness a run really has: the configured range, rounded to ticks, plus tick phase. */
export interface TimeoutRandomness {
  tickMs: number;
  /** The range the core draws from, in ms, after rounding to whole ticks: [minMs, maxMs) (§5.2). */
  minMs: number;
  maxMs: number;
  /** Up to this much is taken off a timeout by where in its tick a node's timer started. */
  phaseMs: number;
  /** Width of the effective spread: (maxMs - tickMs) - (minMs - phaseMs), i.e. range plus phase. */
  spreadMs: number;
  /** One sentence for summaries. */
  text: string;
}

/**
 * The effective timeout randomness of a run. The core counts whole ticks drawn from
 * [min, max) (src/node/config.ts rounds ms to ticks); a timer reset at a random moment of
 * the current tick fires after k - 1 to k tick lengths, so the phase adds one tick of spread.
 */
export function effectiveTimeoutRange(o: Pick<ClusterOptions, 'heartbeatMs' | 'tickMs' | 'electionTimeoutMinMs' | 'electionTimeoutMaxMs'>): TimeoutRandomness {
  const tickMs = effectiveTickMs(o);
  const minTicks = Math.max(1, Math.round(o.electionTimeoutMinMs / tickMs));
  const maxTicks = Math.max(minTicks + 1, Math.round(o.electionTimeoutMaxMs / tickMs));
  const minMs = minTicks * tickMs;
  const maxMs = maxTicks * tickMs;
  // The largest draw is maxTicks - 1 ticks; with phase a timeout lies in [(min-1)·tick, (max-1)·tick].
  const low = minMs - tickMs;
  const high = maxMs - tickMs;
  const spreadMs = high - low;
  const text = `election timeouts drawn from [${minMs}, ${maxMs}) ms in ${tickMs} ms ticks; with tick phase a timeout fires ${low}-${high} ms after its reset (${spreadMs} ms of randomness)`;
  return { tickMs, minMs, maxMs, phaseMs: tickMs, spreadMs, text };
}

/** Field path (e.g. "workload.rate") to a sentence saying what is wrong and what is allowed. */
export type OptionErrors = Record<string, string>;

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function checkInt(errors: OptionErrors, path: string, v: unknown, min: number, max?: number): void {
  if (!isInt(v)) {
    errors[path] = `${path} must be a whole number`;
  } else if (v < min || (max !== undefined && v > max)) {
    errors[path] = max === undefined ? `${path} must be at least ${min}` : `${path} must be between ${min} and ${max}`;
  }
}

/**
 * Validates options that may come from anywhere (a form, a YAML file, the wire).
 * Returns the errors by field; an empty object means valid.
 */
export function validateClusterOptions(o: ClusterOptions): OptionErrors {
  const errors: OptionErrors = {};
  checkInt(errors, 'nodes', o.nodes, LIMITS.nodes.min, LIMITS.nodes.max);
  checkInt(errors, 'electionTimeoutMinMs', o.electionTimeoutMinMs, LIMITS.electionTimeoutMs.min, LIMITS.electionTimeoutMs.max);
  checkInt(errors, 'electionTimeoutMaxMs', o.electionTimeoutMaxMs, LIMITS.electionTimeoutMs.min, LIMITS.electionTimeoutMs.max);
  checkInt(errors, 'heartbeatMs', o.heartbeatMs, LIMITS.heartbeatMs.min);
  if (!errors.electionTimeoutMinMs && !errors.electionTimeoutMaxMs && o.electionTimeoutMinMs >= o.electionTimeoutMaxMs) {
    errors.electionTimeoutMaxMs = 'electionTimeoutMaxMs must be greater than electionTimeoutMinMs (timeouts are drawn from [min, max), §5.2)';
  }
  if (!errors.heartbeatMs && !errors.electionTimeoutMinMs && o.heartbeatMs * 2 > o.electionTimeoutMinMs) {
    errors.heartbeatMs = `heartbeatMs must be at most half of electionTimeoutMinMs (${Math.floor(o.electionTimeoutMinMs / 2)} ms), or followers time out between heartbeats`;
  }
  if (typeof o.preVote !== 'boolean') errors.preVote = 'preVote must be true or false';
  if (typeof o.checkQuorum !== 'boolean') errors.checkQuorum = 'checkQuorum must be true or false';
  if (o.fsync !== 'always' && o.fsync !== 'never') errors.fsync = 'fsync must be "always" or "never"';
  if (o.transport !== 'tcp' && o.transport !== 'ipc') errors.transport = 'transport must be "tcp" or "ipc"';
  checkInt(errors, 'seed', o.seed, 0, 2 ** 32 - 1);
  if (typeof o.dataDir !== 'string') errors.dataDir = 'dataDir must be a path (or empty for a temporary directory)';
  checkInt(errors, 'snapshotThreshold', o.snapshotThreshold, 0);
  if (o.tickMs !== undefined) checkInt(errors, 'tickMs', o.tickMs, LIMITS.tickMs.min, LIMITS.tickMs.max);
  if (o.networkDelay !== undefined) {
    const d = o.networkDelay as Partial<NetworkDelay> | null;
    if (typeof d !== 'object' || d === null) errors.networkDelay = 'networkDelay must be { delayMs, jitterMs }';
    else {
      for (const k of ['delayMs', 'jitterMs'] as const) {
        const v = d[k];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < LIMITS.networkDelayMs.min || v > LIMITS.networkDelayMs.max) {
          errors[`networkDelay.${k}`] = `networkDelay.${k} must be between ${LIMITS.networkDelayMs.min} and ${LIMITS.networkDelayMs.max} ms`;
        }
      }
    }
  }
  const w = o.workload;
  if (typeof w !== 'object' || w === null) {
    errors.workload = 'workload must be an object';
    return errors;
  }
  checkInt(errors, 'workload.clients', w.clients, LIMITS.clients.min, LIMITS.clients.max);
  checkInt(errors, 'workload.rate', w.rate, LIMITS.rate.min, LIMITS.rate.max);
  checkInt(errors, 'workload.keys', w.keys, LIMITS.keys.min, LIMITS.keys.max);
  checkInt(errors, 'workload.timeoutMs', w.timeoutMs, LIMITS.timeoutMs.min, LIMITS.timeoutMs.max);
  const mix = w.mix as Record<string, unknown> | undefined;
  if (typeof mix !== 'object' || mix === null) {
    errors['workload.mix'] = 'workload.mix must give weights for get, put, cas and append';
  } else {
    for (const op of ['get', 'put', 'cas', 'append']) {
      const v = mix[op];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) errors[`workload.mix.${op}`] = `workload.mix.${op} must be a weight of 0 or more`;
    }
    const total = ['get', 'put', 'cas', 'append'].reduce((s, op) => s + (typeof mix[op] === 'number' ? (mix[op] as number) : 0), 0);
    if (!Object.keys(errors).some((k) => k.startsWith('workload.mix')) && total <= 0 && w.clients > 0) {
      errors['workload.mix'] = 'workload.mix needs at least one operation with a positive weight';
    }
  }
  return errors;
}

/** Fills missing fields from the defaults (deeply for workload and mix). */
export function withDefaults(
  partial: Partial<Omit<ClusterOptions, 'workload'>> & { workload?: Partial<Omit<WorkloadOptions, 'mix'>> & { mix?: Partial<WorkloadOptions['mix']> } },
): ClusterOptions {
  const mix = { ...DEFAULT_WORKLOAD.mix, ...(partial.workload?.mix ?? {}) };
  const workload: WorkloadOptions = { ...DEFAULT_WORKLOAD, ...(partial.workload ?? {}), mix };
  return { ...DEFAULT_CLUSTER_OPTIONS, ...partial, workload };
}
