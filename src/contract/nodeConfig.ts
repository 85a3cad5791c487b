/**
 * The configuration the lab hands a node process: one JSON line on the node's stdin
 * (`--config-stdin`), so the node's CURVE secret key is never on a command line nor on disk;
 * `--config <path>` still reads a file (tests, manual runs). Times are in milliseconds; the
 * node turns them into core ticks of `tickMs`.
 */
import type { NodeId } from '../raft/types';
import type { RecordingLevel } from './journalFormat';

export interface PeerAddresses {
  /** Where the peer's Raft socket is bound: tcp://127.0.0.1:PORT or ipc://PATH. */
  peerAddress: string;
  /** Where the peer's key-value client socket is bound. */
  clientAddress: string;
  /** The peer's CURVE public key (Z85): required when the config has `security`. */
  publicKey?: string;
}

/**
 * CURVE keys of a node (docs/security.md, "Keys and sockets"). A fresh pair per node per
 * run, made by the lab (src/lab/keys.ts). Without it every socket is plaintext.
 */
export interface NodeSecurity {
  /** This node's key pair (Z85). The secret travels only on the node's stdin. */
  publicKey: string;
  secretKey: string;
  /** The lab's public key: the server key of the control and telemetry sockets, and the only client the client socket admits. */
  labPublicKey: string;
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
  /**
   * Where this node writes its flight-recorder journal (src/node/journal), and how much;
   * no journal when absent or 'off'.
   */
  journalDir?: string;
  recording?: RecordingLevel;
  /** CURVE keys; absent only for plaintext runs (the node benchmark's "CURVE off" phase). */
  security?: NodeSecurity;
}
