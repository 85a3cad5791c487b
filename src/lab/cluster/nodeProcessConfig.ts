/**
 * The config a node process starts with (src/contract/nodeConfig.ts), made from the
 * cluster's options, the node's addresses and the run's sockets and keys.
 */
import { join } from 'node:path';
import type { NodeId } from '../../raft/types';
import { effectiveTickMs, type ClusterOptions } from '../../contract/clusterOptions';
import type { NodeProcessConfig } from '../../contract/nodeConfig';
import type { LabSockets } from '../sockets/labSockets';

/** Entries per AppendEntries when the options do not say (ClusterOptions.maxEntriesPerMsg). */
export const DEFAULT_MAX_ENTRIES_PER_MSG = 256;

/**
 * Where a node listens: peers push to its peer address, the workload talks to its client
 * address. As a bind endpoint it may carry a wildcard port (`tcp://HOST:*`); as a node's
 * reported endpoint (PeerDirectory) it is the real one.
 */
export interface NodeAddresses {
  peerAddress: string;
  clientAddress: string;
}

/** What the fleet knows when it configures a node. */
export interface NodeConfigInputs {
  options: ClusterOptions;
  clusterId: string;
  /** The cluster's data directory; each node gets `node-<id>` inside it. */
  dataDir: string;
  /** The run folder; each node's flight-recorder journal goes in `journal/node-<id>` there. */
  runDir: string;
  /** Every member's bind endpoints, this one's included (the members are its keys). */
  addresses: ReadonlyMap<NodeId, NodeAddresses>;
  /** The members' real endpoints, where known (reported in 'ready'; peerDirectory.ts). */
  known: (id: NodeId) => NodeAddresses | undefined;
  sockets: LabSockets;
  /** The cluster's slow-motion speed now (1: real time). */
  speed: () => number;
}

/** The config of node `id`, bootstrapped with `initialVoters` (ignored once its storage holds state). */
export function nodeProcessConfig(inputs: NodeConfigInputs, id: NodeId, initialVoters: NodeId[]): NodeProcessConfig {
  const { options: o, addresses, sockets } = inputs;
  const own = addresses.get(id);
  if (!own) throw new Error(`internal: node ${id} has no addresses yet`);
  const peers: NodeProcessConfig['peers'] = {};
  // Every member, with its key; its endpoints only when known (the rest follow by setPeer).
  for (const pid of addresses.keys()) if (pid !== id) peers[String(pid)] = { ...inputs.known(pid), publicKey: sockets.publicKeyOf(pid) };
  return {
    clusterId: inputs.clusterId,
    id,
    dataDir: join(inputs.dataDir, `node-${id}`),
    // In the run folder, not the data directory: the journal is part of the run's record.
    journalDir: join(inputs.runDir, 'journal', `node-${id}`),
    recording: o.recording ?? 'full',
    peerAddress: own.peerAddress,
    clientAddress: own.clientAddress,
    peers,
    controlAddress: sockets.controlAddress,
    telemetryAddress: sockets.telemetryAddress,
    initialVoters,
    tickMs: effectiveTickMs(o),
    electionTimeoutMinMs: o.electionTimeoutMinMs,
    electionTimeoutMaxMs: o.electionTimeoutMaxMs,
    heartbeatMs: o.heartbeatMs,
    preVote: o.preVote,
    checkQuorum: o.checkQuorum,
    fsync: o.fsync,
    maxEntriesPerMsg: o.maxEntriesPerMsg ?? DEFAULT_MAX_ENTRIES_PER_MSG,
    maxBytesPerMsg: 1 << 20,
    maxInflight: 16,
    snapshotThreshold: o.snapshotThreshold,
    // The node mixes its id in again (src/raft/rng.ts rngForNode): this only has to differ per node.
    seed: (o.seed * 1000 + id) >>> 0,
    metricsIntervalMs: 100,
    maxFrameBytes: 16 << 20,
    ...(o.networkDelay && (o.networkDelay.delayMs > 0 || o.networkDelay.jitterMs > 0) ? { networkDelay: { ...o.networkDelay } } : {}),
    // The speed now, not the one the run started with: a node (re)started after a change runs at it from its first tick.
    ...(inputs.speed() !== 1 ? { speed: inputs.speed() } : {}),
    security: sockets.nodeSecurity(id),
  };
}
