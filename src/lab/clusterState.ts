/**
 * The lab's live picture of a cluster: what every window's node cards show and what
 * faults like "isolate the leader" act on. The fold itself is src/analysis/nodeView.ts,
 * the same one the renderer runs over the event stream, so both tell the same story; this
 * keeps only the nodes the lab launched (telemetry from a node it no longer has is ignored)
 * and says which events are worth a state push.
 */
import type { NodeId } from '../raft/types';
import type { RunEvent } from '../contract/runEvents';
import { NodeViewFold, type NodeState } from '../analysis/nodeView';

export class ClusterState {
  private readonly fold = new NodeViewFold(false);

  add(id: NodeId, voter: boolean): void {
    this.fold.add(id, voter);
  }

  remove(id: NodeId): void {
    this.fold.remove(id);
  }

  has(id: NodeId): boolean {
    return this.fold.has(id);
  }

  get(id: NodeId): Readonly<NodeState> | undefined {
    return this.fold.get(id);
  }

  ids(): NodeId[] {
    return this.fold.ids();
  }

  list(): NodeState[] {
    return this.fold.list();
  }

  setVoters(voters: NodeId[]): void {
    this.fold.setVoters(voters);
  }

  /**
   * Folds one event in; returns true when a node's view changed in a way worth pushing:
   * role, process or membership. Index changes arrive every 100 ms with the metrics and
   * reach the windows with the event stream, so they alone do not trigger a push.
   */
  apply(ev: RunEvent): boolean {
    const c = this.fold.apply(ev);
    return c.role || c.process || c.membership;
  }

  /** The leader of the highest term among running nodes, if any node says it leads. */
  leader(): NodeId | null {
    return this.fold.leader();
  }
}
