/**
 * The cluster's workload and its live statistics: the Workload's clients, the history it
 * records, and a 'workload' run event about every 500 ms with counts, ops/s and latency
 * percentiles of the operations that finished in that window.
 */
import { percentile, sortedNumbers } from '../../analysis/percentile';
import type { NodeId } from '../../raft/types';
import type { WorkloadOptions } from '../../contract/clusterOptions';
import type { ClientResponse } from '../../contract/client';
import type { HistoryOp, LabRunEvent } from '../../contract/runEvents';
import { Workload, type KvTransport } from '../workload';

type WorkloadEvent = Omit<Extract<LabRunEvent, { type: 'workload' }>, 't'>;

/** A 'workload' event at most this often (ms), when operations finish. */
const WINDOW_MS = 500;

export interface WorkloadStatsDeps {
  transport: KvTransport;
  now: () => number;
  random: () => number;
  /** Every finished operation, for history.jsonl. */
  recordOp: (op: HistoryOp) => void;
  record: (ev: WorkloadEvent) => void;
  clientPrefix: string;
}

export class WorkloadStats {
  private workload: Workload | null = null;
  private setting: WorkloadOptions | null = null;
  private readonly windowOps: HistoryOp[] = [];
  private okOps = 0;
  private lastWindow = 0;
  private speed = 1;

  constructor(private readonly deps: WorkloadStatsDeps) {}

  set(opts: WorkloadOptions): void {
    // Remembered here: a stopped Workload keeps its last running options, and the lab state
    // (what the renderer's workload form shows) must say clients: 0 once it was switched off.
    this.setting = opts;
    if (!this.workload) {
      this.workload = new Workload(this.deps.transport, { now: this.deps.now, record: (op) => this.onOp(op), random: this.deps.random }, opts, this.deps.clientPrefix);
      this.workload.setSpeed(this.speed);
    }
    if (opts.clients === 0) {
      void this.workload.stop();
      return;
    }
    this.workload.start(opts);
  }

  /** Slow motion: the workload's rate and waits follow the cluster's speed (Workload.setSpeed). */
  setSpeed(speed: number): void {
    this.speed = speed;
    this.workload?.setSpeed(speed);
  }

  options(): WorkloadOptions | null {
    return this.setting;
  }

  onResponse(node: NodeId, res: ClientResponse): void {
    this.workload?.onResponse(node, res);
  }

  /**
   * Stops issuing operations and resolves once those in flight have finished (each is
   * bounded by its timeout), so nothing the workload sent can still change the data.
   */
  async stop(): Promise<void> {
    await this.workload?.stop();
  }

  /** Stops, then reports the last window (the run is ending). */
  async finish(): Promise<void> {
    if (!this.workload) return;
    await this.workload.stop();
    this.flush(this.deps.now());
  }

  /** Operations that completed ok so far (for live ops/s). */
  opsOk(): number {
    return this.okOps;
  }

  private onOp(op: HistoryOp): void {
    this.deps.recordOp(op);
    if (op.status === 'ok') this.okOps++;
    this.windowOps.push(op);
    const now = this.deps.now();
    if (now - this.lastWindow >= WINDOW_MS) this.flush(now);
  }

  private flush(now: number): void {
    const ops = this.windowOps.splice(0);
    const interval = now - this.lastWindow;
    this.lastWindow = now;
    const lat = sortedNumbers(ops.filter((o) => o.status === 'ok').map((o) => o.return - o.call));
    // The one nearest-rank percentile, as in summary.json (src/analysis/percentile.ts).
    const q = (p: number) => percentile(lat, p * 100);
    this.deps.record({
      node: null,
      type: 'workload',
      intervalMs: interval,
      ok: lat.length,
      fail: ops.filter((o) => o.status === 'fail').length,
      info: ops.filter((o) => o.status === 'info').length,
      opsPerSec: (lat.length * 1000) / Math.max(1, interval),
      p50Ms: q(0.5),
      p99Ms: q(0.99),
    });
  }
}
