/**
 * Process-level measurements for the node's metrics snapshot: event-loop lag (how late a
 * timer fires: the best single sign that consensus is being starved) and leader staleness.
 */
import type { NodeId, RaftEvent } from '../raft/types';

/** The lag probe fires this often; lag = how late it fired. */
const LAG_PROBE_MS = 20;

export class NodeMetricsSampler {
  private lagTimer: NodeJS.Timeout | null = null;
  private sampleTimer: NodeJS.Timeout | null = null;
  private maxLagMs = 0;
  private everHadLeader = false;

  constructor(private readonly tickMs: number) {}

  start(intervalMs: number, sample: () => void): void {
    let expected = performance.now() + LAG_PROBE_MS;
    this.lagTimer = setInterval(() => {
      const now = performance.now();
      this.maxLagMs = Math.max(this.maxLagMs, now - expected);
      expected = now + LAG_PROBE_MS;
    }, LAG_PROBE_MS);
    this.sampleTimer = setInterval(sample, intervalMs);
  }

  /** Largest lag since the last call (then reset). */
  takeLoopLag(): number {
    const lag = Math.max(0, this.maxLagMs);
    this.maxLagMs = 0;
    return Math.round(lag * 100) / 100;
  }

  countEvent(ev: RaftEvent): void {
    if (ev.type === 'role' && ev.leader !== null) this.everHadLeader = true;
  }

  /** ms since the last contact with a current leader, or null if there never was one. */
  leaderStalenessMs(ticksSinceContact: number, leader: NodeId | null): number | null {
    if (!this.everHadLeader && leader === null) return null;
    return ticksSinceContact * this.tickMs;
  }

  stop(): void {
    if (this.lagTimer) clearInterval(this.lagTimer);
    if (this.sampleTimer) clearInterval(this.sampleTimer);
  }
}
