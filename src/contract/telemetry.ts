/**
 * Telemetry a node pushes to the lab. Events are batched (one frame per flush) and carry
 * `t`: wall-clock milliseconds with sub-millisecond resolution
 * (performance.timeOrigin + performance.now()), a clock every process on one machine shares.
 *
 * Declared once (docs/contracts.md): every event type is checked field by field, since the
 * lab stores and renders these, and an unknown event type is a rejected batch rather than
 * something the renderer has to guess about.
 */
import { AimedRuleStatesSchema } from './aimedRules';
import { LinkRulesSchema } from './control';
import { LIMITS } from './limits';
import * as v from 'valibot';
import { HeldMessageSchema, NodeDebugStateSchema } from './debug';
import { arrayOf, bool, checker, clusterConfig, decoder, literal, nodeId, nonNegative, numberIn, object, recordOf, role, str, tagged, uint, variantCase, type Decoded } from './schemaKit';

/** Wall-clock milliseconds (performance.timeOrigin + performance.now()). */
const t = nonNegative;
const text = str(LIMITS.textLength);
const shortText = str(LIMITS.shortTextLength);
const address = str(LIMITS.addressLength);

/** Per peer and message type: count and bytes, sent and received. */
export const TrafficCountersSchema = object({ sent: uint, received: uint, bytesSent: uint, bytesReceived: uint });
export type TrafficCounters = Decoded<typeof TrafficCountersSchema>;

/** A metrics snapshot, sent every 100 ms. */
const nodeMetricsEntries = {
  term: uint,
  role,
  leader: v.nullable(nodeId),
  commit: uint,
  applied: uint,
  lastIndex: uint,
  snapshotIndex: uint,
  /** Leader only: replication progress per follower. */
  progress: recordOf(object({ match: uint, next: uint })),
  /** Event-loop lag in ms over the last interval (max). */
  loopLagMs: nonNegative,
  rssBytes: uint,
  /**
   * V8 heap in use and memory outside it (Buffers, ArrayBuffers, native objects V8 knows of),
   * from process.memoryUsage(): what of the RSS is JavaScript objects and what is buffers
   * (docs/performance.md, memory). Absent from nodes built before them.
   */
  heapUsedBytes: v.optional(uint),
  externalBytes: v.optional(uint),
  electionsStarted: uint,
  electionsWon: uint,
  votesGranted: uint,
  heartbeatsSent: uint,
  heartbeatsReceived: uint,
  stateChanges: uint,
  /** ms since the last contact with a current leader; 0 on the leader; null if never. */
  leaderStalenessMs: v.nullable(nonNegative),
  /** Keyed by peer id, then by message type. */
  traffic: recordOf(recordOf(TrafficCountersSchema, 64)),
  fsync: object({ count: uint, p50Ms: nonNegative, p99Ms: nonNegative, maxMs: nonNegative }),
  /** Frames the codec rejected, by reason (malformed, oversized, version, cluster, type). */
  rejectedFrames: recordOf(uint, 64),
  /**
   * Inputs the Raft core refused since the process started, per reason with a count above 0
   * (src/raft/errors.ts REFUSAL_REASONS); absent from nodes built before it.
   */
  refused: v.optional(recordOf(uint, 64)),
  /** Telemetry events dropped under back-pressure since start. */
  telemetryDropped: uint,
};
export const NodeMetricsSchema = object(nodeMetricsEntries);
export type NodeMetrics = Decoded<typeof NodeMetricsSchema>;

export const TelemetryEventSchema = tagged('type', [
  variantCase({ t, type: v.literal('ready'), pid: uint, peerAddress: address, clientAddress: address }),
  /**
   * `preCandidate`: true while the node runs a PreVote round (thesis §9.6): its role is then
   * 'candidate' but its term has not been raised. Absent in recordings made before the flag.
   */
  variantCase({ t, type: v.literal('role'), role, term: uint, leader: v.nullable(nodeId), preCandidate: v.optional(bool) }),
  variantCase({ t, type: v.literal('vote'), to: nodeId, term: uint, granted: bool, preVote: bool, reason: v.optional(shortText) }),
  variantCase({
    t,
    type: v.literal('election'),
    phase: literal('started', 'won', 'lost'),
    term: uint,
    preVote: bool,
    reason: v.optional(shortText),
  }),
  variantCase({ t, type: v.literal('commit'), index: uint }),
  variantCase({ t, type: v.literal('apply'), index: uint, term: uint, digest: shortText }),
  variantCase({ t, type: v.literal('snapshot'), phase: literal('created', 'installed', 'compacted'), index: uint, term: v.optional(uint) }),
  variantCase({ t, type: v.literal('config'), config: clusterConfig, index: uint }),
  variantCase({ t, type: v.literal('transfer'), phase: literal('started', 'aborted'), to: nodeId, reason: v.optional(shortText) }),
  variantCase({ t, type: v.literal('quorumLost'), term: uint }),
  variantCase({
    t,
    type: v.literal('faultRules'),
    rules: LinkRulesSchema,
    timerRate: numberIn(LIMITS.timerRate.min, LIMITS.timerRate.max),
    fsyncDelayMs: numberIn(LIMITS.fsyncDelayMs.min, LIMITS.fsyncDelayMs.max),
    /** Aimed rules in force with their match and hit counts (src/contract/aimedRules.ts); absent from older nodes. */
    aimed: v.optional(AimedRuleStatesSchema),
    /** Slow-motion speed (1: real time); absent from older nodes. */
    speed: v.optional(numberIn(LIMITS.speed.min, LIMITS.speed.max)),
  }),
  variantCase({ t, type: v.literal('log'), level: literal('info', 'warn', 'error'), message: text }),
  variantCase({ t, type: v.literal('metrics'), ...nodeMetricsEntries }),
  /** The debugger (src/contract/debug.ts): a message held at this node. */
  variantCase({ t, type: v.literal('held'), message: HeldMessageSchema }),
  /** The debugger: this node's debug state after a change (freeze, thaw, a break, a release, a clock step). */
  variantCase({ t, type: v.literal('debugState'), state: NodeDebugStateSchema }),
]);
export type TelemetryEvent = Decoded<typeof TelemetryEventSchema>;
export type TelemetryEventType = TelemetryEvent['type'];

export const TelemetryBatchSchema = object({
  node: nodeId,
  /** Batch sequence number, to notice gaps. */
  seq: uint,
  events: arrayOf(TelemetryEventSchema, LIMITS.telemetryEventsPerBatch),
});
export type TelemetryBatch = Decoded<typeof TelemetryBatchSchema>;

export const checkTelemetryEvent = checker(TelemetryEventSchema);
export const checkTelemetryBatch = checker(TelemetryBatchSchema);
export const validateTelemetryBatch = decoder(TelemetryBatchSchema);
