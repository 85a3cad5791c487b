/**
 * The control link's naming rule, shared by both ends: a node's control DEALER
 * (src/node/transport/controlChannel.ts) takes this routing id, and the lab's ROUTER
 * (src/lab/sockets/controlServer.ts) addresses the node by it and knows who replied.
 */
import type { NodeId } from '../raft/types';

/** The routing id a node's control DEALER uses. */
export function controlRoutingId(nodeId: NodeId): string {
  return `node-${nodeId}`;
}
