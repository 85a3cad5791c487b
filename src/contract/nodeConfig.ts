/**
 * The configuration the lab hands a node process (as a JSON file named on its command
 * line). Times are in milliseconds; the node turns them into core ticks of `tickMs`.
 */
import type { NodeId } from '../raft/types';

export interface PeerAddresses {
  /** Where the peer's Raft socket is bound: tcp://127.0.0.1:PORT or ipc://PATH. */
  peerAddress: string;
  /** Where the peer's key-value client socket is bound. */
  clientAddress: string;
}

export interface NodeProcessConfig {
  clusterId: string;
  id: NodeId;
  dataDir: string;
  /** This node's own endpoints (it binds them). */
  peerAddress: string;
  clientAddress: string;
  /** Every other node it may talk to. */
  peers: Record<string, PeerAddresses>;
  /** The lab's control ROUTER and telemetry PULL endpoints (the node connects). */
  controlAddress: string;
  telemetryAddress: string;
  /** Voters to bootstrap with when the data directory is empty; [] for a node that joins later. */
  initialVoters: NodeId[];
  tickMs: number;
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatMs: number;
  preVote: boolean;
  checkQuorum: boolean;
  fsync: 'always' | 'never';
  maxEntriesPerMsg: number;
  maxBytesPerMsg: number;
  maxInflight: number;
  snapshotThreshold: number;
  seed: number;
  metricsIntervalMs: number;
  /** Refuse frames larger than this many bytes. */
  maxFrameBytes: number;
}
