/**
 * Commands the lab sends to a node over its control socket, each acknowledged by a reply
 * with the same id once it has taken effect.
 */
import type { ClusterConfig, NodeId, Role } from '../raft/types';

/**
 * A fault rule for the link between this node and `peer`, in one direction. Rules on
 * `out` apply to messages this node sends to `peer`; rules on `in` to messages it receives
 * from `peer`. A partition blocks both directions on both sides; asymmetric faults set one.
 */
export interface LinkRule {
  peer: NodeId;
  direction: 'in' | 'out';
  /** Drop everything: a partition. */
  block?: boolean;
  /** Probability in [0, 1] of dropping each message. */
  drop?: number;
  /** Fixed delay in ms added to each message. */
  delayMs?: number;
  /** Uniform extra delay in [0, jitterMs) ms. */
  jitterMs?: number;
  /** Probability in [0, 1] of delivering a message twice. */
  duplicate?: number;
}

export type ControlCommand =
  | { cmd: 'ping' }
  | { cmd: 'status' }
  /** Replace every link rule of this node with `rules` (empty: heal). */
  | { cmd: 'setLinkRules'; rules: LinkRule[] }
  /** Make this node's clock run `factor` times as fast (ticks fire factor× as often). */
  | { cmd: 'setTimerRate'; factor: number }
  /** Add `ms` to every durable write, to model a slow disk. */
  | { cmd: 'setFsyncDelay'; ms: number }
  /**
   * Learn (or forget, with address null) a peer's address, before a membership change;
   * with CURVE also its public key (the peer socket admits only known members' keys).
   */
  | { cmd: 'setPeer'; id: NodeId; address: string | null; clientAddress?: string | null; publicKey?: string | null }
  | { cmd: 'transferLeader'; to: NodeId }
  /** New voters (joint consensus, §6) and learners (thesis §4.2.1; absent: keep the current ones). */
  | { cmd: 'changeMembership'; voters: NodeId[]; learners?: NodeId[] }
  | { cmd: 'snapshot' }
  /** Graceful stop: flush, close sockets, exit 0. */
  | { cmd: 'stop' };

export type ControlCommandName = ControlCommand['cmd'];

export interface ControlRequest {
  id: number;
  command: ControlCommand;
}

export type ControlReply =
  | { id: number; ok: true; result?: NodeStatusReport | null }
  | { id: number; ok: false; error: string };

export interface NodeStatusReport {
  id: NodeId;
  role: Role;
  term: number;
  leader: NodeId | null;
  commit: number;
  applied: number;
  lastIndex: number;
  snapshotIndex: number;
  config: ClusterConfig;
}
