/**
 * The one node-view fold: the latest known state of each node, folded from run events.
 * The lab (src/lab/clusterState.ts, whose views it pushes to every window) and the
 * renderer (renderer/src/model/runModel.ts, over the event stream or a recorded run) run
 * this same fold, so a card says the same thing whoever computed it.
 *
 * Consistency rules (issue: "leader commit 60 / last 59" was seen on a card):
 * - `commit`, `applied` and `lastIndex` are ONE group, taken together from one `metrics`
 *   sample, never mixed with a `commit` event that arrived after the sample: pairing a
 *   newer commit with an older last index shows commit above the last index, which no node
 *   ever had (§5.3: a follower's commitIndex is at most the index of its last new entry;
 *   a leader commits only entries it holds). A sample that itself reports commit above its
 *   last index is not a consistent snapshot: it is counted in `inconsistentSamples` and the
 *   previous group is kept. So `commit ≤ lastIndex` holds for every view, always.
 * - `role`, `preCandidate`, `term` and `leader` are one group too, from the latest 'role'
 *   or 'metrics' event. Metrics carry no pre-candidate flag: a metrics 'candidate' at the
 *   term of the last 'role' event keeps that event's flag (a pre-candidate does not raise
 *   its term, thesis §9.6; becoming a real candidate raises it and is a 'role' event).
 * - A process that is down (killed, stopped, crashed, exited) keeps its last reported role,
 *   term and indices as its last known state (views say "last known"), loses its pid, and
 *   is never the cluster's leader (`leader()` counts running processes only). A process
 *   (re)started comes back as a follower with no known leader (§5.2: every server starts as
 *   one); its term is durable (Figure 2), so it stays until the node reports another.
 */
import type { NodeId, Role } from '../raft/types';
import type { LaneState } from './legend';
import type { NodeView } from '../contract/labApi';
import type { ProcessState, RunEvent } from '../contract/runEvents';

/** A node's view as the fold keeps it: the lab API's NodeView plus what the views need. */
export interface NodeState extends NodeView {
  /** True while the node is a PreVote pre-candidate (role is then 'candidate'). */
  preCandidate: boolean;
  /** False once the node was removed from the cluster (a 'membership' remove event). */
  member: boolean;
  /** True once a 'role' or 'metrics' event told the role (before that it is the initial follower). */
  roleKnown: boolean;
  /** True once a metrics sample reported the indices (before that they are zeros). */
  indicesKnown: boolean;
}

/** What a node is shown as: its Raft role, with a pre-candidate told apart from a candidate. */
export type ShownRole = Role | 'preCandidate';

export function shownRole(v: Pick<NodeState, 'role' | 'preCandidate'>): ShownRole {
  return v.role === 'candidate' && v.preCandidate ? 'preCandidate' : v.role;
}

/**
 * What a node's lane and card show while its process runs: its shown role, with a following
 * learner (thesis §4.2.1: receives the log, does not vote) told apart from a voting follower.
 */
export function laneRole(v: Pick<NodeState, 'role' | 'preCandidate' | 'learner'>): LaneState {
  const role = shownRole(v);
  return role === 'follower' && v.learner === true ? 'learner' : role;
}

const DEAD: ReadonlySet<ProcessState> = new Set(['killed', 'stopped', 'crashed', 'exited']);
const RUNNING: ReadonlySet<ProcessState> = new Set(['started', 'restarted', 'resumed']);

export const isDeadProcess = (p: ProcessState): boolean => DEAD.has(p);
export const isRunningProcess = (p: ProcessState): boolean => RUNNING.has(p);

/** A node the fold has not heard from yet: starting, follower of term 0 (§5.2). */
export function initialNodeState(id: NodeId, voter = true): NodeState {
  return {
    id,
    process: 'starting',
    pid: null,
    role: 'follower',
    preCandidate: false,
    term: 0,
    leader: null,
    commit: 0,
    applied: 0,
    lastIndex: 0,
    voter,
    learner: false,
    member: true,
    roleKnown: false,
    indicesKnown: false,
  };
}

/** Which part of a node's view an event changed. */
export interface FoldChange {
  role: boolean;
  indices: boolean;
  process: boolean;
  membership: boolean;
}

const NO_CHANGE: FoldChange = Object.freeze({ role: false, indices: false, process: false, membership: false });

/** Applies a process state to a view (the process rules above). */
export function withProcess(v: NodeState, state: ProcessState, pid?: number): void {
  v.process = state;
  if (pid !== undefined) v.pid = pid;
  if (DEAD.has(state)) v.pid = null;
  if (state === 'started' || state === 'restarted') {
    v.role = 'follower';
    v.preCandidate = false;
    v.leader = null;
  }
}

export class NodeViewFold {
  private readonly views = new Map<NodeId, NodeState>();
  /** Metrics samples refused for reporting commit above their own last index. */
  inconsistentSamples = 0;

  constructor(
    /** Create a view for a node on its first event (the renderer), or only for nodes added first (the lab). */
    private readonly autoCreate: boolean,
  ) {}

  add(id: NodeId, voter: boolean): NodeState {
    const v = initialNodeState(id, voter);
    this.views.set(id, v);
    return v;
  }

  remove(id: NodeId): void {
    this.views.delete(id);
  }

  has(id: NodeId): boolean {
    return this.views.has(id);
  }

  get(id: NodeId): Readonly<NodeState> | undefined {
    return this.views.get(id);
  }

