/**
 * The lab API: every request, response and event between the renderer and the lab,
 * whichever carries them (Electron IPC through the preload, or the WebSocket of browser
 * mode). One map of channels, named `domain:verb`, so both transports and the renderer
 * share the exact types; `validateRequest` checks what crosses the boundary at runtime.
 */
import type { NodeId, Role } from '../raft/types';
import type { ClusterOptions } from './clusterOptions';
import type { LabRequestOf } from './labApiRequests';
import type { ProcessState, RunEvent, Summary } from './runEvents';
import type { WorkloadOptions } from './clusterOptions';
import type { TimeTravelChannels } from './labApiTimeTravel';
import { EXPERIMENT_CHANNELS, type ExperimentChannels } from './labApiExperiments';
import { DEBUG_CHANNELS, type DebugChannels, type DebugView } from './debug';

/** What the lab knows about one node right now (the renderer's cluster view). */
export interface NodeView {
  id: NodeId;
  process: ProcessState;
  pid: number | null;
  role: Role;
  term: number;
  leader: NodeId | null;
  commit: number;
  applied: number;
  lastIndex: number;
  voter: boolean;
  /** A non-voting member catching up (thesis §4.2.1); absent in runs recorded before learners. */
  learner?: boolean;
}

export interface LabState {
  /** 'idle': no cluster; 'running'; 'stopping'; 'viewing': showing a recorded run. */
  phase: 'idle' | 'starting' | 'running' | 'stopping' | 'viewing';
  runId: string | null;
  runDir: string | null;
  options: ClusterOptions | null;
  nodes: NodeView[];
  /** Blocked links currently in force (both directions listed). */
  blocked: Array<[NodeId, NodeId]>;
  /** Link rules other than blocks currently in force. */
  links: Array<{ from: NodeId; to: NodeId; drop: number; delayMs: number }>;
  workload: WorkloadOptions | null;
  startedAt: number | null;
  /**
   * Every fault in force, one entry per thing a user can undo (a partition, a link pair, a
   * node's clock or disk), with when it began. Optional: labs of an older version omit it.
   */
  faults?: ActiveFault[];
  /** The machine the nodes share, and how late the lab's own event loop runs (for the start panel's warning). */
  host?: HostLoad;
  /** Slow motion (docs/aimed-faults.md): the running cluster's speed, 1 = real time; absent when no cluster runs. */
  speed?: number;
  /** The debugger (issue 11, docs/debugger.md): frozen or not, breakpoints, held messages. Absent: never used in this run. */
  debug?: DebugView;
}

/** One fault in force, as the active-faults panel lists it; `id` is what fault:remove takes. */
export interface ActiveFault {
  /** 'partition', 'link:A-B' (A < B, both directions), 'flaky', 'clock:N', 'disk:N', 'bandwidth:N' (node N's host) or 'aimed:A>B' (from A to B). */
  id: string;
  kind: 'partition' | 'link' | 'flaky' | 'clock' | 'disk' | 'bandwidth' | 'aimed';
  description: string;
  /** Run time (ms since the run started) when it was applied; null when not known. */
  since: number | null;
  nodes: NodeId[];
}

export interface HostLoad {
  /** CPU cores the node processes share (os.availableParallelism). */
  cores: number;
  /** The lab's event-loop delay, p99 over the last few seconds (ms); null before the first measurement. */
  labLoopLagP99Ms: number | null;
}

/** The lab with no cluster and no run: what a client assumes before it hears otherwise. */
export const IDLE_LAB_STATE: LabState = {
  phase: 'idle',
  runId: null,
  runDir: null,
  options: null,
  nodes: [],
  blocked: [],
  links: [],
  workload: null,
  startedAt: null,
  faults: [],
};

export interface RunListing {
  runId: string;
  runDir: string;
  startedAt: string;
  nodes: number;
  hasSummary: boolean;
}

/**
 * Request/response pairs. Each request type is inferred from its declaration
 * (labApiRequests.ts), which is the one definition; responses are the lab's own output.
 */
