/**
 * The vocabulary of the pure Raft core: inputs the caller hands to `RaftNode.step`,
 * the messages nodes exchange, and the `Outputs` the caller must carry out.
 *
 * Section numbers (§) refer to Ongaro & Ousterhout, "In Search of an Understandable
 * Consensus Algorithm" (extended version); "thesis §" refers to Ongaro's PhD thesis,
 * "Consensus: Bridging Theory and Practice".
 *
 * This module and everything under src/raft is pure: no clocks, timers, sockets, files,
 * Node or DOM imports, and no global random source. Time is a logical tick; randomness comes from
 * the seeded RNG in `RaftConfig.seed`.
 */

/** Node ids are small positive integers (the lab labels them "Node 1", "Node 2", ...). */
export type NodeId = number;

export type Role = 'follower' | 'candidate' | 'leader';

/** Persistent state that must survive a crash before the node answers anyone (Figure 2). */
export interface HardState {
  term: number;
  /** Candidate voted for in `term`, or 0 for none. */
  vote: NodeId;
  /** Highest index known committed. Persisted lazily (it can be recomputed), as in etcd. */
  commit: number;
}

/**
 * Cluster membership (§6). A single configuration has `voters` only; during joint
 * consensus (C_old,new) `outgoing` holds C_old and every decision needs a majority of
 * both `voters` and `outgoing`. `learners` (thesis §4.2.1) receive the log but never vote
 * and never count in any quorum; they are disjoint from `voters` and `outgoing`.
 */
export interface ClusterConfig {
  voters: NodeId[];
  /** C_old while in joint consensus; absent or empty otherwise. */
  outgoing?: NodeId[];
  /** Non-voting members catching up (thesis §4.2.1); absent or empty when there are none. */
  learners?: NodeId[];
}

export type EntryKind = 'command' | 'noop' | 'config';

export interface Entry {
  index: number;
  term: number;
  kind: EntryKind;
  /** Opaque command bytes for 'command'; empty for 'noop' and 'config'. */
  data: Uint8Array;
  /** The configuration this entry installs, for kind 'config'. */
  config?: ClusterConfig;
}

export interface SnapshotMeta {
  /** Last log index the snapshot covers. */
  index: number;
  /** Term of the entry at `index`. */
  term: number;
  /** Latest configuration as of `index` (§7). */
  config: ClusterConfig;
}

export interface Snapshot {
  meta: SnapshotMeta;
  /** The state machine's serialized state at `meta.index`; opaque to the core. */
  data: Uint8Array;
}

// ---------------------------------------------------------------------------
// Messages between nodes
// ---------------------------------------------------------------------------

interface MessageBase {
  from: NodeId;
  to: NodeId;
  term: number;
}

/** RequestVote RPC (§5.2), also the PreVote probe (thesis §9.6) when `preVote` is set. */
export interface VoteRequest extends MessageBase {
  type: 'vote';
  lastLogIndex: number;
  lastLogTerm: number;
  preVote: boolean;
  /** Set when the election was triggered by TimeoutNow: voters ignore their leader lease (thesis §3.10). */
  transfer: boolean;
}

export interface VoteResponse extends MessageBase {
  type: 'voteResp';
  granted: boolean;
  preVote: boolean;
}

/** AppendEntries RPC (§5.3). */
export interface AppendRequest extends MessageBase {
  type: 'append';
  prevIndex: number;
  prevTerm: number;
  entries: Entry[];
  commit: number;
  /**
   * The leader's send counter, echoed in the reply, so the leader can tell a rejection of
   * a message sent before an acknowledgement (stale, e.g. duplicated by the network) from
   * one sent after it (the follower really lost acknowledged entries). Absent counts as 0.
   */
  seq?: number;
}

/**
 * AppendEntries reply. On success `matchIndex` is the last index known to match the leader.
 * On rejection, `rejectIndex` is the prevIndex that failed and the hint lets the leader skip
 * a whole term at once (§5.3, "the follower can include the term of the conflicting entry
 * and the first index it stores for that term").
 */
export interface AppendResponse extends MessageBase {
  type: 'appendResp';
  success: boolean;
  matchIndex: number;
  rejectIndex: number;
  /** Term of the follower's entry at rejectIndex, or 0 when its log is shorter. */
  hintTerm: number;
  /** First index of hintTerm in the follower's log, or its lastIndex + 1 when the log is shorter. */
  hintIndex: number;
  /** The `seq` of the AppendEntries answered (0 for replies to heartbeats, snapshots, stale terms). */
  seq: number;
}

