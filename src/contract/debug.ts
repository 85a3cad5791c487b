/**
 * The debugger's contract (issue 11, docs/debugger.md): what the lab asks a node to do while the
 * cluster is frozen, what a node tells back, and the lab API's debug channels.
 *
 * The model: a frozen node's clock is driven by the lab (no tick unless one is asked for) and
 * every peer message it receives is held instead of stepped. Every action the lab takes on a
 * frozen node (deliver a held message, drop it, deliver it twice, advance the clock) becomes an
 * ordinary input of the pure core (a `message` or a `tick`), so the node's journal records it and
 * replay stays exact (docs/formats.md "journal").
 *
 * Message ids are `from.incarnation.n`: the n-th message the sender's core emitted in that
 * incarnation (src/replay/messages.ts recomputes them); the wire carries them (codecRaftWire.ts).
 * A held copy's `hold` key adds the receiver's own count, because a duplicating link fault may
 * deliver the same id twice.
 *
 * No Node imports: shared by the node, the lab and the renderer.
 */
import * as v from 'valibot';
import { fields, nodeId as labNodeId, say, trueOrFalse, wholeNumber } from './labApiFields';
import { LIMITS } from './limits';
import { MessageMatchSchema } from './messageMatch';
import { arrayOf, bool, checker, FIELD, intIn, literal, nodeId, nonNegative, object, role, str, uint, variantCase, type Decoded } from './schemaKit';

/** Held messages one node keeps; beyond it the oldest is dropped (counted, journaled). */
export const MAX_HELD_PER_NODE = 1_024;
/** Ticks one advanceClock may step (an election timeout of 60 s at 1 ms ticks). */
export const MAX_ADVANCE_TICKS = 60_000;
/** Held messages a node lists in one reply, and the lab in LabState.debug. */
export const MAX_HELD_LISTED = 256;

const holdKey = str(LIMITS.shortTextLength, 1);

/** What to do with held messages: step them (in the order given), drop them, or step them twice (a duplicate). */
export const releaseAction = literal('deliver', 'drop', 'duplicate');
export type ReleaseAction = Decoded<typeof releaseAction>;

/**
 * Conditions a node checks after each of its own steps, freezing itself at once when one holds
 * (the lab then freezes the others: docs/debugger.md says what "at once" means across processes).
 */
export const NodeBreakpointsSchema = object({
  /** Break when this node's role changes (§5.2). */
  roleChange: v.optional(bool),
  /** Break when this node's term exceeds this. */
  termAbove: v.optional(uint),
  /** Break when this node's commit index reaches this. */
  commitAtLeast: v.optional(uint),
  /** Break when this node receives (before stepping it: the message is held) a matching message. */
  receive: v.optional(MessageMatchSchema),
  /** Break when this node's core emits a matching message (after the step that sent it). */
  send: v.optional(MessageMatchSchema),
});
export type NodeBreakpoints = Decoded<typeof NodeBreakpointsSchema>;

/** The debugger's control commands (folded into ControlCommandSchema in control.ts). */
export const DEBUG_COMMAND_CASES = [
  /** Stop the tick timer and hold every inbound peer message (after the link fault rules). */
  variantCase({ cmd: v.literal('freeze') }),
  /** Deliver what is held in arrival order, then tick from the real clock again. */
  variantCase({ cmd: v.literal('thaw') }),
  /** Act on held messages, in the order of `holds` (out-of-order delivery); absent: all, in arrival order. */
  variantCase({ cmd: v.literal('release'), holds: v.optional(arrayOf(holdKey, MAX_HELD_PER_NODE, 1)), action: releaseAction }),
  /** Step `ticks` ticks now, or (untilTimer) as many as this node's next timer needs to fire (§5.2). */
  variantCase({ cmd: v.literal('advanceClock'), ticks: v.optional(intIn(1, MAX_ADVANCE_TICKS)), untilTimer: v.optional(bool) }),
  /** RaftScope's "time out": fire this node's election timer now (§5.2), frozen or live. */
  variantCase({ cmd: v.literal('timeoutNow') }),
  /** Replace this node's breakpoints (empty object: none). */
  variantCase({ cmd: v.literal('setBreakpoints'), breakpoints: NodeBreakpointsSchema }),
  /** Report the debug state (below) without changing anything. */
  variantCase({ cmd: v.literal('debugState') }),
] as const;