export interface LabChannelsBase {
  'lab:state': { request: LabRequestOf<'lab:state'>; response: LabState };
  'cluster:start': { request: LabRequestOf<'cluster:start'>; response: LabState };
  'cluster:stop': { request: LabRequestOf<'cluster:stop'>; response: { summary: Summary | null; runDir: string | null } };
  'cluster:speed': { request: LabRequestOf<'cluster:speed'>; response: LabState };
  'node:kill': { request: LabRequestOf<'node:kill'>; response: LabState };
  'node:stop': { request: LabRequestOf<'node:stop'>; response: LabState };
  'node:pause': { request: LabRequestOf<'node:pause'>; response: LabState };
  'node:resume': { request: LabRequestOf<'node:resume'>; response: LabState };
  'node:restart': { request: LabRequestOf<'node:restart'>; response: LabState };
  'node:transferLeader': { request: LabRequestOf<'node:transferLeader'>; response: LabState };
  'node:remove': { request: LabRequestOf<'node:remove'>; response: LabState };
  'node:add': { request: LabRequestOf<'node:add'>; response: LabState };
  'fault:partition': { request: LabRequestOf<'fault:partition'>; response: LabState };
  'fault:link': { request: LabRequestOf<'fault:link'>; response: LabState };
  'fault:apply': { request: LabRequestOf<'fault:apply'>; response: LabState };
  'fault:heal': { request: LabRequestOf<'fault:heal'>; response: LabState };
  /** Undo one fault in force (an id of LabState.faults); the others stay. */
  'fault:remove': { request: LabRequestOf<'fault:remove'>; response: LabState };
  'workload:set': { request: LabRequestOf<'workload:set'>; response: LabState };
  /** Export the current or last run; `format` limits to one file, else all. Returns file names and contents (text). */
  'run:export': { request: LabRequestOf<'run:export'>; response: { runDir: string; files: Array<{ name: string; bytes: number }> } };
  'run:list': { request: LabRequestOf<'run:list'>; response: { runs: RunListing[] } };
  /** Open a recorded run (a run directory or its events.jsonl) for viewing. */
  'run:open': { request: LabRequestOf<'run:open'>; response: { runDir: string; events: RunEvent[]; summary: Summary | null } };
  /**
   * Everything recorded so far of the current run, or of the last one when none runs: what a
   * page that connects (a reload, a second window) or a run that just stopped loads before it
   * follows the live pushes. `runDir` null: the lab has no run yet.
   */
  'run:history': { request: LabRequestOf<'run:history'>; response: { runDir: string | null; running: boolean; events: RunEvent[] } };
  /** Read one exported file of a run as text (browser mode downloads, tests). */
  'run:file': { request: LabRequestOf<'run:file'>; response: { name: string; text: string } };
}

/** Every request channel: the ones above, time travel's (labApiTimeTravel.ts) and the experiments' (labApiExperiments.ts). */
export interface LabChannels extends LabChannelsBase, TimeTravelChannels, ExperimentChannels, DebugChannels {}

export type LabChannel = keyof LabChannels;
export type LabRequest<C extends LabChannel> = LabChannels[C]['request'];
export type LabResponse<C extends LabChannel> = LabChannels[C]['response'];

/** Pushed from the lab: batches of run events (at most ~20 batches a second) and state changes. */
export interface LabPush {
  'lab:events': { events: RunEvent[] };
  'lab:state': LabState;
}
export type LabPushChannel = keyof LabPush;

/** Errors cross the boundary as data, never as thrown objects. */
export type LabResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** The object the preload exposes as `window.lab` and browser mode implements over WebSocket. */
export interface LabApi {
  invoke<C extends LabChannel>(channel: C, request: LabRequest<C>): Promise<LabResult<LabResponse<C>>>;
  /** Subscribe to a push channel; returns the unsubscribe function. */
  on<P extends LabPushChannel>(channel: P, listener: (payload: LabPush[P]) => void): () => void;
  /** 'electron' in the desktop app, 'browser' in browser mode. */
  readonly mode: 'electron' | 'browser';
}

export const LAB_CHANNELS: readonly LabChannel[] = [
  'lab:state', 'cluster:start', 'cluster:stop', 'cluster:speed', 'node:kill', 'node:stop', 'node:pause', 'node:resume',
  'node:restart', 'node:transferLeader', 'node:remove', 'node:add', 'fault:partition', 'fault:link',
  'fault:apply', 'fault:heal', 'fault:remove', 'workload:set', 'run:export', 'run:list', 'run:open', 'run:history', 'run:file',
  'run:stateAt', 'run:messages', ...EXPERIMENT_CHANNELS, ...DEBUG_CHANNELS,
];

export const LAB_PUSH_CHANNELS: readonly LabPushChannel[] = ['lab:events', 'lab:state'];
