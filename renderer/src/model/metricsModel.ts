/**
 * Numeric series from the event stream: each node's commit/applied/last index (from its
 * 100 ms metrics snapshots), the workload's latency percentiles and throughput, and
 * message rates between node pairs. Series are CompactingSeries, so a 9-node cluster at
 * 10 snapshots a second for ten minutes stays within a few thousand points per node.
 */
import type { NodeId, Role } from '../../../src/analysis/ids';
import type { RunEvent } from '../../../src/contract/runEvents';
import { CompactingSeries } from './compactingSeries';
import { asShownEvents } from './events';
import { TrafficRates } from './trafficRates';

/** Column order of the per-node index series. */
export const INDEX_COLUMNS = { commit: 0, applied: 1, lastIndex: 2 } as const;
export type IndexColumn = keyof typeof INDEX_COLUMNS;

/** Column order of the workload series. */
export const WORKLOAD_COLUMNS = { p50: 0, p99: 1, opsPerSec: 2 } as const;
export type WorkloadColumn = keyof typeof WORKLOAD_COLUMNS;

export interface NodeMetricsLatest {
  t: number;
  role: Role;
  term: number;
  commit: number;
  applied: number;
  lastIndex: number;
  /** Leader only: replication progress per follower. */
  progress: Record<string, { match: number; next: number }>;
}

export interface FollowerLag {
  node: NodeId;
  /** Entries the follower is known to lack: leader's last index minus the follower's match index. */
  lag: number;
  match: number;
}

export interface WorkloadTotals {
  ok: number;
  fail: number;
  info: number;
}

export class MetricsModel {
  now = 0;
  private readonly indexSeries = new Map<NodeId, CompactingSeries>();
  private readonly latestByNode = new Map<NodeId, NodeMetricsLatest>();
  readonly workload: CompactingSeries;
  readonly traffic = new TrafficRates();
  readonly totals: WorkloadTotals = { ok: 0, fail: 0, info: 0 };
  latestWorkload: { t: number; p50Ms: number | null; p99Ms: number | null; opsPerSec: number } | null = null;

  constructor(readonly seriesCapacity = 2048) {
    this.workload = new CompactingSeries(['mean', 'max', 'mean'], seriesCapacity);
  }

  ingest(events: readonly RunEvent[]): void {
    for (const e of asShownEvents(events)) {
      if (e.type === 'run' && e.phase === 'started') this.clear();
      if (e.t > this.now) this.now = e.t;
      if (e.type === 'metrics' && e.node !== null) {
        this.series(e.node).push(e.t, [e.commit, e.applied, e.lastIndex]);
        this.latestByNode.set(e.node, {
          t: e.t, role: e.role, term: e.term, commit: e.commit, applied: e.applied, lastIndex: e.lastIndex,
          progress: e.progress ?? {},
        });
        if (e.traffic) this.traffic.update(e.node, e.t, e.traffic);
      } else if (e.type === 'workload') {
        this.workload.push(e.t, [e.p50Ms, e.p99Ms, e.opsPerSec]);
        this.totals.ok += e.ok;
        this.totals.fail += e.fail;
        this.totals.info += e.info;
        this.latestWorkload = { t: e.t, p50Ms: e.p50Ms, p99Ms: e.p99Ms, opsPerSec: e.opsPerSec };
      }
    }
  }

  nodeIds(): NodeId[] {
    return [...this.indexSeries.keys()].sort((a, b) => a - b);
  }

  /** Index points of one node for one column. */
  indexPoints(node: NodeId, column: IndexColumn): Array<[number, number | null]> {
    return this.indexSeries.get(node)?.points(INDEX_COLUMNS[column]) ?? [];
  }

  indexSeriesOf(node: NodeId): CompactingSeries | undefined {
    return this.indexSeries.get(node);
  }

  latest(node: NodeId): NodeMetricsLatest | undefined {
    return this.latestByNode.get(node);
  }

  workloadPoints(column: WorkloadColumn): Array<[number, number | null]> {
    return this.workload.points(WORKLOAD_COLUMNS[column]);
  }

  /**
   * The node currently leading according to the freshest metrics: a leader snapshot with
   * the highest term (an old, partitioned leader may still report "leader" at a lower term).
   */
  leader(): NodeId | null {
    let best: { node: NodeId; term: number } | null = null;
    for (const [node, m] of this.latestByNode) {
      if (m.role !== 'leader' || this.now - m.t > 1000) continue;
      if (!best || m.term > best.term) best = { node, term: m.term };
    }
    return best?.node ?? null;
  }

  /** Current replication lag of every follower, from the leader's view of its progress (§5.3). */
  followerLag(): FollowerLag[] {
    const leader = this.leader();
    if (leader === null) return [];
    const lm = this.latestByNode.get(leader) as NodeMetricsLatest;
    const out: FollowerLag[] = [];
    for (const [peerKey, p] of Object.entries(lm.progress)) {
      const node = Number(peerKey);
      if (!Number.isInteger(node) || node === leader) continue;
      out.push({ node, match: p.match, lag: Math.max(0, lm.lastIndex - p.match) });
    }
    return out.sort((a, b) => a.node - b.node);
  }

  clear(): void {
    this.now = 0;
    this.indexSeries.clear();
    this.latestByNode.clear();
    this.workload.clear();
    this.traffic.clear();
    this.totals.ok = 0;
    this.totals.fail = 0;
    this.totals.info = 0;
    this.latestWorkload = null;
  }

  private series(node: NodeId): CompactingSeries {
    let s = this.indexSeries.get(node);
    if (!s) {
      s = new CompactingSeries(['last', 'last', 'last'], this.seriesCapacity);
      this.indexSeries.set(node, s);
    }
    return s;
  }
}
