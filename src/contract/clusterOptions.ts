/**
 * Options for starting a cluster, shared by the lab (which enforces them), the CLI, scenario
 * files and the renderer's start panel (which explains bad values inline). Declared once
 * (docs/contracts.md, "Adding a cluster option"): each field is one line giving its check,
 * its sentence when wrong and its default, so every entry point gives the same, field-named
 * errors and the type, the defaults and the JSON Schema all come from here.
 */
import { LIMITS } from './limits';
import { RECORDING_LEVELS } from './recording';
import * as v from 'valibot';
import { FIELD, fillSentence, KEY, PARENT, type Decoded } from './schemaKit';

type Issue = v.BaseIssue<unknown>;

/** "workload.mix.get": the field an issue is about, as the renderer keys its errors. */
function fieldOf(issue: Issue): string {
  return (issue.path ?? []).map((p) => String(p.key)).join('.');
}

/** A sentence about the field an issue concerns (placeholders: schemaKit.ts, fillSentence). */
const says = (sentence: (field: string) => string) => () => sentence(FIELD);

/** A whole number in [min, max] (or of at least min), with the start panel's sentences. */
function wholeNumber(range: { readonly min: number; readonly max?: number }) {
  const outOfRange = says((f) => (range.max === undefined ? `${f} must be at least ${range.min}` : `${f} must be between ${range.min} and ${range.max}`));
  return v.pipe(
    v.number(says((f) => `${f} must be a whole number`)),
    v.integer(says((f) => `${f} must be a whole number`)),
    v.minValue(range.min, outOfRange),
    v.maxValue(range.max ?? Number.MAX_SAFE_INTEGER, outOfRange),
  );
}

const trueOrFalse = v.boolean(says((f) => `${f} must be true or false`));
const weight = v.pipe(v.number(says((f) => `${f} must be a weight of 0 or more`)), v.finite(says((f) => `${f} must be a weight of 0 or more`)), v.minValue(0, says((f) => `${f} must be a weight of 0 or more`)));
/** An object's message: `sentence` when the value is not an object, or names an unknown key. */
const objectMessage = (sentence: string) => (issue: Issue) => (issue.expected === 'never' ? `${PARENT} has an unknown field "${KEY}"` : sentence);

const MIX_OPS = ['get', 'put', 'cas', 'append'] as const;

/** Relative weights of each operation. */
const mixEntries = { get: v.optional(weight, 2), put: v.optional(weight, 2), cas: v.optional(weight, 1), append: v.optional(weight, 1) };

export const WORKLOAD_OPTION_ENTRIES = {
  /** Number of concurrent key-value clients; 0 disables the workload. */
  clients: v.optional(wholeNumber(LIMITS.clients), 2),
  /** Target operations per second across all clients; 0 means closed loop (as fast as answered). */
  rate: v.optional(wholeNumber(LIMITS.rate), 20),
  mix: v.optional(v.strictObject(mixEntries, objectMessage(`${FIELD} must give weights for get, put, cas and append`)), {}),
  /** Number of distinct keys. */
  keys: v.optional(wholeNumber(LIMITS.keys), 8),
  /** Per-request timeout in ms; a timed-out write is recorded as info (unknown outcome). */
  timeoutMs: v.optional(wholeNumber(LIMITS.timeoutMs), 1000),
};

export const WorkloadOptionsSchema = v.pipe(
  v.strictObject(WORKLOAD_OPTION_ENTRIES, objectMessage(`${FIELD} must be an object`)),
  v.forward(
    v.partialCheck(
      [['clients'], ['mix', 'get'], ['mix', 'put'], ['mix', 'cas'], ['mix', 'append']],
      (w) => w.clients === 0 || MIX_OPS.reduce((sum, op) => sum + w.mix[op], 0) > 0,
      says((f) => `${f} needs at least one operation with a positive weight`),
    ),
    ['mix'],
  ),
);
export type WorkloadOptions = Decoded<typeof WorkloadOptionsSchema>;

/** A delay in ms within LIMITS.networkDelayMs (fractions allowed). */
const delayMs = v.pipe(
  v.number(says((f) => `${f} must be a number of ms`)),
  v.finite(says((f) => `${f} must be a number of ms`)),
  v.minValue(LIMITS.networkDelayMs.min, says((f) => `${f} must be between ${LIMITS.networkDelayMs.min} and ${LIMITS.networkDelayMs.max} ms`)),
  v.maxValue(LIMITS.networkDelayMs.max, says((f) => `${f} must be between ${LIMITS.networkDelayMs.min} and ${LIMITS.networkDelayMs.max} ms`)),
);

