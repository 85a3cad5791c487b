/**
 * The time-travel channels of the lab API (issue 10 part 3): a recorded or live run's
 * replayed core states at a time, and its peer messages in a time window. Times here are
 * ms since the run started, like every run event (docs/formats.md); the lab maps them to the
 * journals' shared clock (src/lab/timeTravel.ts says how).
 *
 * Declared apart from labApi.ts so the contract rewrite can fold them in as they are.
 */
import type { Inspection, NodeId } from '../raft/types';

/**
 * The whole inner state of one core at one step, as plain data: the core's `Inspection`
 * (src/raft/types.ts, what `RaftNode.inspect()` returns) without its `id`, plus where in the
 * journal the step lies (docs/formats.md, "replay state"). Derived, not copied, so a field the
 * core's inspection gains reaches the renderer without a second declaration; a type-only
 * import, as messageMatch.ts's, so the contract stays free of the core's code. Replay
 * (src/replay/coreState.ts) builds its states as this type: one declaration for both.
 */
export interface CoreStateView extends Omit<Inspection, 'id'> {
  node: NodeId;
  /** Which start of the node's process the step belongs to (the journal's start records). */
  incarnation: number;
  /** Step number within the incarnation (0: just recovered, before any step). */
  step: number;
  /** Step number across the node's whole journal. */
  globalStep: number;
  /** Time of that step (ms; run-relative once the lab has mapped it, see NodeAt.state). */
  t: number;
}

/** The message types of the core (src/raft/types.ts Message['type']), as the diagram filters them. */
export const MESSAGE_TYPES = ['vote', 'voteResp', 'append', 'appendResp', 'heartbeat', 'heartbeatResp', 'snapshot', 'timeoutNow'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** One node as of the asked time. */
export type NodeAt =
  | {
      node: number;
      ok: true;
      /** The replayed core state; its `t` is run-relative (ms since the run started). */
      state: CoreStateView;
      /** Run-relative time of the node's journaled step before / after the asked time (step controls). */
      prevStepAt: number | null;
      nextStepAt: number | null;
      /**
       * Set when the node's process was not running at the asked time (its last process event
       * then was killed, stopped, exited or crashed): `state` is then what it held when it went down.
       */
      down?: { since: number; how: string };
    }
  | { node: number; ok: false; error: string };

export interface TimelineInfo {
  runDir: string;
  /** Run-relative span the journals cover. */
  fromMs: number;
  toMs: number;
  nodes: number[];
  /** Journaled steps and messages so far. */
  steps: number;
  messages: number;
  /** Replay digest mismatches met (each a determinism bug; `raftlab check` lists them). */
  mismatches: number;
  /**
   * How journal time was mapped to run time: the run's own clock file (journal/clock.json, the
   * same mapping `raftlab replay --at` uses), or for runs without one paired role changes, or
   * (less exact) each node's ready event.
   */
  clockAlignment: 'run clock' | 'role events' | 'ready events' | 'journal start';
  /**
   * The core's tick (ms) from the run's recorded options (effectiveTickMs): timers count in
   * ticks, the log view shows them as time. null when the run recorded no options.
   */
  tickMs: number | null;
  /**
   * Nodes recorded at level `messages` (message headers only): no core states at that level,
   * and only their receipts (sends are not journaled), listed at the receipt time.
   */
  headerOnlyNodes: number[];
  /** Role changes the replay saw, run-relative, for marks on the lanes. */
  roles: Array<{ t: number; node: number; role: string; term: number; preCandidate: boolean }>;
}

export interface StateAtResponse {
  timeline: TimelineInfo;
  atMs: number;
  nodes: NodeAt[];
}

/** A message with run-relative times (fields as in messages.jsonl, docs/formats.md). */
export interface MessageAt {
  id: string;
  type: MessageType;
  from: number;
  to: number;
  term: number;
  sentAt: number;
  receivedAt: number[];
  dropped?: string;
  fields: Record<string, unknown>;
}

export type MessagesResponse =
  | { timeline: TimelineInfo; fromMs: number; toMs: number; total: number; detail: 'messages'; messages: MessageAt[] }
  | {
      timeline: TimelineInfo;
      fromMs: number;
      toMs: number;
      total: number;
      /** Too many messages for `maxItems`: counts per time bucket (by send time) and type instead. */
      detail: 'buckets';
      bucketMs: number;
      buckets: Array<{ t: number; counts: Partial<Record<MessageType, number>>; dropped: number }>;
    };

/** Request/response pairs, merged into LabChannels (labApi.ts). */
export interface TimeTravelChannels {
  /** Every journaled node's replayed core state at run time `atMs`. */
  'run:stateAt': { request: { runDir?: string; atMs: number }; response: StateAtResponse };
  /** Messages sent in [fromMs, toMs] (or in flight across it), at most `maxItems`, else counts per bucket. */
  'run:messages': { request: { runDir?: string; fromMs: number; toMs: number; maxItems: number }; response: MessagesResponse };
}

/** The most messages one answer lists before it falls back to buckets. */
export const MAX_MESSAGE_ITEMS = 20_000;
/** Longest run time accepted (ms): a week. */
export const MAX_RUN_MS = 7 * 24 * 3600 * 1000;
