/**
 * Leader Completeness (§5.4, Figure 3): an entry committed in a term is in the log of every
 * leader of a later term. Telemetry shows neither logs nor the term an entry was committed
 * in, but metrics samples give enough for a sound check of log lengths:
 *  - a sample (term C, commit K) from any node says entries 1..K are committed, in terms
 *    no later than C (a node learns its commit index from a leader of its term or an
 *    earlier one);
 *  - a sample from a leader (role leader, term T, last index L) bounds its log: a leader's
 *    log only grows while it leads (Leader Append-Only), so its smallest L is what it had.
 * Every leader of a term T > C must therefore have L >= K. Both facts hold whenever they
 * are observed, so the check does not depend on the order telemetry arrives in.
 *
 * What it cannot see: whether the leader's entry at an index is the committed one (that is
 * State Machine Safety's comparison once the leader applies it), and entries committed
 * and compacted without a sample in between (samples come every 100 ms).
 */
import type { NodeId } from '../../raft/types';

export interface CompletenessViolation {
  term: number;
  node: NodeId;
  message: string;
}

export class LeaderCompleteness {
  /** term C -> highest commit index seen in a sample of term C, and who reported it. */
  private readonly committed = new Map<number, { index: number; node: NodeId }>();
  /** term T -> the leader's smallest last index seen while it led T. */
  private readonly leaderLog = new Map<number, { lastIndex: number; node: NodeId }>();
  private readonly reported = new Set<number>();

  constructor(private readonly maxTerms = 100_000) {}

  /** One metrics sample. */
  sample(node: NodeId, term: number, role: string, commit: number, lastIndex: number): CompletenessViolation[] {
    const out: CompletenessViolation[] = [];
    const c = this.committed.get(term);
    if (commit > 0 && (!c || commit > c.index)) {
      this.bounded(this.committed).set(term, { index: commit, node });
      for (const [t, l] of this.leaderLog) if (t > term && l.lastIndex < commit) this.report(t, l, commit, term, node, out);
    }
    if (role === 'leader') {
      const l = this.leaderLog.get(term);
      if (!l || lastIndex < l.lastIndex) {
        const entry = { lastIndex, node };
        this.bounded(this.leaderLog).set(term, entry);
        for (const [t, k] of this.committed) if (t < term && k.index > lastIndex) this.report(term, entry, k.index, t, k.node, out);
      }
    }
    return out;
  }

  private report(term: number, leader: { lastIndex: number; node: NodeId }, committed: number, committedTerm: number, by: NodeId, out: CompletenessViolation[]): void {
    if (this.reported.has(term)) return;
    this.reported.add(term);
    out.push({
      term,
      node: leader.node,
      message:
        `node ${leader.node} led term ${term} with a log ending at index ${leader.lastIndex}, but entries up to ${committed} ` +
        `were committed by term ${committedTerm} (node ${by}'s commit index): a leader holds every committed entry (§5.4)`,
    });
  }

  /** Keeps a map to the newest `maxTerms` terms (insertion order is close to term order). */
  private bounded<V>(m: Map<number, V>): Map<number, V> {
    if (m.size >= this.maxTerms) m.delete(m.keys().next().value as number);
    return m;
  }
}
