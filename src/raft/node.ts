/**
 * `RaftNode`: the pure, deterministic Raft state machine. Inputs go in through `step`, and
 * every effect comes back as `Outputs` for the caller to carry out (in the order documented
 * on `Outputs`). No clocks, I/O or global randomness: the same config, seed and inputs
 * always produce the same outputs.
 *
 * This is the top layer of src/raft (see state.ts for the layers): it validates the input
 * before anything changes (validateInput.ts), applies the term rules every message obeys,
 * dispatches on the role (etcd's `r.step` / `r.tick`, as a switch), and runs the end-of-step
 * reactions once (reactions.ts).
 */
import { rejectStaleLeader } from './appendReply';
import { stepCandidate } from './candidate';
import { advanceCommit } from './commit';
import { validateRaftConfig } from './config';
import { tickElection } from './electionTick';
import { RaftInputError } from './errors';
import { stepFollower } from './follower';
import { stepLeader, tickHeartbeat } from './leader';
import { copyConfig } from './membership';
import { handleChangeMembership } from './membershipChange';
import { handlePropose } from './propose';
import { runReactions } from './reactions';
import { handleRead } from './readIndex';
import { becomeFollower } from './roles';
import { rngForNode } from './rng';
import { handleAdminSnapshot, handleSnapshotTaken, maybeWantSnapshot } from './snapshot';
import { RaftState, newOutputs } from './state';
import { handleTransferLeader } from './transfer';
import { validateInput } from './validateInput';
import { handleVoteRequest, refuseVote } from './vote';
import type {
  AdminRequest,
  Counters,
  Input,
  InspectedEntry,
  InspectedFollower,
  Inspection,
  Message,
  Outputs,
  PeerProgress,
  PersistedState,
  RaftConfig,
  RequestId,
  Status,
} from './types';

export class RaftNode {
  private readonly s: RaftState;

  /**
   * @param config validated by `validateRaftConfig` (throws `RaftConfigError`).
   * @param persisted what storage recovered; omit (or pass an empty one) for a fresh node,
   *   which then bootstraps with `config.initialVoters`. Throws `RaftInputError` when it
   *   is inconsistent (entries not contiguous after the snapshot, etc.).
   */
  constructor(config: RaftConfig, persisted?: PersistedState) {
    validateRaftConfig(config);
    const cfg: RaftConfig = { ...config, initialVoters: [...config.initialVoters] };
    this.s = new RaftState(cfg, rngForNode(cfg.seed, cfg.id));
    const durable = persisted !== undefined ? restore(this.s, persisted) : undefined;
    const s = this.s;
    s.resetElectionTimer();
    // What storage holds, so a term and vote restore() had to adopt go out in the first step's hardState.
    s.emittedTerm = durable?.term ?? s.term;
    s.emittedVote = durable?.vote ?? s.vote;
    s.emittedCommit = s.commit;
    s.emittedRoleTerm = s.term;
  }

  /**
   * Feed one input and get back what to do about it. Input that breaks the contract in
   * types.ts, or that no correct peer sends, throws `RaftInputError` and leaves the node
   * unchanged; input a correct but out-of-date peer may send is ignored (empty outputs).
   * Both are counted in `counters().refused`.
   */
  step(input: Input): Outputs {
    const s = this.s;
    if (validateInput(s, input) === 'ignore') return newOutputs();
    const out = newOutputs();
    s.out = out;
    s.commitAdvanced = false;
    s.ackProgress = null;
    switch (input.type) {
      case 'tick':
        if (s.role === 'leader') tickHeartbeat(s);
        else tickElection(s);
        break;
      case 'message':
        stepMessage(s, input.message);
        break;
      case 'propose':
        handlePropose(s, input.id, input.commands);
        break;
      case 'read':
        handleRead(s, input.id);
        break;
      case 'admin':
        handleAdmin(s, input.id, input.request);
        break;
      case 'persisted':
        handlePersisted(s, input.index, input.term);
        break;
      case 'snapshotTaken':
        handleSnapshotTaken(s, input.index, input.data);
        break;
    }
    runReactions(s);
    finishStep(s);
    return out;
  }

  /** A snapshot of the node's state for display; safe to keep (copies, not live objects). */
  status(): Status {
    const s = this.s;
    const progress: Record<number, PeerProgress> = {};
    if (s.role === 'leader') {
      if (s.configs.current.members.includes(s.id)) {
        progress[s.id] = {
          match: s.persistedIndex,
          next: s.log.lastIndex() + 1,
          state: 'replicate',
          inflight: 0,
          recentActive: true,
        };
      }
      for (const [id, pr] of s.tracker.peers) progress[id] = pr.toPeerProgress();
    }
    return {
      id: s.id,
      role: s.role,
      preCandidate: s.preCandidate,
      term: s.term,
      vote: s.vote,
      leader: s.leader,
      commit: s.commit,
      applied: s.applied,
      lastIndex: s.log.lastIndex(),
      lastTerm: s.log.lastTerm(),
      snapshotIndex: s.log.snapshotIndex,
      config: copyConfig(s.configs.current.config),
      progress,
      transferTarget: s.transferTarget,
    };
  }