  ids(): NodeId[] {
    return [...this.views.keys()].sort((a, b) => a - b);
  }

  /** Copies of every view, by id. */
  list(): NodeState[] {
    return this.ids().map((id) => ({ ...this.views.get(id)! }));
  }

  setVoters(voters: readonly NodeId[]): void {
    for (const v of this.views.values()) v.voter = voters.includes(v.id);
  }

  clear(): void {
    this.views.clear();
    this.inconsistentSamples = 0;
  }

  /** The leader of the highest term among running nodes that say they lead, if any. */
  leader(): NodeId | null {
    let best: NodeState | null = null;
    for (const v of this.views.values()) {
      if (RUNNING.has(v.process) && v.role === 'leader' && (!best || v.term > best.term)) best = v;
    }
    return best?.id ?? null;
  }

  /** Folds one event in; says which part of a view it changed. */
  apply(ev: RunEvent): FoldChange {
    if (ev.type === 'membership') return this.membership(ev.action, ev.target, ev.voters, ev.learners ?? []);
    if (ev.node === null) return NO_CHANGE;
    const v = this.views.get(ev.node) ?? (this.autoCreate ? this.add(ev.node, true) : undefined);
    if (!v) return NO_CHANGE;
    switch (ev.type) {
      case 'role': {
        const pre = (ev as { preCandidate?: boolean }).preCandidate === true;
        return this.setRole(v, ev.role, ev.term, ev.leader, ev.role === 'candidate' && pre);
      }
      case 'metrics': {
        // A metrics 'candidate' keeps the role event's pre-candidate flag while the term stands.
        const pre = ev.role === 'candidate' && v.role === 'candidate' && v.preCandidate && v.term === ev.term;
        const role = this.setRole(v, ev.role, ev.term, ev.leader, pre);
        return { ...NO_CHANGE, role: role.role, indices: this.setIndices(v, ev.commit, ev.applied, ev.lastIndex) };
      }
      case 'config': {
        // Learners (thesis §4.2.1) are members that do not vote: neither voter nor removed.
        const learners = ev.config.learners ?? [];
        const voter = ev.config.voters.includes(v.id) || (ev.config.outgoing ?? []).includes(v.id);
        for (const other of this.views.values()) {
          if (other === v) continue;
          other.voter = ev.config.voters.includes(other.id) || (ev.config.outgoing ?? []).includes(other.id);
          other.learner = learners.includes(other.id);
        }
        v.voter = voter;
        v.learner = learners.includes(v.id);
        return { ...NO_CHANGE, membership: true };
      }
      case 'process':
        withProcess(v, ev.state, ev.pid);
        return { ...NO_CHANGE, process: true };
      default:
        return NO_CHANGE;
    }
  }

  private setRole(v: NodeState, role: Role, term: number, leader: NodeId | null, preCandidate: boolean): FoldChange {
    const changed = v.role !== role || v.term !== term || v.leader !== leader || v.preCandidate !== preCandidate;
    v.role = role;
    v.term = term;
    v.leader = leader;
    v.preCandidate = preCandidate;
    v.roleKnown = true;
    return { ...NO_CHANGE, role: changed };
  }

  private setIndices(v: NodeState, commit: number, applied: number, lastIndex: number): boolean {
    if (commit > lastIndex) {
      this.inconsistentSamples++;
      return false;
    }
    const changed = v.commit !== commit || v.applied !== applied || v.lastIndex !== lastIndex || !v.indicesKnown;
    v.commit = commit;
    v.applied = applied;
    v.lastIndex = lastIndex;
    v.indicesKnown = true;
    return changed;
  }

  private membership(action: 'add' | 'promote' | 'remove', target: NodeId, voters: readonly NodeId[], learners: readonly NodeId[]): FoldChange {
    let v = this.views.get(target);
    if (!v && action !== 'remove' && this.autoCreate) v = this.add(target, voters.includes(target));
    if (v) {
      v.member = action !== 'remove';
      v.voter = voters.includes(target);
      v.learner = action !== 'remove' && learners.includes(target);
    }
    return { ...NO_CHANGE, membership: v !== undefined };
  }
}

/**
 * A live card: one node's view as the lab pushed it, joined with the same node's view
 * from the renderer's own fold of the event stream. Both come from NodeViewFold over the
 * same events, on two channels that arrive at different moments, so each GROUP of fields
 * is taken whole from one side (never field by field, never "the higher term wins"):
 * process, pid and voter from the lab (it launches the processes and changes membership);
 * role, term and leader from the events once they told any, else the lab's; the indices
 * from the events once a metrics sample arrived, else the lab's.
 */
export function joinLiveView(lab: NodeView & Partial<NodeState>, events: Readonly<NodeState> | undefined): NodeState {
  const out: NodeState = {
    ...initialNodeState(lab.id, lab.voter),
    ...lab,
    preCandidate: lab.preCandidate === true,
    member: lab.member ?? true,
    roleKnown: lab.roleKnown === true,
    indicesKnown: lab.indicesKnown === true,
  };
  if (events?.roleKnown) {
    out.role = events.role;
    out.preCandidate = events.preCandidate;
    out.term = events.term;
    out.leader = events.leader;
    out.roleKnown = true;
  }
  if (events?.indicesKnown) {
    out.commit = events.commit;
    out.applied = events.applied;
    out.lastIndex = events.lastIndex;
    out.indicesKnown = true;
  }
  if (events && !events.member) out.member = false;
  return out;
}
