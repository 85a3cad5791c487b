/**
 * The configuration the lab hands a node process: one JSON line on the node's stdin
 * (`--config-stdin`), so the node's CURVE secret key is never on a command line nor on disk;
 * `--config <path>` still reads a file (tests, manual runs). Times are in milliseconds; the
 * node turns them into core ticks of `tickMs`.
 *
 * Declared once (docs/contracts.md). Fields the node does not know are ignored (stripped),
 * not refused, so a lab one version ahead can still start this node.
 */
import { LIMITS } from './limits';
import { RECORDING_LEVELS } from './recording';
import * as v from 'valibot';
import { arrayOf, bool, fullDecoder, intIn, literal, nodeId, numberIn, str, uint, type Decoded } from './schemaKit';

/** Z85 (ZeroMQ RFC 32) text of a 32-byte CURVE key: 40 characters of its alphabet. */
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;
const z85Key = v.pipe(v.string('expected a 40-character Z85 key'), v.regex(Z85_KEY, 'expected a 40-character Z85 key'));
const address = str(LIMITS.addressLength, 1);
const text = str(LIMITS.pathLength, 1);
const ms = numberIn(0, 24 * 3_600_000);

/**
 * A peer as the node first knows it. Its endpoints are absent while the lab does not know
 * them yet (tcp nodes bind a wildcard port and report the port in 'ready'; the lab tells
 * the others with `setPeer`, src/lab/cluster/peerDirectory.ts); until then messages for it
 * are dropped and counted (`unknownPeer`), which Raft tolerates (§5.3). Its key is always
 * known, so its connection is admitted the moment it arrives.
 */
export const PeerAddressesSchema = v.object({
  /** Where the peer's Raft socket is bound: tcp://HOST:PORT or ipc://PATH. */
  peerAddress: v.optional(address),
  /** Where the peer's key-value client socket is bound. */
  clientAddress: v.optional(address),
  /** The peer's CURVE public key (Z85): required when the config has `security`. */
  publicKey: v.optional(z85Key),
});
export type PeerAddresses = Decoded<typeof PeerAddressesSchema>;

/**
 * CURVE keys of a node (docs/security.md, "Keys and sockets"). A fresh pair per node per
 * run, made by the lab (src/lab/keys.ts). Without it every socket is plaintext.
 */
export const NodeSecuritySchema = v.object({
  /** This node's key pair (Z85). The secret travels only on the node's stdin. */
  publicKey: z85Key,
  secretKey: z85Key,
  /** The lab's public key: the server key of the control and telemetry sockets, and the only client the client socket admits. */
  labPublicKey: z85Key,
});
export type NodeSecurity = Decoded<typeof NodeSecuritySchema>;

export const NodeProcessConfigSchema = v.pipe(
  v.object({
    clusterId: str(LIMITS.shortTextLength, 1),
    id: nodeId,
    dataDir: text,
    /** This node's own endpoints (it binds them; tcp://HOST:* lets the kernel pick the port, reported in 'ready'). */
    peerAddress: address,
    clientAddress: address,
    /** Every other node it may talk to, by node id. */
    peers: v.pipe(
      v.record(v.pipe(v.string(), v.regex(/^[1-9]\d{0,15}$/, 'peers are keyed by node id')), PeerAddressesSchema),
      v.maxEntries(LIMITS.idsPerConfig, `more than ${LIMITS.idsPerConfig} peers`),
    ),
    /** The lab's control ROUTER and telemetry PULL endpoints (the node connects). */
    controlAddress: address,
    telemetryAddress: address,
    /** Voters to bootstrap with when the data directory is empty; [] for a node that joins later. */
    initialVoters: arrayOf(nodeId, LIMITS.idsPerConfig),
    tickMs: numberIn(1, 60_000),
    electionTimeoutMinMs: ms,
    electionTimeoutMaxMs: ms,
    heartbeatMs: ms,
    preVote: bool,
    checkQuorum: bool,
    fsync: literal('always', 'never'),
    /** Peers refuse larger AppendEntries before decoding them (FRAME_LIMITS in src/contract/codec.ts). */
    maxEntriesPerMsg: intIn(1, LIMITS.entriesPerMessage),
    maxBytesPerMsg: uint,
    maxInflight: uint,
    snapshotThreshold: uint,
    seed: uint,
    metricsIntervalMs: ms,
    /** Refuse frames larger than this many bytes. */
    maxFrameBytes: uint,
    /**
     * Cluster-wide emulated one-way delay on every peer message this node sends (on top of
     * link faults); absent: none. See docs/network-emulation.md.
     */
    /**
     * Where this node writes its flight-recorder journal (src/node/journal), and how much;
     * no journal when absent or 'off'.
     */
    journalDir: v.optional(str(LIMITS.pathLength)),
    recording: v.optional(v.picklist(RECORDING_LEVELS)),
    networkDelay: v.optional(v.strictObject({ delayMs: numberIn(0, LIMITS.networkDelayMs.max), jitterMs: numberIn(0, LIMITS.networkDelayMs.max) })),
    /** Slow motion at start (the setSpeed control command changes it later); absent: 1. */
    speed: v.optional(numberIn(LIMITS.speed.min, LIMITS.speed.max)),
    /** CURVE keys; absent only for plaintext runs (the node benchmark's "CURVE off" phase). */
    security: v.optional(NodeSecuritySchema),
  }),
  v.check(
    (c) => c.security === undefined || Object.values(c.peers).every((p) => p.publicKey !== undefined),
    (issue) => {
      const c = issue.input as { peers: Record<string, { publicKey?: string }> };
      const id = Object.keys(c.peers).find((k) => c.peers[k].publicKey === undefined);
      return `peers.${id}.publicKey must be a 40-character Z85 key (CURVE is on)`;
    },
  ),
);
export type NodeProcessConfig = Decoded<typeof NodeProcessConfigSchema>;

/** Every problem of a config at once (the node prints them and exits before binding anything). */
export const decodeNodeConfig = fullDecoder(NodeProcessConfigSchema);
