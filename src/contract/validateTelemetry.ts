/**
 * Runtime checks for telemetry batches (src/contract/telemetry.ts). Every event type is
 * checked field by field: the lab stores and renders these, and an unknown event type is
 * a rejected batch rather than something the renderer has to guess about.
 * No Node imports: src/contract is shared with the renderer.
 */
import type { TelemetryBatch, TelemetryEvent } from './telemetry';
import { checkLinkRules } from './validateControl';
import {
  arrayOf,
  bool,
  clusterConfig,
  literal,
  LIMITS,
  nodeId,
  nonNegative,
  nullable,
  object,
  positiveNumber,
  recordOf,
  role,
  str,
  tagged,
  uint,
  validate,
  numberIn,
  type Check,
  type ValidationResult,
} from './validateCore';

/** Wall-clock milliseconds (performance.timeOrigin + performance.now()). */
const t = nonNegative;
const text = str(LIMITS.textLength);
const shortText = str(LIMITS.shortTextLength);
const address = str(LIMITS.addressLength);

const trafficCounters = object({ sent: uint, received: uint, bytesSent: uint, bytesReceived: uint });

const metrics = object({
  t,
  type: literal('metrics'),
  term: uint,
  role,
  leader: nullable(nodeId),
  commit: uint,
  applied: uint,
  lastIndex: uint,
  snapshotIndex: uint,
  progress: recordOf(object({ match: uint, next: uint })),
  loopLagMs: nonNegative,
  rssBytes: uint,
  electionsStarted: uint,
  electionsWon: uint,
  votesGranted: uint,
  heartbeatsSent: uint,
  heartbeatsReceived: uint,
  stateChanges: uint,
  leaderStalenessMs: nullable(nonNegative),
  traffic: recordOf(recordOf(trafficCounters, 64)),
  fsync: object({ count: uint, p50Ms: nonNegative, p99Ms: nonNegative, maxMs: nonNegative }),
  rejectedFrames: recordOf(uint, 64),
  telemetryDropped: uint,
  // Optional: the Raft core's refusals per reason (absent from nodes built before them).
}, { refused: recordOf(uint, 64) });

export const checkTelemetryEvent: Check<TelemetryEvent> = tagged('type', {
  ready: object({ t, type: literal('ready'), pid: uint, peerAddress: address, clientAddress: address }),
  role: object({ t, type: literal('role'), role, term: uint, leader: nullable(nodeId) }, { preCandidate: bool }),
  vote: object(
    { t, type: literal('vote'), to: nodeId, term: uint, granted: bool, preVote: bool },
    { reason: shortText },
  ),
  election: object(
    { t, type: literal('election'), phase: literal('started', 'won', 'lost'), term: uint, preVote: bool },
    { reason: shortText },
  ),
  commit: object({ t, type: literal('commit'), index: uint }),
  apply: object({ t, type: literal('apply'), index: uint, term: uint, digest: shortText }),
  snapshot: object(
    { t, type: literal('snapshot'), phase: literal('created', 'installed', 'compacted'), index: uint },
    { term: uint },
  ),
  config: object({ t, type: literal('config'), config: clusterConfig, index: uint }),
  transfer: object(
    { t, type: literal('transfer'), phase: literal('started', 'aborted'), to: nodeId },
    { reason: shortText },
  ),
  quorumLost: object({ t, type: literal('quorumLost'), term: uint }),
  faultRules: object({
    t,
    type: literal('faultRules'),
    rules: checkLinkRules,
    timerRate: positiveNumber(LIMITS.maxTimerRate),
    fsyncDelayMs: numberIn(0, LIMITS.maxDelayMs),
  }),
  log: object({ t, type: literal('log'), level: literal('info', 'warn', 'error'), message: text }),
  metrics,
});

export const checkTelemetryBatch: Check<TelemetryBatch> = object({
  node: nodeId,
  seq: uint,
  events: arrayOf(checkTelemetryEvent, LIMITS.telemetryEventsPerBatch),
});

export function validateTelemetryBatch(v: unknown): ValidationResult<TelemetryBatch> {
  return validate(checkTelemetryBatch, v);
}
