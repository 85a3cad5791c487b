/**
 * The mutable state of one Raft node (bottom layer, with the other primitives). Every action
 * and handler receives it explicitly; `RaftNode` (node.ts) owns one and is the only public face.
 *
 * Layers of src/raft, each importing only from the ones below it (lint: local/no-import-cycle):
 *   1. primitives: types, errors, limits, checksum, rng, log, inflights, quorum, membership,
 *      progress, readIndexQueue, config, state;
 *   2. message and append actions: send, appendReply, commit, logAppend, configEffects,
 *      transfer, readIndex, vote, appendEntries, installSnapshot, appendResponse, snapshot,
 *      propose, membershipChange;
 *   3. role transitions: roles, campaign;
 *   4. per-role handlers: follower, candidate, leader, electionTick;
 *   5. node.ts: validates the input (validateInput), dispatches on the role, and runs the
 *      end-of-step reactions (reactions.ts) once.
 */
import { ConfigHistory } from './membership';
import { RaftLog } from './log';
import { ProgressTracker } from './progress';
import { ReadIndexQueue } from './readIndexQueue';
import type { Progress } from './progress';
import type { SeededRng } from './rng';
import { newRefusalCounts } from './errors';
import type {
  Counters,
  Message,
  NodeId,
  Outputs,
  RaftConfig,
  RaftError,
  RaftEvent,
  RequestId,
  Result,
  Role,
  Snapshot,
} from './types';

export function newOutputs(): Outputs {
  return { entries: [], messages: [], committed: [], results: [], events: [] };
}

export class RaftState {
  readonly id: NodeId;
  readonly cfg: RaftConfig;
  readonly rng: SeededRng;

  // Persistent state (Figure 2).
  term = 0;
  vote: NodeId = 0;
  readonly log = new RaftLog();
  configs: ConfigHistory;
  /** Latest snapshot, kept whole to send to lagging followers (§7). */
  snapshot: Snapshot | null = null;

  // Volatile state.
  role: Role = 'follower';
  /** A candidate still in its pre-election (thesis §9.6): term not yet incremented. */
  preCandidate = false;
  leader: NodeId | null = null;
  commit = 0;
  /** Highest index handed out in `Outputs.committed` (or restored by a snapshot). */
  applied = 0;
  /** Highest index the caller acknowledged as durable: the leader's own match (§5.3). */
  persistedIndex = 0;

  // Timers, in ticks.
  electionElapsed = 0;
  randomizedElectionTimeout = 0;
  heartbeatElapsed = 0;
  leaderContactElapsed = 0;

  // Candidate.
  readonly votes = new Map<NodeId, boolean>();

  // Leader.
  readonly tracker: ProgressTracker;
  /** Heartbeat round counter, echoed by followers to confirm leadership for reads (§8). */
  heartbeatSeq = 0;
  readonly reads = new ReadIndexQueue();
  transferTarget: NodeId | null = null;
  transferElapsed = 0;

  /** A snapshotWanted is outstanding (asked once until answered). */
  snapshotRequested = false;
  /** The leader's configuration changed this step: quorums must be re-evaluated at its end. */
  configDirty = false;

  /** The leader advanced its commit index this step: the commit reactions are due (reactions.ts). */
  commitAdvanced = false;
  /**
   * The follower whose AppendEntries acknowledgement this step handled, followed up at its end
   * (transfer finished, pipeline refilled: reactions.ts). Plain fields, not an object: this is
   * the replication hot path.
   */
  ackPeer: NodeId = 0;
  ackProgress: Progress | null = null;
  /** That acknowledgement raised match (or confirmed it in probe state). */
  ackProgressed = false;
  /** Stamps every AppendEntries this node sends as leader; the reply echoes it (stale rejections, §5.3). */
  appendSeq = 0;
  /** CRC-32 of `snapshot.data`, computed once per snapshot (`checksumFor` is the snapshot it belongs to). */
  snapshotChecksum = 0;
  snapshotChecksumFor: Snapshot | null = null;

  readonly counters: Counters = {
    electionsStarted: 0,
    electionsWon: 0,
    votesGranted: 0,
    heartbeatsSent: 0,
    heartbeatsReceived: 0,
    stateChanges: 0,
    ticksSinceLeaderContact: 0,
    refused: newRefusalCounts(),
  };

  /** Outputs of the step in progress. */
  out: Outputs = newOutputs();

  // What the caller last persisted/heard, to emit only changes.
  emittedTerm = 0;
  emittedVote: NodeId = 0;
  emittedCommit = 0;
  emittedRole: Role = 'follower';
  emittedLeader: NodeId | null = null;
  emittedRoleTerm = 0;
  emittedPreCandidate = false;

  constructor(cfg: RaftConfig, rng: SeededRng) {
    this.id = cfg.id;
    this.cfg = cfg;
    this.rng = rng;
    this.configs = new ConfigHistory(cfg.id, { voters: cfg.initialVoters }, 0);
    this.tracker = new ProgressTracker(cfg.id, cfg.maxInflight);
  }

  /**
   * Can this node start elections? Only voters of its latest configuration (§6); never a
   * learner (thesis §4.2.1: it has not caught up, so it must not disrupt the cluster).
   */
  promotable(): boolean {
    return this.configs.current.voting.includes(this.id);
  }

  send(m: Message): void {
    this.out.messages.push(m);
  }

  emit(e: RaftEvent): void {
    this.out.events.push(e);
  }

  result(r: Result): void {
    this.out.results.push(r);
  }

  fail(id: RequestId, request: 'propose' | 'read' | 'admin', error: RaftError): void {
    this.out.results.push({ type: 'error', id, request, error });
  }

  resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.randomizedElectionTimeout = this.rng.nextInt(this.cfg.electionTicksMin, this.cfg.electionTicksMax);
  }
}