/** One held message, as a node reports it and the app lists it. */
export const HeldMessageSchema = object({
  /** Unique at this node: `id` plus, for a second copy of the same id, `#k`. */
  hold: holdKey,
  /** `from.incarnation.n` (see the header). */
  id: str(LIMITS.shortTextLength, 1),
  type: str(32, 1),
  from: nodeId,
  to: nodeId,
  term: uint,
  /** The message's fields without entry data (src/replay/messages.ts messageFields). */
  summary: str(LIMITS.shortTextLength),
  /** Shared-clock ms when it was held. */
  t: nonNegative,
  /** Why: 'frozen', 'breakpoint' or an aimed rule's words. */
  reason: str(LIMITS.shortTextLength),
});
export type HeldMessage = Decoded<typeof HeldMessageSchema>;

/** A node's debug state: in every reply to a debug command and in `debug` telemetry. */
export const NodeDebugStateSchema = object({
  frozen: bool,
  /** Held messages in arrival order (at most MAX_HELD_LISTED; `heldCount` says how many in all). */
  held: arrayOf(HeldMessageSchema, MAX_HELD_LISTED),
  heldCount: uint,
  /** The core's timers in ticks (thesis §3.4: elapsed against the randomized timeout). */
  role,
  term: uint,
  votedFor: v.nullable(nodeId),
  commit: uint,
  lastIndex: uint,
  electionElapsed: uint,
  electionTimeout: uint,
  heartbeatElapsed: uint,
  heartbeatTimeout: uint,
  /** Ticks the next timer of this node needs to fire (what advanceClock untilTimer steps). */
  ticksToNextTimer: uint,
  /** Set when the node froze itself on a breakpoint: which one, in words. */
  breakReason: v.nullable(str(LIMITS.shortTextLength)),
});
export type NodeDebugState = Decoded<typeof NodeDebugStateSchema>;

export const checkNodeDebugState = checker(NodeDebugStateSchema);

// ---------------------------------------------------------------------------------------------
// The lab side: breakpoints across the cluster and the lab API's debug channels
// ---------------------------------------------------------------------------------------------

/** Breakpoints as a user sets them (app, CLI `--break`, scenario `break:`). */
export const BREAKPOINT_ENTRIES = {
  /** Any node changes role. */
  roleChange: v.optional(bool),
  /** Any node's term exceeds N. */
  termAbove: v.optional(uint),
  /** Any node's commit index reaches K. */
  commitAtLeast: v.optional(uint),
  /** A matching message is received (held at its receiver before it is stepped). */
  receive: v.optional(MessageMatchSchema),
  /** A matching message is sent. */
  send: v.optional(MessageMatchSchema),
  /** A node is killed (by the user, a scenario or a crash). */
  nodeKilled: v.optional(bool),
  /** A checker reports a safety violation. */
  violation: v.optional(bool),
};
export const BreakpointsSchema = object(BREAKPOINT_ENTRIES);
export type Breakpoints = Decoded<typeof BreakpointsSchema>;

/** The part of a user's breakpoints each node checks itself. */
export function nodeBreakpointsOf(b: Breakpoints): NodeBreakpoints {
  const out: NodeBreakpoints = {};
  if (b.roleChange) out.roleChange = true;
  if (b.termAbove !== undefined) out.termAbove = b.termAbove;
  if (b.commitAtLeast !== undefined) out.commitAtLeast = b.commitAtLeast;
  if (b.receive) out.receive = b.receive;
  if (b.send) out.send = b.send;
  return out;
}

/** What the app shows of the debugger: LabState.debug. */
export interface DebugView {
  frozen: boolean;
  breakpoints: Breakpoints;
  /** The last break: what fired, where, when (run ms). */
  lastBreak: { reason: string; node: number | null; atMs: number } | null;
  /** Each live node's debug state (absent: not reached yet, or down). */
  nodes: Array<{ node: number } & NodeDebugState>;
  /** The user's debug actions so far, in order (also recorded as run events). */
  actions: number;
}

