/**
 * The mutable state of one Raft node, shared by the handler modules (election, replication,
 * snapshot, membership, transfer, readIndex). `RaftNode` owns one and is the only public face;
 * handlers receive it explicitly, so each concern stays in its own file.
 */
import { ConfigHistory } from './membership';
import { RaftLog } from './log';
import { ProgressTracker } from './progress';
import { ReadIndexQueue } from './readIndexQueue';
import type { SeededRng } from './rng';
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

/** Handles a message for the current role (etcd's `r.step`). */
export type RoleStep = (s: RaftState, m: Message) => void;
/** Advances the current role's timers by one tick (etcd's `r.tick`). */
export type RoleTick = (s: RaftState) => void;

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

  stepRole: RoleStep;
  tickRole: RoleTick;

  readonly counters: Counters = {
    electionsStarted: 0,
    electionsWon: 0,
    votesGranted: 0,
    heartbeatsSent: 0,
    heartbeatsReceived: 0,
    stateChanges: 0,
    ticksSinceLeaderContact: 0,
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

  constructor(cfg: RaftConfig, rng: SeededRng, stepRole: RoleStep, tickRole: RoleTick) {
    this.id = cfg.id;
    this.cfg = cfg;
    this.rng = rng;
    this.configs = new ConfigHistory(cfg.id, { voters: cfg.initialVoters }, 0);
    this.tracker = new ProgressTracker(cfg.id, cfg.maxInflight);
    this.stepRole = stepRole;
    this.tickRole = tickRole;
  }

  /** Can this node start elections? Only voters of its latest configuration (§6). */
  promotable(): boolean {
    return this.configs.current.members.includes(this.id);
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