  /**
   * The whole inner state, read only, as plain data (fresh copies): timers, votes, the read
   * queue and each follower's window, which `status()` leaves out. Built only when asked
   * (replay, issue 10 part 2); `step` never calls it, so the hot path copies nothing.
   */
  inspect(): Inspection {
    const s = this.s;
    const entries: InspectedEntry[] = [];
    for (const e of s.log.slice(s.log.firstIndex(), s.log.lastIndex() + 1)) {
      entries.push({ index: e.index, term: e.term, kind: e.kind, size: e.data.byteLength });
    }
    const followers: Record<string, InspectedFollower> = {};
    if (s.role === 'leader') for (const [id, p] of s.tracker.peers) followers[id] = { ...p.toPeerProgress(), ackedSeq: p.ackedSeq };
    const votes: Record<string, boolean> = {};
    for (const [id, granted] of s.votes) votes[id] = granted;
    const current = s.configs.current;
    return {
      id: s.id,
      role: s.role,
      preCandidate: s.preCandidate,
      term: s.term,
      vote: s.vote,
      leader: s.leader,
      commit: s.commit,
      applied: s.applied,
      persistedIndex: s.persistedIndex,
      log: { snapshotIndex: s.log.snapshotIndex, snapshotTerm: s.log.snapshotTerm, lastIndex: s.log.lastIndex(), lastTerm: s.log.lastTerm(), entries },
      config: copyConfig(current.config),
      configIndex: current.index,
      timers: {
        electionElapsed: s.electionElapsed,
        electionTimeout: s.randomizedElectionTimeout,
        heartbeatElapsed: s.heartbeatElapsed,
        heartbeatTimeout: s.cfg.heartbeatTicks,
        leaderContactElapsed: s.leaderContactElapsed,
      },
      votes,
      followers,
      reads: { pending: s.reads.size, heartbeatSeq: s.heartbeatSeq },
      transfer: { target: s.transferTarget, elapsed: s.transferElapsed },
    };
  }

  /** The node's counters (copies), refusals per reason included. */
  counters(): Counters {
    const s = this.s;
    return {
      ...s.counters,
      refused: { ...s.counters.refused },
      ticksSinceLeaderContact: s.role === 'leader' ? 0 : s.leaderContactElapsed,
    };
  }
}

/**
 * Rebuild state from storage: snapshot, then the entries after it, then the hard state.
 * Returns the term and vote storage holds (which may differ from those adopted; see below).
 */
function restore(s: RaftState, p: PersistedState): { term: number; vote: number } {
  if (p === null || typeof p !== 'object' || !Array.isArray(p.entries) || p.hardState === undefined) {
    throw new RaftInputError('persisted state needs hardState and an entries array');
  }
  const hs = p.hardState;
  if (!Number.isSafeInteger(hs.term) || hs.term < 0 || !Number.isSafeInteger(hs.vote) || hs.vote < 0) {
    throw new RaftInputError(`persisted hardState is malformed (term ${String(hs.term)}, vote ${String(hs.vote)})`);
  }
  if (p.snapshot !== undefined) {
    const meta = p.snapshot.meta;
    s.log.reset(meta.index, meta.term);
    s.configs.reset(meta.config, meta.index);
    s.snapshot = p.snapshot;
    s.applied = meta.index;
  }
  let expected = s.log.lastIndex() + 1;
  for (const e of p.entries) {
    if (e.index <= s.log.snapshotIndex) continue; // storage may keep entries the snapshot covers
    if (e.index !== expected) {
      throw new RaftInputError(`persisted entries are not contiguous: entry ${e.index} where ${expected} was expected`);
    }
    if (e.term < s.log.lastTerm()) {
      throw new RaftInputError(`persisted entry ${e.index} has term ${e.term}, lower than the entry before it`);
    }
    s.log.append([e]);
    if (e.kind === 'config' && e.config !== undefined) s.configs.push(e.index, e.config);
    expected++;
  }
  s.term = hs.term;
  s.vote = hs.vote;
  if (hs.term < s.log.lastTerm()) {
    // A crash between the writes of one save (execute.ts writes the log, then the hard state):
    // a step that raised the term to T and appended entries of T in the same step (a follower
    // whose first message from a leader of T is AppendEntries or a snapshot; a single-voter
    // election) left entries of T beside a saved term below T. Refusing to start would brick
    // the node for good, so adopt T, with the vote set to ourselves so we cannot vote in T.
    // Safe because:
    // - §5.1: terms only grow. The log proves T began (only a leader of T makes entries of T,
    //   §5.3), and this node already acted in T (it accepted or made those entries).
    // - §5.2, at most one vote per term: the saved term is below T, so no hard state of T was
    //   ever durable, and a vote is sent only after its hard state is durable (types.ts,
    //   PERSIST before SEND). So this node never granted a vote in T, and recording one now
    //   cannot contradict a vote it gave. A vote for ourselves only makes us refuse every
    //   candidate of T; refusing a vote is always safe, and T has (had) its leader anyway.
    //   If this node was that leader (the single-voter case), it did vote for itself in T.
    // - The commit index stays the saved one: it was written with (or after) the entries it
    //   covers, never before them, so it never makes an entry this crash dropped look committed.
    // The adopted term and vote are persisted by the first step (see the constructor).
    s.term = s.log.lastTerm();
    s.vote = s.id;
  }
  s.commit = Math.max(s.log.snapshotIndex, Math.min(Number.isSafeInteger(hs.commit) ? hs.commit : 0, s.log.lastIndex()));
  s.persistedIndex = s.log.lastIndex();
  return { term: hs.term, vote: hs.vote };
}

