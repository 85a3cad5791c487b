/**
 * The recorded run: the line formats of events.jsonl and history.jsonl. These are the
 * documented export formats (docs/formats.md) and also what streams to the renderer.
 */
import type { NodeId } from '../raft/types';
import type { TelemetryEvent } from './telemetry';
import type { FaultSpec } from './faults';
import type { ClusterOptions } from './clusterOptions';

/** Adds the run-relative time and node to an event body. */
type Stamped<E> = E & { t: number; node: NodeId | null };

/** Omit that distributes over a union, so `ev.type === 'role'` still narrows. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A node telemetry event as recorded: `t` re-based to ms since the run started. */
export type NodeRunEvent = Stamped<DistributiveOmit<TelemetryEvent, 't'>>;

export type ProcessState = 'starting' | 'started' | 'exited' | 'killed' | 'paused' | 'resumed' | 'restarted' | 'stopped' | 'crashed';

export type LabRunEvent =
  | Stamped<{ type: 'run'; phase: 'started' | 'stopped'; options?: ClusterOptions; runId?: string }>
  | Stamped<{ type: 'process'; state: ProcessState; pid?: number; code?: number | null; signal?: string | null; message?: string }>
  /**
   * A fault. `kernel`: the blocked pairs the hosts' kernels drop (the `partitions: "nft"`
   * option), and `commands` what ran on which host for it (docs/multi-host.md).
   */
  | Stamped<{
      type: 'fault';
      action: 'apply' | 'heal';
      fault: FaultSpec | { kind: 'all' };
      description: string;
      nodes: NodeId[];
      blocked?: Array<[NodeId, NodeId]>;
      kernel?: Array<[NodeId, NodeId]>;
      commands?: Array<{ host: string; command: string; script: string }>;
    }>
  /**
   * A remote node's clock offset estimate (docs/multi-host.md, "The clock model"): its events
   * from now on are re-based by `offsetMs` (node clock minus lab clock), true to ± `boundMs`;
   * `delayMs` is the round trip of the sample kept out of `samples`. Local nodes have none.
   */
  | Stamped<{ type: 'clock'; host: string; offsetMs: number; boundMs: number; delayMs: number; samples: number }>
  | Stamped<{ type: 'violation'; property: string; message: string; term?: number; index?: number; nodes?: NodeId[] }>
  /**
   * A membership change the lab made: 'add' (as a learner when `learners` names the target,
   * thesis §4.2.1), 'promote' (a caught-up learner made a voter), 'remove'.
   */
  | Stamped<{ type: 'membership'; action: 'add' | 'promote' | 'remove'; target: NodeId; voters: NodeId[]; learners?: NodeId[] }>
  /** Workload figures over the last interval (node: null). */
  | Stamped<{ type: 'workload'; intervalMs: number; ok: number; fail: number; info: number; opsPerSec: number; p50Ms: number | null; p99Ms: number | null }>
  | Stamped<{ type: 'telemetryGap'; missed: number }>
  /** Slow motion (docs/aimed-faults.md): the cluster's speed changed (1: real time); at start when the run begins below 1x. */
  | Stamped<{ type: 'speed'; speed: number }>
  /**
   * A debugger action (docs/debugger.md): what the user, a scenario or a breakpoint did, in
   * words, with the scenario step that repeats it (`raftlab run` of a saved session).
   */
  | Stamped<{ type: 'debug'; action: DebugAction; description: string; nodes: NodeId[]; step?: Record<string, unknown> }>
  /**
   * A scenario step the runner played (src/lab/scenarioRunner.ts), after the fault or
   * debugger events it caused: its place in the file, what it did (or why it was skipped),
   * and the file's `note:` explaining it (docs/scenarios.md, "Teaching scenarios").
   */
  | Stamped<{ type: 'step'; index: number; line: number; description: string; skipped?: boolean; note?: string }>;

export type DebugAction = 'freeze' | 'resume' | 'release' | 'advance' | 'timeoutNow' | 'breakpoints' | 'break';

export type RunEvent = NodeRunEvent | LabRunEvent;
export type RunEventType = RunEvent['type'];

export type OpStatus = 'ok' | 'fail' | 'info';

/** One client operation of history.jsonl; times are ms since the run started (monotonic). */
/** The operations that cannot be ordered (Summary.linearizabilityWitness). */
export interface LinearizabilityWitness {
  key: string;
  /** Register value after the longest linearizable prefix of the key's history. */
  valueBefore: string | null;
  op: HistoryOp;
  linearizedTail: HistoryOp[];
}

export interface HistoryOp {
  client: number;
  op: 'get' | 'put' | 'delete' | 'cas' | 'append';
  key: string;
  /** put/append: the value written; cas: the new value. */
  value: string | null;
  /** cas: the expected current value (null: absent). */
  expect?: string | null;
  /** get: the value read; writes: the value after the write (null when unknown). */
  output: string | null;
  call: number;
  return: number;
  status: OpStatus;
  /** Error for fail/info (e.g. cas_mismatch, timeout). */
  error?: string;
}

export interface Summary {
  runId: string;
  nodes: number;
  durationMs: number;
  leaderChanges: number;
  electionMs: { count: number; p50: number | null; p99: number | null; max: number | null; samples: number[] };
  /** Planned leadership transfers (thesis §3.10), kept apart from electionMs; absent in summaries written before. */
  transfers?: { count: number; samples: number[] };
  /** The run's configuration (the 'run' started event's options); null when unrecorded; absent in summaries written before. */
  options?: ClusterOptions | null;
  /** The election timeout randomness the run really had: range rounded to ticks plus tick phase (effectiveTimeoutRange); absent when options are unknown. */
  timeoutRandomness?: string;
  commitLatencyMs: { p50: number | null; p99: number | null };
  throughputOpsPerSec: number;
  ops: { ok: number; fail: number; info: number };
  faults: number;
  violations: Array<{ property: string; message: string; t: number }>;
  linearizable: true | false | 'unknown';
  /** Human-readable reason when linearizable is false or unknown. */
  linearizability?: string;
  /**
   * When linearizable is false: the checker's witness (src/lab/checkers/linearizability.ts
   * Counterexample), for the timeline: the acknowledged operation no linearization can place,
   * and the operations of its key linearized just before it (at most 20), times run-relative.
   */
  linearizabilityWitness?: LinearizabilityWitness;
  expectations?: Array<{ name: string; ok: boolean; detail: string }>;
  /**
   * Inputs each node's Raft core refused over the run, per node id then reason (from the
   * nodes' metrics, summed over restarts); only nodes with refusals; absent in summaries written before.
   */
  refusals?: Record<string, Record<string, number>>;
  /**
   * Per remote node id, its clock against the lab's from the run's 'clock' events
   * (docs/multi-host.md, "The clock model"): the last estimate (offset, bound, its round trip,
   * samples), how many estimates there were and the widest bound of them. Nodes on the lab's
   * machine are not listed: offset 0, bound 0. Absent when no node ran elsewhere.
   */
  clocks?: Record<string, { host: string; offsetMs: number; boundMs: number; delayMs: number; samples: number; estimates: number; maxBoundMs: number }>;
}
