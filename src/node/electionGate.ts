/**
 * When a node's election clock may start: once it knows the addresses of enough voters to
 * make a quorum with itself (§5.2: a candidate wins only with votes from a majority; in
 * joint consensus, §6, from a majority of both configurations).
 *
 * WHY: a node learns its peers' endpoints only as they become ready (setPeer,
 * src/lab/cluster/nodeFleet.ts). Before a quorum is known, every timeout it takes starts a
 * pre-vote or vote round that cannot win: its messages to unknown peers are dropped. With
 * 25 nodes starting on 2 cores, the first ones ready spent the second or more until a
 * majority was ready cycling through such rounds, then passed pre-vote within the same few
 * hundred ms and split the vote term after term (docs/performance.md, "Cluster start").
 * Waiting for a quorum's endpoints makes the ready nodes start their randomized timeouts
 * together, when a round can first succeed, as a cluster whose members start at once does.
 * Timing only affects liveness (§5.2), never safety.
 *
 * Pure: `knows` says whether the transport has an address for a peer.
 */
import type { ClusterConfig, NodeId } from '../raft/types';

function majorityKnown(members: readonly NodeId[], self: NodeId, knows: (peer: NodeId) => boolean): boolean {
  if (members.length === 0) return true;
  let known = 0;
  for (const m of members) if (m === self || knows(m)) known++;
  return known >= (members.length >> 1) + 1;
}

/** True when this node can reach a quorum of every configuration it decides with. */
export function knowsElectionQuorum(config: ClusterConfig, self: NodeId, knows: (peer: NodeId) => boolean): boolean {
  return majorityKnown(config.voters, self, knows) && majorityKnown(config.outgoing ?? [], self, knows);
}