/**
 * A one-way delay added to every peer message a node sends (on top of per-link faults):
 * emulated at the node's transport, since this machine's kernel has no netem
 * (docs/network-emulation.md). The paper's Figure 16 used a broadcast time of about 15 ms (§9.3).
 */
const NETWORK_DELAY_ENTRIES = {
  /** Fixed one-way delay in ms. */
  delayMs: v.optional(delayMs, 0),
  /** Extra delay drawn uniformly from [0, jitterMs) per message. */
  jitterMs: v.optional(delayMs, 0),
};
export const NetworkDelaySchema = v.strictObject(NETWORK_DELAY_ENTRIES);
export type NetworkDelay = Decoded<typeof NetworkDelaySchema>;

/**
 * A host nodes may run on (docs/multi-host.md): `localhost` (this machine, exactly as without
 * hosts), an ssh destination `[user@]host[:port]` (an alias of the user's ssh config works;
 * the host part is also the address its nodes bind, so give an IP address there), or
 * `{ ssh, address }` to name the address to bind separately.
 */
const SSH_DESTINATION = /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*(?::\d{1,5})?$/;
const sshDestination = v.pipe(
  v.string(says((f) => `${f} must be "localhost", "[user@]host[:port]" or { ssh, address }`)),
  v.regex(SSH_DESTINATION, says((f) => `${f} must be "localhost" or "[user@]host[:port]" (letters, digits, ".", "-", "_")`)),
);
const bindAddress = v.pipe(
  v.string(says((f) => `${f} must be an IPv4 address the host has`)),
  v.regex(/^\d{1,3}(?:\.\d{1,3}){3}$/, says((f) => `${f} must be an IPv4 address the host has (its nodes bind it)`)),
);
export const HostSchema = v.union(
  [sshDestination, v.strictObject({ ssh: sshDestination, address: v.optional(bindAddress) }, objectMessage(`${FIELD} must be { ssh, address }`))],
  says((f) => `${f} must be "localhost", "[user@]host[:port]" or { ssh, address }`),
);
export type HostEntry = Decoded<typeof HostSchema>;

/**
 * Hosts as a person types them (`raftlab run --hosts a,b,c`, the start panel's Hosts field):
 * comma-separated ssh destinations, blanks ignored; nothing typed: undefined (this machine).
 * The options' own check (HostSchema) then judges each one.
 */
export function hostsFromText(text: string): string[] | undefined {
  const hosts = text.split(',').map((h) => h.trim()).filter((h) => h !== '');
  return hosts.length === 0 ? undefined : hosts;
}

/** The index into `hosts` of node `id`'s host (1-based ids): placement[id - 1], else round-robin (docs/multi-host.md). */
export function hostIndexOf(options: { hosts?: readonly HostEntry[]; placement?: readonly number[] }, id: number): number {
  const count = options.hosts?.length ?? 1;
  return options.placement?.[id - 1] ?? (id - 1) % count;
}

/**
 * The hosts entry node `id` runs on, as the user wrote its ssh destination, or null when it
 * runs on this machine (no hosts, or `localhost` without an address: src/lab/hosts/placement.ts).
 */
export function remoteHostNameOf(options: { hosts?: readonly HostEntry[]; placement?: readonly number[] }, id: number): string | null {
  const entry = options.hosts?.[hostIndexOf(options, id)];
  if (entry === undefined) return null;
  const ssh = typeof entry === 'string' ? entry : entry.ssh;
  return ssh === 'localhost' && (typeof entry === 'string' || entry.address === undefined) ? null : ssh;
}

