/**
 * The lab's live picture of a cluster, folded from telemetry and process events: what
 * the renderer's cards show and what faults like "isolate the leader" act on.
 */
import type { NodeId, Role } from '../raft/types';
import type { NodeView } from '../contract/labApi';
import type { ProcessState, RunEvent } from '../contract/runEvents';

export class ClusterState {
  private readonly views = new Map<NodeId, NodeView>();

  add(id: NodeId, voter: boolean): void {
    this.views.set(id, {
      id,
      process: 'starting',
      pid: null,
      role: 'follower',
      term: 0,
      leader: null,
      commit: 0,
      applied: 0,
      lastIndex: 0,
      voter,
    });
  }

  remove(id: NodeId): void {
    this.views.delete(id);
  }

  has(id: NodeId): boolean {
    return this.views.has(id);
  }

  get(id: NodeId): NodeView | undefined {
    return this.views.get(id);
  }

  ids(): NodeId[] {
    return [...this.views.keys()].sort((a, b) => a - b);
  }

  list(): NodeView[] {
    return this.ids().map((id) => ({ ...this.views.get(id)! }));
  }

  setVoters(voters: NodeId[]): void {
    for (const v of this.views.values()) v.voter = voters.includes(v.id);
  }

  /** Folds one event in; returns true when a node's view changed in a way worth pushing. */
  apply(ev: RunEvent): boolean {
    if (ev.node === null) return false;
    const v = this.views.get(ev.node);
    if (!v) return false;
    switch (ev.type) {
      case 'role':
        v.role = ev.role as Role;
        v.term = ev.term;
        v.leader = ev.leader;
        return true;
      case 'commit':
        v.commit = ev.index;
        return false;
      case 'metrics':
        v.role = ev.role;
        v.term = ev.term;
        v.leader = ev.leader;
        v.commit = ev.commit;
        v.applied = ev.applied;
        v.lastIndex = ev.lastIndex;
        return false;
      case 'config':
        v.voter = ev.config.voters.includes(v.id) || (ev.config.outgoing ?? []).includes(v.id);
        return true;
      case 'process':
        this.setProcess(v, ev.state, ev.pid);
        return true;
      default:
        return false;
    }
  }

  private setProcess(v: NodeView, state: ProcessState, pid: number | undefined): void {
    v.process = state;
    if (pid !== undefined) v.pid = pid;
    if (state === 'killed' || state === 'stopped' || state === 'crashed' || state === 'exited') {
      v.pid = null;
      // A dead process leads nothing; its last role is history, not state.
      v.role = 'follower';
      v.leader = null;
    }
  }

  /** The leader of the highest term among live nodes, if any node says it leads. */
  leader(): NodeId | null {
    let best: NodeView | null = null;
    for (const v of this.views.values()) {
      const live = v.process === 'started' || v.process === 'restarted' || v.process === 'resumed';
      if (live && v.role === 'leader' && (!best || v.term > best.term)) best = v;
    }
    return best?.id ?? null;
  }
}
