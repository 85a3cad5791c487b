/**
 * Who knows whose endpoints. A tcp node binds a wildcard port (`tcp://HOST:*`), so its real
 * endpoints exist only once it has bound them; it reports them in its 'ready' telemetry,
 * the directory records them, and every node is then told what it does not know yet with
 * `setPeer` (issue 9: no port is picked by the lab and released for a node to bind a moment
 * later, so no other process can take it in between). A restarted node gets a new port,
 * and the same path tells every peer again.
 *
 * Until a node has been told a peer's endpoints it drops what it would send that peer,
 * counted as `unknownPeer` (src/node/transport/peerTransport.ts), which Raft tolerates
 * (§5.3: AppendEntries are retried, elections time out and start over). The keys, unlike
 * the ports, are known before any node starts and travel in the config, so a connection
 * from a peer the node has not been told of yet is still admitted.
 *
 * This module is the bookkeeping only (pure): what each node knows, and the `setPeer`
 * commands that bring a node up to date. Sending them is the fleet's job (nodeFleet.ts).
 */
import type { NodeId } from '../../raft/types';
import type { NodeAddresses } from './nodeProcessConfig';

export interface PeerUpdate {
  /** The node to tell. */
  target: NodeId;
  /** The peer it is told about. */
  peer: NodeId;
  endpoints: NodeAddresses;
}

export class PeerDirectory {
  /** Each node's endpoints as it reported them in 'ready' (absent: not bound yet, or restarting). */
  private readonly endpoints = new Map<NodeId, NodeAddresses>();
  /** What each node has been told of each peer's peer address (in its config or by setPeer). */
  private readonly told = new Map<NodeId, Map<NodeId, string>>();

  known(id: NodeId): NodeAddresses | undefined {
    return this.endpoints.get(id);
  }

  /** Node `id` is (re)starting: its old endpoints are dead, and it knows only what its config says. */
  starting(id: NodeId, configPeers: Record<string, { peerAddress?: string }>): void {
    this.endpoints.delete(id);
    const knows = new Map<NodeId, string>();
    for (const [pid, p] of Object.entries(configPeers)) if (p.peerAddress) knows.set(Number(pid), p.peerAddress);
    this.told.set(id, knows);
  }

  /** Node `id` reported the endpoints it bound. */
  learn(id: NodeId, endpoints: NodeAddresses): void {
    this.endpoints.set(id, { peerAddress: endpoints.peerAddress, clientAddress: endpoints.clientAddress });
  }

  /** What `target` has to be told to know every peer in `members` whose endpoints are known. */
  updatesFor(target: NodeId, members: Iterable<NodeId>): PeerUpdate[] {
    const knows = this.told.get(target);
    const updates: PeerUpdate[] = [];
    for (const peer of members) {
      if (peer === target) continue;
      const endpoints = this.endpoints.get(peer);
      if (endpoints && knows?.get(peer) !== endpoints.peerAddress) updates.push({ target, peer, endpoints });
    }
    return updates;
  }

  /** `target` acknowledged a setPeer. */
  acknowledged(update: PeerUpdate): void {
    let knows = this.told.get(update.target);
    if (!knows) this.told.set(update.target, (knows = new Map()));
    knows.set(update.peer, update.endpoints.peerAddress);
  }

  /** Node `id` left the cluster: nobody is told of it again, and it is told nothing. */
  forget(id: NodeId): void {
    this.endpoints.delete(id);
    this.told.delete(id);
    for (const knows of this.told.values()) knows.delete(id);
  }
}