/** Each cluster option: its check, its sentence when wrong, its default. One line per option. */
export const CLUSTER_OPTION_ENTRIES = {
  nodes: v.optional(wholeNumber(LIMITS.nodes), 5),
  electionTimeoutMinMs: v.optional(wholeNumber(LIMITS.electionTimeoutMs), 150),
  electionTimeoutMaxMs: v.optional(wholeNumber(LIMITS.electionTimeoutMs), 300),
  heartbeatMs: v.optional(wholeNumber(LIMITS.heartbeatMs), 50),
  preVote: v.optional(trueOrFalse, true),
  checkQuorum: v.optional(trueOrFalse, true),
  fsync: v.optional(v.picklist(['always', 'never'], says((f) => `${f} must be "always" or "never"`)), 'always'),
  transport: v.optional(v.picklist(['tcp', 'ipc'], says((f) => `${f} must be "tcp" or "ipc"`)), 'tcp'),
  seed: v.optional(wholeNumber(LIMITS.seed), 1),
  /** Data directory for node state; empty: a fresh temporary directory. */
  dataDir: v.optional(v.pipe(v.string(says((f) => `${f} must be a path (or empty for a temporary directory)`)), v.maxLength(LIMITS.pathLength, says((f) => `${f} must be at most ${LIMITS.pathLength} characters`))), ''),
  /** Snapshot after this many applied entries; 0 disables. */
  snapshotThreshold: v.optional(wholeNumber({ min: 0 }), 10_000),
  workload: v.optional(WorkloadOptionsSchema, {}),
  /**
   * Resolution of the nodes' timers in ms (1 to 10); 0 or absent: min(10, heartbeatMs / 5).
   * Each process ticks with its own phase, so a timeout of k ticks elapses after between
   * (k - 1) and k ticks of wall time: the tick adds up to one tick of hidden randomness
   * to the election timeout range (see effectiveTimeoutRange).
   */
  tickMs: v.optional(wholeNumber(LIMITS.tickMs)),
  /**
   * Entries one AppendEntries carries at most; absent: 256. 1 makes the leader send its log
   * one entry per message, so each step of replication shows on its own (the Figure 8
   * teaching scenario, scenarios/teaching/figure8-commit-rule.yaml).
   */
  maxEntriesPerMsg: v.optional(wholeNumber({ min: 1, max: LIMITS.entriesPerMessage })),
  /**
   * The flight recorder (docs/formats.md, "journal"): 'full' journals every core step for
   * exact replay, 'messages' only message headers, 'off' nothing. Absent: 'full'.
   */
  recording: v.optional(v.picklist(RECORDING_LEVELS, says((f) => `${f} must be "off", "messages" or "full"`))),
  /** Cluster-wide emulated network delay; absent: none (loopback, about 0.3 ms). */
  networkDelay: v.optional(v.strictObject(NETWORK_DELAY_ENTRIES, objectMessage(`${FIELD} must be { delayMs, jitterMs } in ms`))),
  /**
   * Slow motion (docs/aimed-faults.md): the whole cluster at this speed, from 0.01 to 1.
   * Ticks, heartbeats, timeouts, injected delays and the workload are all scaled. Absent: 1.
   */
  speed: v.optional(
    v.pipe(
      v.number(says((f) => `${f} must be a number from ${LIMITS.speed.min} to ${LIMITS.speed.max}`)),
      v.finite(says((f) => `${f} must be a number from ${LIMITS.speed.min} to ${LIMITS.speed.max}`)),
      v.minValue(LIMITS.speed.min, says((f) => `${f} must be a number from ${LIMITS.speed.min} to ${LIMITS.speed.max}`)),
      v.maxValue(LIMITS.speed.max, says((f) => `${f} must be a number from ${LIMITS.speed.min} to ${LIMITS.speed.max}`)),
    ),
  ),
  /** Where nodes run (docs/multi-host.md); absent or ["localhost"]: all on this machine. */
  hosts: v.optional(v.pipe(v.array(HostSchema, says((f) => `${f} must be a list of hosts`)), v.minLength(1, says((f) => `${f} must name at least one host`)), v.maxLength(LIMITS.nodes.max, says((f) => `${f} may name at most ${LIMITS.nodes.max} hosts`)))),
  /** Host index (into hosts) of node 1, 2, ...; nodes beyond the list, or no list: round-robin. */
  placement: v.optional(v.pipe(v.array(wholeNumber({ min: 0, max: LIMITS.nodes.max - 1 })), v.maxLength(LIMITS.nodes.max, says((f) => `${f} may place at most ${LIMITS.nodes.max} nodes`)))),
  /** The lab's address on the hosts' network (its control and telemetry sockets bind it); absent: the source address of the route to the first remote host. */
  labAddress: v.optional(bindAddress),
  /**
   * How partitions cut links (docs/multi-host.md, "Kernel partitions"): "filter" in the nodes
   * (absent: this), or "nft": DROP rules in the kernels of the remote hosts (root or
   * passwordless sudo there), where a partition cuts whole hosts from each other; other cut
   * links stay in the filter.
   */
  partitions: v.optional(v.picklist(['filter', 'nft'], says((f) => `${f} must be "filter" or "nft"`))),
};

/** The keys a cluster option object may have (labApiValidate.ts, scenario files). */
export const CLUSTER_OPTION_KEYS = Object.keys(CLUSTER_OPTION_ENTRIES) as (keyof typeof CLUSTER_OPTION_ENTRIES)[];
export const WORKLOAD_OPTION_KEYS = Object.keys(WORKLOAD_OPTION_ENTRIES) as (keyof typeof WORKLOAD_OPTION_ENTRIES)[];