/**
 * Rules for every message before the role sees it (§5.1, Figure 2 "all servers"):
 * a newer term makes us a follower of it; an older term is answered with ours so its sender
 * learns it is stale, or ignored.
 *
 * Exceptions: a pre-vote never changes anyone's term (thesis §9.6), and with CheckQuorum a
 * node that heard from its leader within the minimum election timeout ignores vote requests
 * (leader lease, thesis §4.2.3) unless they come from a leadership transfer.
 */
function stepMessage(s: RaftState, m: Message): void {
  if (m.term > s.term) {
    if (m.type === 'vote' && !m.transfer && s.cfg.checkQuorum && inLease(s)) {
      s.emit({ type: 'voteRefused', to: m.from, term: m.term, preVote: m.preVote, reason: 'leader_lease' });
      return;
    }
    const keepTerm = (m.type === 'vote' && m.preVote) || (m.type === 'voteResp' && m.preVote && m.granted);
    if (!keepTerm) {
      const fromLeader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
      becomeFollower(s, m.term, fromLeader ? m.from : null);
    }
  } else if (m.term < s.term) {
    answerStale(s, m);
    return;
  }
  if (m.type === 'vote') {
    handleVoteRequest(s, m);
    return;
  }
  switch (s.role) {
    case 'follower':
      stepFollower(s, m);
      return;
    case 'candidate':
      stepCandidate(s, m);
      return;
    case 'leader':
      stepLeader(s, m);
      return;
  }
}

/** Have we heard from a leader recently enough to trust it is alive? (we are one, or a follower of one) */
function inLease(s: RaftState): boolean {
  return s.leader !== null && (s.role === 'leader' || s.leaderContactElapsed < s.cfg.electionTicksMin);
}

/** Figure 2: "if term < currentTerm" reply false, carrying our term so the sender updates. */
function answerStale(s: RaftState, m: Message): void {
  switch (m.type) {
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      rejectStaleLeader(s, m.from);
      return;
    case 'vote':
      refuseVote(s, m, 'stale_term');
      return;
    default:
      return; // a late reply from an earlier term
  }
}

function handleAdmin(s: RaftState, id: RequestId, request: AdminRequest): void {
  switch (request?.type) {
    case 'transferLeader':
      handleTransferLeader(s, id, request.to);
      return;
    case 'changeMembership':
      handleChangeMembership(s, id, request.voters, request.learners);
      return;
    case 'snapshot':
      handleAdminSnapshot(s, id);
      return;
    default:
      s.fail(id, 'admin', { code: 'invalid_request', message: `unknown admin request ${String((request as { type?: unknown })?.type)}` });
  }
}

/** Storage acknowledged entries up to `index`: the leader may now count itself (§5.3). */
function handlePersisted(s: RaftState, index: number, term: number): void {
  if (index <= s.persistedIndex) return;
  // An acknowledgement for entries since overwritten by a newer leader is stale.
  if (!s.log.matchTerm(index, term)) return;
  s.persistedIndex = index;
  if (s.role === 'leader') advanceCommit(s);
}

/** Wrap up a step (after the reactions): hand out committed entries, hard state and a snapshot request. */
function finishStep(s: RaftState): void {
  const out = s.out;
  if (s.commit > s.applied) {
    out.committed = s.log.slice(s.applied + 1, s.commit + 1);
    s.applied = s.commit;
  }
  if (s.commit > s.emittedCommit) out.events.push({ type: 'commit', index: s.commit });
  if (s.term !== s.emittedTerm || s.vote !== s.emittedVote || s.commit !== s.emittedCommit) {
    out.hardState = { term: s.term, vote: s.vote, commit: s.commit };
    s.emittedTerm = s.term;
    s.emittedVote = s.vote;
    s.emittedCommit = s.commit;
  }
  maybeWantSnapshot(s);
}