/**
 * Leader heartbeat. `commit` is min(leader commit, follower match) so a follower never
 * learns a commit index beyond what it is known to hold. `seq` confirms leadership for
 * ReadIndex (§8): the reply echoes it.
 */
export interface Heartbeat extends MessageBase {
  type: 'heartbeat';
  commit: number;
  seq: number;
}

export interface HeartbeatResponse extends MessageBase {
  type: 'heartbeatResp';
  seq: number;
}

/** InstallSnapshot RPC (§7), sent whole (no chunking). */
export interface SnapshotRequest extends MessageBase {
  type: 'snapshot';
  snapshot: Snapshot;
  /**
   * CRC-32 (IEEE) of `snapshot.data` (checksum.ts), verified BEFORE the snapshot is handed
   * out to persist: a corrupted snapshot persisted would fail every restart.
   */
  checksum: number;
}

/** Leadership transfer: the target starts an election at once (thesis §3.10). */
export interface TimeoutNow extends MessageBase {
  type: 'timeoutNow';
}

export type Message =
  | VoteRequest
  | VoteResponse
  | AppendRequest
  | AppendResponse
  | Heartbeat
  | HeartbeatResponse
  | SnapshotRequest
  | TimeoutNow;

export type MessageType = Message['type'];

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/** Identifies a caller's request so its result can be matched in `Outputs.results`. */
export type RequestId = number;

export type AdminRequest =
  /** Hand leadership to `to` (thesis §3.10). */
  | { type: 'transferLeader'; to: NodeId }
  /**
   * Move to a new voter set through joint consensus (§6), and to a new learner set (thesis
   * §4.2.1; `learners` absent keeps the current learners that do not become voters). A change
   * of learners only is one entry: learners count in no quorum, so no joint step is needed.
   */
  | { type: 'changeMembership'; voters: NodeId[]; learners?: NodeId[] }
  /** Ask the caller for a snapshot now, whatever the threshold. */
  | { type: 'snapshot' };

export type Input =
  /** One logical clock tick. */
  | { type: 'tick' }
  /** A message from another node. */
  | { type: 'message'; message: Message }
  /** Client commands to append to the log; on a follower this fails with not_leader. */
  | { type: 'propose'; id: RequestId; commands: Uint8Array[] }
  /** A linearizable read (§8, ReadIndex); answered with a `read` result once safe. */
  | { type: 'read'; id: RequestId }
  | { type: 'admin'; id: RequestId; request: AdminRequest }
  /**
   * Storage acknowledgement: log entries up to `index` (of `term`) are durable. An ack whose
   * (index, term) no longer matches the log (the entries were since overwritten) is ignored.
   */
  | { type: 'persisted'; index: number; term: number }
  /** The caller serialized the state machine at `index` in answer to `snapshotWanted`. */
  | { type: 'snapshotTaken'; index: number; data: Uint8Array };

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

export type RaftError =
  | { code: 'not_leader'; leader: NodeId | null }
  | { code: 'transfer_in_progress'; leader: NodeId | null }
  | { code: 'config_change_in_progress'; leader: NodeId | null }
  | { code: 'invalid_request'; message: string }
  /** Leadership was lost before a read could be confirmed. */
  | { code: 'leadership_lost'; leader: NodeId | null };

export type Result =
  /** Proposal appended to the leader's log at [firstIndex, lastIndex] in `term`; not yet committed. */
  | { type: 'proposed'; id: RequestId; term: number; firstIndex: number; lastIndex: number }
  /** A read may be served once the state machine has applied `index` (§8). */
  | { type: 'read'; id: RequestId; index: number }
  /** Admin request accepted and started; completion is visible through events. */
  | { type: 'admin'; id: RequestId }
  | { type: 'error'; id: RequestId; request: 'propose' | 'read' | 'admin'; error: RaftError };

/** Things worth telling the lab about; the core never acts on them itself. */
export type RaftEvent =
  /**
   * Role, term or known leader changed. `preCandidate` marks a candidate still in its
   * pre-election (thesis §9.6, term not yet incremented); a change of it alone is a new event.
   */
  | { type: 'role'; role: Role; preCandidate: boolean; term: number; leader: NodeId | null }
  | { type: 'electionStarted'; term: number; preVote: boolean; transfer: boolean }
  | { type: 'electionWon'; term: number }
  | { type: 'electionLost'; term: number; reason: string }
  | { type: 'voteGranted'; to: NodeId; term: number; preVote: boolean }
  | { type: 'voteRefused'; to: NodeId; term: number; preVote: boolean; reason: string }
  | { type: 'commit'; index: number }
  | { type: 'config'; config: ClusterConfig; index: number }
  | { type: 'snapshotInstalled'; index: number; term: number }
  | { type: 'compacted'; index: number }
  | { type: 'transferStarted'; to: NodeId }
  | { type: 'transferAborted'; to: NodeId; reason: string }
  /** CheckQuorum (thesis §6.2): a leader that did not hear from a quorum steps down. */
  | { type: 'quorumLost'; term: number };

