/**
 * The whole inner state of one core (`RaftNode`) at one step, as plain data: what the
 * `raftlab replay` command prints and what a log view or time slider (issue 10 part 3)
 * draws. docs/formats.md ("replay state") documents every field.
 *
 * WHY it reaches inside RaftNode: `RaftNode.status()` is the display summary and leaves out
 * timers, votes, the read queue and per-follower windows. Replay needs all of it, read
 * only, and src/raft has no inspection API yet; this one accessor is the single place that
 * depends on RaftState's field names (src/raft/state.ts), and the replay unit test breaks if
 * they change.
 */
import type { RaftNode } from '../raft';
import type { RaftState } from '../raft/state';
import type { ClusterConfig, EntryKind, NodeId, PeerProgress, Role } from '../raft/types';

export interface LogEntryView {
  index: number;
  term: number;
  kind: EntryKind;
  /** Bytes of the entry's command. */
  size: number;
}

export interface FollowerView extends PeerProgress {
  /** Highest heartbeat round it acknowledged (ReadIndex, §8). */
  ackedSeq: number;
}

export interface CoreStateView {
  node: NodeId;
  incarnation: number;
  /** Step number within the incarnation (0: just recovered, before any step). */
  step: number;
  /** Step number across the node's whole journal. */
  globalStep: number;
  /** Shared-clock time of that step (ms since the epoch). */
  t: number;
  role: Role;
  preCandidate: boolean;
  term: number;
  vote: NodeId;
  leader: NodeId | null;
  commit: number;
  applied: number;
  /** The leader's own durable index (§5.3). */
  persistedIndex: number;
  log: { snapshotIndex: number; snapshotTerm: number; lastIndex: number; lastTerm: number; entries: LogEntryView[] };
  config: ClusterConfig;
  configIndex: number;
  timers: { electionElapsed: number; electionTimeout: number; heartbeatElapsed: number; heartbeatTimeout: number; leaderContactElapsed: number };
  /** A candidate's votes so far (id: granted). */
  votes: Record<string, boolean>;
  /** A leader's view of each follower (§5.3, Figure 2: nextIndex, matchIndex; the in-flight window). */
  followers: Record<string, FollowerView>;
  reads: { pending: number; heartbeatSeq: number };
  transfer: { target: NodeId | null; elapsed: number };
}

/** The core's state object (read only). */
function stateOf(node: RaftNode): RaftState {
  return (node as unknown as { s: RaftState }).s;
}

export function viewCore(node: RaftNode, at: { incarnation: number; step: number; globalStep: number; t: number }): CoreStateView {
  const s = stateOf(node);
  const entries: LogEntryView[] = [];
  for (const e of s.log.slice(s.log.firstIndex(), s.log.lastIndex() + 1)) entries.push({ index: e.index, term: e.term, kind: e.kind, size: e.data.byteLength });
  const followers: Record<string, FollowerView> = {};
  if (s.role === 'leader') for (const [id, p] of s.tracker.peers) followers[id] = { ...p.toPeerProgress(), ackedSeq: p.ackedSeq };
  const votes: Record<string, boolean> = {};
  for (const [id, granted] of s.votes) votes[id] = granted;
  const current = s.configs.current;
  return {
    node: s.id,
    ...at,
    role: s.role,
    preCandidate: s.preCandidate,
    term: s.term,
    vote: s.vote,
    leader: s.leader,
    commit: s.commit,
    applied: s.applied,
    persistedIndex: s.persistedIndex,
    log: { snapshotIndex: s.log.snapshotIndex, snapshotTerm: s.log.snapshotTerm, lastIndex: s.log.lastIndex(), lastTerm: s.log.lastTerm(), entries },
    config: { voters: [...current.config.voters], ...(current.config.outgoing?.length ? { outgoing: [...current.config.outgoing] } : {}) },
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