export const ClusterOptionsSchema = v.pipe(
  v.strictObject(CLUSTER_OPTION_ENTRIES, objectMessage(`${FIELD} must be an object`)),
  v.forward(
    v.partialCheck(
      [['electionTimeoutMinMs'], ['electionTimeoutMaxMs']],
      (o) => o.electionTimeoutMinMs < o.electionTimeoutMaxMs,
      says((f) => `${f} must be greater than electionTimeoutMinMs (timeouts are drawn from [min, max), §5.2)`),
    ),
    ['electionTimeoutMaxMs'],
  ),
  v.forward(
    v.partialCheck(
      [['heartbeatMs'], ['electionTimeoutMinMs']],
      (o) => o.heartbeatMs * 2 <= o.electionTimeoutMinMs,
      (issue) => {
        const o = issue.input as { electionTimeoutMinMs: number };
        return `${FIELD} must be at most half of electionTimeoutMinMs (${Math.floor(o.electionTimeoutMinMs / 2)} ms), or followers time out between heartbeats`;
      },
    ),
    ['heartbeatMs'],
  ),
  v.forward(
    v.partialCheck(
      [['placement'], ['hosts']],
      (o) => (o.placement ?? []).every((i) => i < (o.hosts?.length ?? 1)),
      says((f) => `${f} names a host index beyond the hosts list (indexes start at 0)`),
    ),
    ['placement'],
  ),
  v.forward(
    v.partialCheck(
      [['transport'], ['hosts']],
      (o) => o.transport !== 'ipc' || (o.hosts ?? []).every((h) => h === 'localhost'),
      says((f) => `${f} "ipc" works on one machine only: use tcp with remote hosts`),
    ),
    ['transport'],
  ),
  v.forward(
    v.partialCheck(
      [['partitions'], ['hosts']],
      (o) => o.partitions !== 'nft' || (o.hosts ?? []).some((h) => h !== 'localhost'),
      says((f) => `${f} "nft" needs remote hosts (the kernel rules go on them)`),
    ),
    ['partitions'],
  ),
);
export type ClusterOptions = Decoded<typeof ClusterOptionsSchema>;

/**
 * Every field at its default: what the schema makes of `{}`, with the recording level an
 * absent `recording` means written out (so the start panel's select shows it).
 */
export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = { ...v.parse(ClusterOptionsSchema, {}), recording: 'full' };
export const DEFAULT_WORKLOAD: WorkloadOptions = DEFAULT_CLUSTER_OPTIONS.workload;

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

/** Errors by field from a failed parse: the first sentence per field. */
function errorsOf(issues: readonly Issue[]): OptionErrors {
  const errors: OptionErrors = {};
  for (const issue of issues) {
    const field = fieldOf(issue) || 'options';
    // Named from the options object down ("workload.rate"); the object itself is "options".
    errors[field] ??= fillSentence(issue, 'options', '');
  }
  return errors;
}

/**
 * Validates options that may come from anywhere (a form, a YAML file, the wire).
 * Returns the errors by field; an empty object means valid.
 */
export function validateClusterOptions(o: unknown): OptionErrors {
  const r = v.safeParse(ClusterOptionsSchema, o);
  return r.success ? {} : errorsOf(r.issues);
}

/**
 * Decodes cluster options: the typed value with every missing field at its default, or
 * the errors by field.
 */
export function decodeClusterOptions(o: unknown): { ok: true; value: ClusterOptions } | { ok: false; errors: OptionErrors } {
  const r = v.safeParse(ClusterOptionsSchema, o);
  return r.success ? { ok: true, value: r.output } : { ok: false, errors: errorsOf(r.issues) };
}

/** Fills missing fields from the defaults (deeply for workload and mix), without judging them. */
export function withDefaults(
  partial: Partial<Omit<ClusterOptions, 'workload'>> & { workload?: Partial<Omit<WorkloadOptions, 'mix'>> & { mix?: Partial<WorkloadOptions['mix']> } },
): ClusterOptions {
  const mix = { ...DEFAULT_WORKLOAD.mix, ...(partial.workload?.mix ?? {}) };
  const workload: WorkloadOptions = { ...DEFAULT_WORKLOAD, ...(partial.workload ?? {}), mix };
  return { ...DEFAULT_CLUSTER_OPTIONS, ...partial, workload };
}

export { LIMITS };