/**
 * What one `step` asks the caller to do.
 *
 * THE OUTPUTS ARE CARRIED OUT IN THIS ORDER, AND ONLY BY `carryOut` IN execute.ts: every
 * driver (node runtime, simulator, unit tests, bench) hands it a sink, so this rule is
 * executable and the simulator's crash points test the order production runs.
 *   0. REPLICATE: WHEN THE STEP'S ONLY WRITE IS NEW `entries` (no snapshot, no truncation,
 *      no hard state), its `append` and `heartbeat` messages are sent FIRST, while the
 *      entries are being written: a leader replicates in parallel with its own disk write
 *      (thesis §10.2.1; etcd does the same). This is safe because the term and vote those
 *      messages carry were made durable by an earlier step (a step that changes them writes
 *      a hard state and so never sends early), and because the leader counts itself in the
 *      commit quorum only at ACKNOWLEDGE, after its own barrier. Followers still persist
 *      before acknowledging, and votes and terms still persist before any reply (rule 1).
 *   1. PERSIST, each a durable write of its own, in this order: `snapshot`, then the log
 *      change (`truncateFrom`, then `entries`), then `hardState`; then a barrier (`sync`).
 *      ALL OF IT MUST BE DURABLE (per the fsync policy) BEFORE ANY OTHER MESSAGE OF THIS STEP
 *      IS SENT: a vote or an acknowledgement that outruns its own persistence breaks Election
 *      Safety and commitment after a crash (§5.1, §5.2, §5.3; etcd's `Ready`). THE HARD
 *      STATE GOES LAST: its `commit` may cover this step's entries, and written first it
 *      could make stale entries look committed after a crash between the writes. A crash
 *      can leave any prefix of these writes; `RaftNode` recovers from every one of them
 *      (see `restore` in node.ts for entries newer than the saved term).
 *      Then restore the state machine from `snapshot`.
 *   2. ACKNOWLEDGE: once `entries` are durable, feed back `{type:'persisted', index, term}`
 *      of the last one, as a later input (a leader counts itself in the commit quorum only then).
 *   3. SEND the rest of `messages`.
 *   4. APPLY `committed` to the state machine in order (they are durable on a quorum).
 *   5. Serve `results`; persist `snapshotTaken`; then `compactTo` (it may be carried out any
 *      time after the snapshot it follows, `snapshot` or `snapshotTaken`, is durable);
 *      answer `snapshotWanted`; tell `events`.
 * docs/architecture.md ("The ordering contract") explains each effect and what recovery
 * guarantees for a crash between any two of them.
 */
export interface Outputs {
  /**
   * A snapshot received from the leader to persist and restore the state machine from.
   * It supersedes every entry up to `snapshot.meta.index` (`compactTo` is set to it); when
   * the rest of the log conflicts, `truncateFrom` (= meta.index + 1) drops that too.
   */
  snapshot?: Snapshot;
  /** Delete every log entry with index >= truncateFrom before appending `entries`. */
  truncateFrom?: number;
  /** New log entries to append durably. */
  entries: Entry[];
  /** New hard state to persist, when it changed. */
  hardState?: HardState;
  messages: Message[];
  /** Newly committed entries to apply, in index order. */
  committed: Entry[];
  results: Result[];
  /**
   * The snapshot the caller handed in with a `snapshotTaken` input, completed with its term
   * and configuration (§7). Persist it (it is what a restart needs in
   * `PersistedState.snapshot`) before carrying out `compactTo`; no state machine restore.
   */
  snapshotTaken?: Snapshot;
  /** The log may be discarded up to and including this index (a snapshot covers it). */
  compactTo?: number;
  /** The core would like a snapshot of the state machine at `index` (its applied index). */
  snapshotWanted?: number;
  events: RaftEvent[];
}

