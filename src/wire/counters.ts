/**
 * Counters the transport exposes (and the node reports in its metrics telemetry).
 */
import type { RejectReason } from '../contract/codec';
import type { TrafficCounters } from '../contract/telemetry';

/**
 * Frames (or messages) refused on receive, by reason: the codec's reasons plus
 * 'parts' (wrong number of ZeroMQ message parts), 'misrouted' (a Raft message for
 * another node id), and on CURVE sockets 'unsealed' (no seal), 'forged' (a seal that does
 * not verify for the sender it names), 'impersonation' (a message whose `from`, batch
 * node or routing id is not the sealed sender; counted per message) and 'handshake'
 * (connections the ZAP allow-list refused: strangers, counted per attempt).
 */
export type RejectCounterKey = RejectReason | 'parts' | 'misrouted' | 'unsealed' | 'forged' | 'impersonation' | 'handshake';

export class RejectCounters {
  private readonly counts = new Map<RejectCounterKey, number>();

  add(reason: RejectCounterKey, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }

  get total(): number {
    let total = 0;
    for (const n of this.counts.values()) total += n;
    return total;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** Per peer and message type: count and bytes, sent and received. */
export class TrafficTable {
  private readonly table = new Map<number, Map<string, TrafficCounters>>();

  recordSent(peer: number, type: string, bytes: number): void {
    const c = this.counters(peer, type);
    c.sent++;
    c.bytesSent += bytes;
  }

  recordReceived(peer: number, type: string, bytes: number): void {
    const c = this.counters(peer, type);
    c.received++;
    c.bytesReceived += bytes;
  }

  /** A copy keyed by peer id (as a string), then message type: NodeMetrics.traffic. */
  snapshot(): Record<string, Record<string, TrafficCounters>> {
    const out: Record<string, Record<string, TrafficCounters>> = {};
    for (const [peer, byType] of this.table) {
      const row: Record<string, TrafficCounters> = {};
      for (const [type, c] of byType) row[type] = { ...c };
      out[String(peer)] = row;
    }
    return out;
  }

  private counters(peer: number, type: string): TrafficCounters {
    let byType = this.table.get(peer);
    if (!byType) {
      byType = new Map();
      this.table.set(peer, byType);
    }
    let c = byType.get(type);
    if (!c) {
      c = { sent: 0, received: 0, bytesSent: 0, bytesReceived: 0 };
      byType.set(type, c);
    }
    return c;
  }
}

/** Where transports report unexpected failures; the node routes these to its log telemetry. */
export type ErrorReporter = (error: unknown, context: string) => void;

export const reportToStderr: ErrorReporter = (error, context) => {
  console.error(`transport: ${context}:`, error);
};