/** Longest value the debugger's client write takes (a value typed into the app, not a workload's). */
export const MAX_DEBUG_VALUE_CHARS = 1_024;

/** The debugger's client write (issue 11: "submit a client request" while frozen): a put of a key. */
export const debugPutKey = v.pipe(
  v.string(say(`${FIELD} must be a key`)),
  v.minLength(1, say(`${FIELD} must be a key of 1 to ${LIMITS.keyLength} characters`)),
  v.maxLength(LIMITS.keyLength, say(`${FIELD} must be a key of 1 to ${LIMITS.keyLength} characters`)),
);
export const debugPutValue = v.pipe(
  v.string(say(`${FIELD} must be a value`)),
  v.maxLength(MAX_DEBUG_VALUE_CHARS, say(`${FIELD} must be at most ${MAX_DEBUG_VALUE_CHARS} characters`)),
);

/** The lab API's debug channels (folded into LAB_REQUEST_SCHEMAS, labApiRequests.ts). */
export const DEBUG_REQUEST_SCHEMAS = {
  /** Freeze the whole cluster (and pause the workload): nothing ticks, every message is held. */
  'debug:freeze': fields({}),
  /** Deliver every held message, tick in real time again, restore the workload. */
  'debug:resume': fields({}),
  /** Deliver, drop or duplicate held messages of one node (`holds` absent: all of them, in arrival order). */
  'debug:release': fields({ node: labNodeId(), holds: v.optional(v.pipe(v.array(holdKey), v.minLength(1), v.maxLength(MAX_HELD_PER_NODE))), action: releaseAction }),
  /** Advance one frozen node's clock by `ticks`, or until its next timer fires. */
  'debug:advance': fields({ node: labNodeId(), ticks: v.optional(wholeNumber(1, MAX_ADVANCE_TICKS)), untilTimer: v.optional(trueOrFalse) }),
  /** RaftScope's "time out": make the node's election timer fire now (frozen or live). */
  'debug:timeoutNow': fields({ node: labNodeId() }),
  /** Replace the breakpoints (empty object: none). */
  'debug:breakpoints': fields({ breakpoints: BreakpointsSchema }),
  /**
   * Submit one client write to a node, frozen or live: it steps at once (a frozen node still
   * steps client requests); its outcome arrives in the history when the node answers.
   */
  'debug:put': fields({ node: labNodeId(), key: debugPutKey, value: debugPutValue }),
  /** Everything the user did in this run so far, as a scenario YAML that `raftlab run` repeats. */
  'session:scenario': fields({}),
};

export interface DebugChannels {
  'debug:freeze': { request: Decoded<(typeof DEBUG_REQUEST_SCHEMAS)['debug:freeze']>; response: DebugView };
  'debug:resume': { request: Decoded<(typeof DEBUG_REQUEST_SCHEMAS)['debug:resume']>; response: DebugView };
  'debug:release': { request: Decoded<(typeof DEBUG_REQUEST_SCHEMAS)['debug:release']>; response: DebugView };
  'debug:advance': { request: Decoded<(typeof DEBUG_REQUEST_SCHEMAS)['debug:advance']>; response: DebugView };
  'debug:timeoutNow': { request: Decoded<(typeof DEBUG_REQUEST_SCHEMAS)['debug:timeoutNow']>; response: DebugView };
  'debug:breakpoints': { request: Decoded<(typeof DEBUG_REQUEST_SCHEMAS)['debug:breakpoints']>; response: DebugView };
  'debug:put': { request: Decoded<(typeof DEBUG_REQUEST_SCHEMAS)['debug:put']>; response: DebugView };
  'session:scenario': { request: Decoded<(typeof DEBUG_REQUEST_SCHEMAS)['session:scenario']>; response: { yaml: string; steps: number } };
}

export const DEBUG_CHANNELS = [
  'debug:freeze', 'debug:resume', 'debug:release', 'debug:advance', 'debug:timeoutNow', 'debug:breakpoints', 'debug:put', 'session:scenario',
] as const satisfies ReadonlyArray<keyof DebugChannels>;
