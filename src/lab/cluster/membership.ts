/**
 * Membership: the cluster's voters and the two changes the lab offers, adding a node and
 * removing one, both through the leader by joint consensus (§6).
 */
import type { NodeId } from '../../raft/types';
import type { LabRunEvent } from '../../contract/runEvents';
import { ClusterError } from '../clusterError';
import type { ClusterState } from '../clusterState';
import type { NodeFleet } from './nodeFleet';

type MembershipEvent = Omit<Extract<LabRunEvent, { type: 'membership' }>, 't'>;

/** The most nodes a cluster may have (the start panel's and the contract's limit). */
const MAX_NODES = 25;
/** How long a removed node keeps running so that its removal can commit. */
const REMOVAL_COMMIT_WAIT_MS = 5000;

export interface MembershipDeps {
  fleet: NodeFleet;
  state: ClusterState;
  now: () => number;
  record: (ev: MembershipEvent) => void;
  warn: (node: NodeId, message: string) => void;
  /** A node left the cluster for good (the fault controller forgets it). */
  onRemoved: (node: NodeId) => void;
}

export class Membership {
  private current: NodeId[] = [];

  constructor(private readonly deps: MembershipDeps) {}

  /** The voters the lab last asked for (the bootstrap set until the first change). */
  voters(): NodeId[] {
    return this.current;
  }

  /** Allocates addresses for the first nodes, 1..n, and makes them the voters. */
  async bootstrap(n: number): Promise<NodeId[]> {
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    this.current = ids;
    for (const id of ids) await this.deps.fleet.allocate(id);
    for (const id of ids) this.deps.state.add(id, true);
    return ids;
  }

  /** Adds a node: start it empty (it joins, not bootstraps), then change membership through the leader (§6). */
  async add(): Promise<NodeId> {
    const { fleet, state } = this.deps;
    const leader = state.leader();
    if (leader === null) throw new ClusterError('a membership change needs a leader');
    const id = Math.max(0, ...state.ids()) + 1;
    if (id > MAX_NODES) throw new ClusterError(`a cluster has at most ${MAX_NODES} nodes`);
    const addr = await fleet.allocate(id);
    for (const other of state.ids()) {
      if (fleet.isAlive(other)) await fleet.control(other, { cmd: 'setPeer', id, address: addr.peerAddress, clientAddress: addr.clientAddress, publicKey: fleet.publicKeyOf(id) });
    }
    state.add(id, false);
    fleet.spawn(id, [], false);
    await fleet.waitReady(id);
    const voters = [...this.current, id].sort((a, b) => a - b);
    await fleet.control(leader, { cmd: 'changeMembership', voters });
    this.current = voters;
    this.deps.record({ node: null, type: 'membership', action: 'add', target: id, voters });
    return id;
  }

  /** Removes a voter through joint consensus (§6), then stops its process. */
  async remove(node: NodeId): Promise<void> {
    const { fleet, state } = this.deps;
    if (!state.has(node)) throw new ClusterError(`there is no node ${node} in this cluster`);
    const leader = state.leader();
    if (leader === null) throw new ClusterError('a membership change needs a leader');
    const voters = this.current.filter((v) => v !== node);
    if (voters.length === 0) throw new ClusterError('cannot remove the last voter');
    await fleet.control(leader, { cmd: 'changeMembership', voters });
    this.current = voters;
    this.deps.record({ node: null, type: 'membership', action: 'remove', target: node, voters });
    // Let the removal commit before the process goes away; the leader itself steps down
    // once C_new commits (§6), so wait until the node no longer leads, bounded.
    const until = this.deps.now() + REMOVAL_COMMIT_WAIT_MS;
    while (this.deps.now() < until && state.get(node)?.voter) await new Promise((r) => setTimeout(r, 20));
    // Not a fault: the node left the cluster, and a stopped member would be one.
    if (fleet.isAlive(node)) await fleet.stop(node);
    for (const other of state.ids()) {
      if (other !== node && fleet.isAlive(other)) {
        await fleet.control(other, { cmd: 'setPeer', id: node, address: null }).catch((err: Error) => this.deps.warn(other, `could not forget node ${node}: ${err.message}`));
      }
    }
    fleet.forget(node);
    state.remove(node);
    this.deps.onRemoved(node);
  }
}
