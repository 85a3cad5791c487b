/**
 * The faults in force, and the per-node link rules they add up to. A partition and any
 * number of per-link faults can hold at once; each node is sent its full rule list, so a
 * node restarted mid-fault gets the same rules again.
 */
import type { NodeId } from '../raft/types';
import type { LinkRule } from '../contract/control';
import type { AimedRule } from '../contract/aimedRules';

/** An aimed fault in force, resolved to ids (src/contract/aimedFault.ts). */
export interface AimedFault {
  from: NodeId;
  to: NodeId;
  side: 'sender' | 'receiver';
  match: Omit<AimedRule['match'], 'from' | 'to'>;
  occurrence?: AimedRule['occurrence'];
  action: AimedRule['action'];
}

/** A bandwidth limit in force on a remote host, with its defaults filled in. */
export interface BandwidthLimit {
  host: string;
  /** The host's nodes when it was applied. */
  nodes: NodeId[];
  devices: string[];
  rateKbit: number;
  burstBytes: number;
  latencyMs: number;
}

export interface LinkFault {
  from: NodeId;
  to: NodeId;
  drop: number;
  delayMs: number;
  jitterMs: number;
  duplicate: number;
}

export class FaultPlan {
  /** Ordered pairs that cannot talk (a partition). */
  blocked: Array<[NodeId, NodeId]> = [];
  /** The blocked pairs the hosts' kernels drop (nft, src/lab/hosts/kernelPartition.ts): no in-node rule for them. */
  kernelBlocked = new Set<string>();
  /** Directed link faults, keyed "from>to". */
  private readonly links = new Map<string, LinkFault>();
  readonly timerRates = new Map<NodeId, number>();
  readonly fsyncDelays = new Map<NodeId, number>();
  /**
   * Bandwidth limits in force (tc tbf on remote hosts, src/lab/hosts/bandwidthLimit.ts), by the
   * node the fault named: one per host, on every node of it.
   */
  readonly bandwidth = new Map<NodeId, BandwidthLimit>();
  /** Aimed faults in order of application; a node's rules keep this order (first match wins). */
  aimed: AimedFault[] = [];

  /**
   * The node whose rules an aimed fault lives in: the sender's 'out' side, or the receiver's
   * 'in' side.
   */
  static aimedHolder(f: AimedFault): NodeId {
    return f.side === 'sender' ? f.from : f.to;
  }

  /** The aimed rules `node` must hold, in order (src/contract/aimedRules.ts). */
  aimedRulesFor(node: NodeId): AimedRule[] {
    return this.aimed
      .filter((f) => FaultPlan.aimedHolder(f) === node)
      .map((f) => ({
        direction: f.side === 'sender' ? 'out' : 'in',
        match: { ...f.match, from: f.from, to: f.to },
        ...(f.occurrence ? { occurrence: f.occurrence } : {}),
        action: f.action,
      }));
  }

  setLink(f: LinkFault): void {
    const key = `${f.from}>${f.to}`;
    if (f.drop === 0 && f.delayMs === 0 && f.jitterMs === 0 && f.duplicate === 0) this.links.delete(key);
    else this.links.set(key, f);
  }

  linkFaults(): LinkFault[] {
    return [...this.links.values()];
  }

  clearNetwork(): void {
    this.blocked = [];
    this.kernelBlocked.clear();
    this.links.clear();
    this.aimed = [];
  }

  /**
   * Rules for `node`. A block is enforced on both ends (out at the sender, in at the
   * receiver), so a partition holds even if one side's rules have not arrived yet. Link
   * faults act on the sender's outbound side only, which is what makes them directional.
   */
  rulesFor(node: NodeId): LinkRule[] {
    const rules = new Map<string, LinkRule>();
    const rule = (peer: NodeId, direction: 'in' | 'out') => {
      const key = `${direction}:${peer}`;
      let r = rules.get(key);
      if (!r) rules.set(key, (r = { peer, direction }));
      return r;
    };
    for (const [a, b] of this.blocked) {
      if (this.kernelBlocked.has(`${a}>${b}`)) continue;
      if (a === node) rule(b, 'out').block = true;
      if (b === node) rule(a, 'in').block = true;
    }
    for (const f of this.links.values()) {
      if (f.from !== node) continue;
      const r = rule(f.to, 'out');
      if (f.drop > 0) r.drop = f.drop;
      if (f.delayMs > 0) r.delayMs = f.delayMs;
      if (f.jitterMs > 0) r.jitterMs = f.jitterMs;
      if (f.duplicate > 0) r.duplicate = f.duplicate;
    }
    return [...rules.values()];
  }
}
