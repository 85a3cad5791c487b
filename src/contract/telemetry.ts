/**
 * Telemetry a node pushes to the lab. Events are batched (one frame per flush) and carry
 * `t`: wall-clock milliseconds with sub-millisecond resolution
 * (performance.timeOrigin + performance.now()), a clock every process on one machine shares.
 */
import type { ClusterConfig, NodeId, Role } from '../raft/types';
import type { LinkRule } from './control';

export type TelemetryEvent =
  | { t: number; type: 'ready'; pid: number; peerAddress: string; clientAddress: string }
  /**
   * `preCandidate`: true while the node runs a PreVote round (thesis §9.6): its role is then
   * 'candidate' but its term has not been raised. Absent in recordings made before the flag.
   */
  | { t: number; type: 'role'; role: Role; term: number; leader: NodeId | null; preCandidate?: boolean }
  | { t: number; type: 'vote'; to: NodeId; term: number; granted: boolean; preVote: boolean; reason?: string }
  | { t: number; type: 'election'; phase: 'started' | 'won' | 'lost'; term: number; preVote: boolean; reason?: string }
  | { t: number; type: 'commit'; index: number }
  | { t: number; type: 'apply'; index: number; term: number; digest: string }
  | { t: number; type: 'snapshot'; phase: 'created' | 'installed' | 'compacted'; index: number; term?: number }
  | { t: number; type: 'config'; config: ClusterConfig; index: number }
  | { t: number; type: 'transfer'; phase: 'started' | 'aborted'; to: NodeId; reason?: string }
  | { t: number; type: 'quorumLost'; term: number }
  | { t: number; type: 'faultRules'; rules: LinkRule[]; timerRate: number; fsyncDelayMs: number }
  | { t: number; type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | ({ t: number; type: 'metrics' } & NodeMetrics);

export type TelemetryEventType = TelemetryEvent['type'];

/** Per peer and message type: count and bytes, sent and received. */
export interface TrafficCounters {
  sent: number;
  received: number;
  bytesSent: number;
  bytesReceived: number;
}

/** A metrics snapshot, sent every 100 ms. */
export interface NodeMetrics {
  term: number;
  role: Role;
  leader: NodeId | null;
  commit: number;
  applied: number;
  lastIndex: number;
  snapshotIndex: number;
  /** Leader only: replication progress per follower. */
  progress: Record<string, { match: number; next: number }>;
  /** Event-loop lag in ms over the last interval (max). */
  loopLagMs: number;
  rssBytes: number;
  electionsStarted: number;
  electionsWon: number;
  votesGranted: number;
  heartbeatsSent: number;
  heartbeatsReceived: number;
  stateChanges: number;
  /** ms since the last contact with a current leader; 0 on the leader; null if never. */
  leaderStalenessMs: number | null;
  /** Keyed by peer id, then by message type. */
  traffic: Record<string, Record<string, TrafficCounters>>;
  fsync: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Frames the codec rejected, by reason (malformed, oversized, version, cluster, type). */
  rejectedFrames: Record<string, number>;
  /**
   * Inputs the Raft core refused since the process started, per reason with a count above 0
   * (src/raft/errors.ts REFUSAL_REASONS); absent from nodes built before it.
   */
  refused?: Record<string, number>;
  /** Telemetry events dropped under back-pressure since start. */
  telemetryDropped: number;
}

export interface TelemetryBatch {
  node: NodeId;
  /** Batch sequence number, to notice gaps. */
  seq: number;
  events: TelemetryEvent[];
}
