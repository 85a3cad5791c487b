/**
 * Membership: the cluster's voters and the two changes the lab offers, adding a node and
 * removing one, both through the leader (§6). A node is added as a learner first (thesis
 * §4.2.1: "new servers join the cluster as non-voting members" so that an empty log cannot
 * stall commitment), and promoted to voter by joint consensus once it has caught up.
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
/**
 * A learner counts as caught up when its last index is within this many entries of the
 * leader's, in CAUGHT_UP_SAMPLES metrics samples in a row (100 ms apart). Thesis §4.2.1
 * replicates in rounds until a round takes less than an election timeout; a few dozen
 * entries behind, over consecutive samples, is that condition for the lab's write rates.
 */
export const CATCH_UP_ENTRIES = 32;
const CAUGHT_UP_SAMPLES = 3;
/** How long the lab waits for a learner to catch up before leaving it a learner (with a warning). */
const PROMOTION_WAIT_MS = 30_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  /** Learners the lab added and has not promoted yet (thesis §4.2.1). */
  private learnerIds: NodeId[] = [];

  constructor(private readonly deps: MembershipDeps) {}

  /** The voters the lab last asked for (the bootstrap set until the first change). */
  voters(): NodeId[] {
    return this.current;
  }

  /** The learners the lab added and has not promoted (yet). */
  learners(): NodeId[] {
    return this.learnerIds;
  }

  /** Allocates addresses for the first nodes, 1..n, and makes them the voters. */
  async bootstrap(n: number): Promise<NodeId[]> {
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    this.current = ids;
    for (const id of ids) this.deps.fleet.allocate(id);
    for (const id of ids) this.deps.state.add(id, true);
    return ids;
  }

  /**
   * Adds a node: start it empty (it joins, not bootstraps), add it as a learner through the
   * leader, wait until it has caught up, then promote it to voter (§6 joint consensus; thesis
   * §4.2.1). Resolves once the node is a voter; if it does not catch up within
   * PROMOTION_WAIT_MS it stays a learner, with a warning, and add() still resolves.
   */
  async add(): Promise<NodeId> {
    const { fleet, state } = this.deps;
    const leader = state.leader();
    if (leader === null) throw new ClusterError('a membership change needs a leader');
    const id = Math.max(0, ...state.ids()) + 1;
    if (id > MAX_NODES) throw new ClusterError(`a cluster has at most ${MAX_NODES} nodes`);
    fleet.allocate(id);
    state.add(id, false);
    fleet.spawn(id, [], false);
    // Resolves once the others know where it listens (setPeer on its 'ready', nodeFleet.ts).
    await fleet.waitReady(id);
    const learners = [...this.learnerIds, id].sort((a, b) => a - b);
    await fleet.control(leader, { cmd: 'changeMembership', voters: this.current, learners });
    this.learnerIds = learners;
    this.deps.record({ node: null, type: 'membership', action: 'add', target: id, voters: [...this.current], learners });
    await this.promoteWhenCaughtUp(id);
    return id;
  }

  /** Has learner `id` caught up with the leader? (within CATCH_UP_ENTRIES of its last index) */
  private caughtUp(id: NodeId): boolean {
    const { state } = this.deps;
    const leader = state.leader();
    const learner = state.get(id);
    if (leader === null || !learner || !learner.indicesKnown) return false;
    const last = state.get(leader)?.lastIndex ?? 0;
    return learner.lastIndex > 0 && learner.lastIndex >= last - CATCH_UP_ENTRIES;
  }

  private async promoteWhenCaughtUp(id: NodeId): Promise<void> {
    const { fleet, state } = this.deps;
    const until = this.deps.now() + PROMOTION_WAIT_MS;
    let inARow = 0;
    let lastError = 'it did not catch up';
    while (this.deps.now() < until) {
      await sleep(POLL_MS);
      if (!state.has(id) || !fleet.isAlive(id)) {
        lastError = 'its process is not running';
        continue;
      }
      inARow = this.caughtUp(id) ? inARow + 1 : 0;
      if (inARow < CAUGHT_UP_SAMPLES) continue;
      const leader = state.leader();
      if (leader === null) continue;
      const voters = [...this.current, id].sort((a, b) => a - b);
      try {
        // Learners absent: the leader keeps the other learners (none here) and drops `id` from them.
        await fleet.control(leader, { cmd: 'changeMembership', voters });
      } catch (err) {
        // The learner entry may not have committed yet (one change at a time, §6), or the
        // leader changed: try again on the next round.
        lastError = (err as Error).message;
        inARow = 0;
        continue;
      }
      this.current = voters;
      this.learnerIds = this.learnerIds.filter((l) => l !== id);
      this.deps.record({ node: null, type: 'membership', action: 'promote', target: id, voters, learners: [...this.learnerIds] });
      return;
    }
    this.deps.warn(id, `node ${id} stays a learner: not promoted within ${PROMOTION_WAIT_MS} ms (${lastError})`);
  }

  /** Removes a voter through joint consensus (§6), then stops its process. */
  async remove(node: NodeId): Promise<void> {
    const { fleet, state } = this.deps;
    if (!state.has(node)) throw new ClusterError(`there is no node ${node} in this cluster`);
    const leader = state.leader();
    if (leader === null) throw new ClusterError('a membership change needs a leader');
    const voters = this.current.filter((v) => v !== node);
    if (voters.length === 0) throw new ClusterError('cannot remove the last voter');
    const learners = this.learnerIds.filter((l) => l !== node);
    await fleet.control(leader, { cmd: 'changeMembership', voters, learners });
    this.current = voters;
    this.learnerIds = learners;
    this.deps.record({ node: null, type: 'membership', action: 'remove', target: node, voters, learners });
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
