/**
 * Message rates between node pairs, from the cumulative traffic counters in each node's
 * metrics snapshot (sent messages per peer, summed over message types). A rate is the
 * counter delta over the time between two snapshots of the same node, smoothed a little so
 * the matrix does not flicker. A process restart resets its counters: a negative delta
 * means "new baseline", never a negative rate. A node that stops reporting (killed,
 * paused) shows zero after `staleAfterMs`.
 */
import type { NodeId } from '../../../src/analysis/ids';
import type { TrafficCounters } from '../../../src/contract/telemetry';

interface PairState {
  /** Cumulative messages sent at the last snapshot. */
  sent: number;
  /** Smoothed rate in messages per second. */
  rate: number;
}

interface SenderState {
  t: number;
  peers: Map<NodeId, PairState>;
}

/** Weight of the newest interval in the smoothed rate (exponential moving average). */
const SMOOTHING = 0.5;

export class TrafficRates {
  private readonly senders = new Map<NodeId, SenderState>();
  private latest = 0;

  constructor(readonly staleAfterMs = 1500) {}

  /** Feeds one metrics snapshot of `node` taken at `t` (ms). */
  update(node: NodeId, t: number, traffic: Record<string, Record<string, TrafficCounters>>): void {
    this.latest = Math.max(this.latest, t);
    let sender = this.senders.get(node);
    if (!sender) {
      sender = { t, peers: new Map() };
      this.senders.set(node, sender);
      for (const [peer, byType] of Object.entries(traffic)) sender.peers.set(Number(peer), { sent: sumSent(byType), rate: 0 });
      return;
    }
    const dtSec = (t - sender.t) / 1000;
    if (dtSec <= 0) return;
    sender.t = t;
    const seen = new Set<NodeId>();
    for (const [peerKey, byType] of Object.entries(traffic)) {
      const peer = Number(peerKey);
      if (!Number.isInteger(peer)) continue;
      seen.add(peer);
      const sent = sumSent(byType);
      const pair = sender.peers.get(peer);
      if (!pair) {
        sender.peers.set(peer, { sent, rate: 0 });
        continue;
      }
      const delta = sent - pair.sent;
      pair.sent = sent;
      // Counters restart from zero with the process: take the new value as the baseline.
      if (delta < 0) continue;
      pair.rate = SMOOTHING * (delta / dtSec) + (1 - SMOOTHING) * pair.rate;
    }
    for (const [peer, pair] of sender.peers) if (!seen.has(peer)) pair.rate = 0;
  }

  /** Messages per second from `from` to `to` as of the latest snapshot seen. */
  rate(from: NodeId, to: NodeId): number {
    const sender = this.senders.get(from);
    if (!sender || this.latest - sender.t > this.staleAfterMs) return 0;
    return sender.peers.get(to)?.rate ?? 0;
  }

  /** rates[i][j]: messages per second from nodes[i] to nodes[j]. */
  matrix(nodes: readonly NodeId[]): number[][] {
    return nodes.map((from) => nodes.map((to) => (from === to ? 0 : this.rate(from, to))));
  }

  forget(node: NodeId): void {
    this.senders.delete(node);
    for (const sender of this.senders.values()) sender.peers.delete(node);
  }

  clear(): void {
    this.senders.clear();
    this.latest = 0;
  }
}

function sumSent(byType: Record<string, TrafficCounters>): number {
  let total = 0;
  for (const counters of Object.values(byType)) {
    if (counters && typeof counters.sent === 'number') total += counters.sent;
  }
  return total;
}