export interface RaftConfig {
  id: NodeId;
  /** Voters to bootstrap with when storage is empty. A joining node passes []. */
  initialVoters: NodeId[];
  /** Election timeout is drawn uniformly from [electionTicksMin, electionTicksMax) (§5.2). */
  electionTicksMin: number;
  electionTicksMax: number;
  heartbeatTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  /** Batching: at most this many entries and (roughly) bytes per AppendEntries. */
  maxEntriesPerMsg: number;
  maxBytesPerMsg: number;
  /** Pipelining: at most this many AppendEntries in flight per follower. */
  maxInflight: number;
  /** Ask for a snapshot once this many applied entries follow the last one; 0 disables. */
  snapshotThreshold: number;
  /** Seed of the core's RNG (election timeouts). */
  seed: number;
}

/** What a node recovers from storage when it (re)starts. */
export interface PersistedState {
  hardState: HardState;
  snapshot?: Snapshot;
  /** Log entries after the snapshot, contiguous, in index order. */
  entries: Entry[];
}

export interface PeerProgress {
  match: number;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot';
  inflight: number;
  recentActive: boolean;
}

export interface Status {
  id: NodeId;
  role: Role;
  /** A 'candidate' still in its pre-election (thesis §9.6): its term is not yet incremented. */
  preCandidate?: boolean;
  term: number;
  vote: NodeId;
  leader: NodeId | null;
  commit: number;
  /** Highest index handed out in `committed` (the caller applies in order). */
  applied: number;
  lastIndex: number;
  lastTerm: number;
  snapshotIndex: number;
  config: ClusterConfig;
  /** Per-member replication progress (the leader's own entry: match = its durable index); leaders only. */
  progress: Record<NodeId, PeerProgress>;
  transferTarget: NodeId | null;
}

/** Counters a lab wants per node (seed 000's NodeMetrics). */
export interface Counters {
  /** Real elections (each increments the term); pre-elections show only as `electionStarted` events. */
  electionsStarted: number;
  electionsWon: number;
  votesGranted: number;
  heartbeatsSent: number;
  heartbeatsReceived: number;
  stateChanges: number;
  /** Ticks since this node last heard from a current leader (0 for the leader itself). */
  ticksSinceLeaderContact: number;
  /** Inputs refused (thrown as `RaftInputError` or ignored), per reason; see errors.ts. */
  refused: Record<RefusalReason, number>;
}

/** Why the core refused an input (meanings in errors.ts `REFUSAL_REASONS`). */
export type RefusalReason =
  | 'malformed'
  | 'term_out_of_range'
  | 'unknown_sender'
  | 'entries_not_contiguous'
  | 'entry_term_invalid'
  | 'config_entry_invalid'
  | 'conflicts_committed'
  | 'snapshot_invalid'
  | 'snapshot_checksum'
  | 'timeout_now_not_from_leader'
  | 'caller_contract';

/** One log entry as `RaftNode.inspect()` shows it: no command bytes, only their size. */
export interface InspectedEntry {
  index: number;
  term: number;
  kind: EntryKind;
  /** Bytes of the entry's command. */
  size: number;
}

/** A leader's view of one follower (§5.3, Figure 2: nextIndex, matchIndex; the in-flight window). */
export interface InspectedFollower extends PeerProgress {
  /** Highest heartbeat round it acknowledged (ReadIndex, §8). */
  ackedSeq: number;
}

/**
 * The whole inner state of the core as plain data (`RaftNode.inspect()`): what replay shows
 * of a node at a step (issue 10 part 2). Fresh objects and arrays, safe to keep.
 */
export interface Inspection {
  id: NodeId;
  role: Role;
  preCandidate: boolean;
  term: number;
  vote: NodeId;
  leader: NodeId | null;
  commit: number;
  applied: number;
  /** The caller's acknowledged durable index: the leader's own match (§5.3). */
  persistedIndex: number;
  log: { snapshotIndex: number; snapshotTerm: number; lastIndex: number; lastTerm: number; entries: InspectedEntry[] };
  config: ClusterConfig;
  /** Log index of the configuration in force (thesis §4.1: the latest one in the log). */
  configIndex: number;
  /** In ticks. `electionTimeout` is this term's randomized timeout (§5.2). */
  timers: { electionElapsed: number; electionTimeout: number; heartbeatElapsed: number; heartbeatTimeout: number; leaderContactElapsed: number };
  /** A candidate's votes so far (id: granted). */
  votes: Record<string, boolean>;
  /** Empty unless leader. */
  followers: Record<string, InspectedFollower>;
  reads: { pending: number; heartbeatSeq: number };
  transfer: { target: NodeId | null; elapsed: number };
}
