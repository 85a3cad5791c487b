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
  /**
   * The flight recorder (docs/formats.md, "journal"): 'full' journals every core step for
   * exact replay, 'messages' only message headers, 'off' nothing.
   */
  recording?: 'off' | 'messages' | 'full';
  workload: WorkloadOptions;
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
  recording: 'full',
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
} as const;

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
  if (o.recording !== undefined && o.recording !== 'off' && o.recording !== 'messages' && o.recording !== 'full') errors.recording = 'recording must be "off", "messages" or "full"';
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
