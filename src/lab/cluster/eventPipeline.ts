/**
 * The run's event stream: every event (node telemetry, process changes, faults,
 * membership, the workload's figures) is recorded, folded into the node views and checked
 * by the live safety monitor, in that order, and then handed to the listener (pushes to
 * the renderer, the CLI's status line). Node telemetry is re-based from the nodes' wall
 * clock to ms since the run started, and lost telemetry batches become 'telemetryGap' events.
 */
import type { NodeId } from '../../raft/types';
import type { HistoryOp, LabRunEvent, RunEvent } from '../../contract/runEvents';
import type { TelemetryBatch } from '../../contract/telemetry';
import type { ClusterState } from '../clusterState';
import type { RunRecorder } from '../recorder/runRecorder';
import { SafetyMonitor } from '../checkers/safety';

/** A lab event without its time (stamped with now() unless given). */
export type LabEventInput = LabRunEvent extends infer E ? (E extends unknown ? Omit<E, 't'> & { t?: number } : never) : never;

export interface EventPipelineDeps {
  state: ClusterState;
  onEvent?: (ev: RunEvent) => void;
  onChange?: () => void;
}

export class EventPipeline {
  /** Null when recording is off or before the run started. */
  private recorder: RunRecorder | null = null;
  private readonly safety = new SafetyMonitor();
  /** Wall-clock ms (performance.timeOrigin-based) when the run started: t = 0. */
  private startWall = 0;
  private startMono = 0;
  private readonly lastTelemetrySeq = new Map<NodeId, number>();

  constructor(private readonly deps: EventPipelineDeps) {}

  /** t = 0 is now; events go to `recorder` from here on (null: not recorded). */
  begin(recorder: RunRecorder | null): void {
    this.startMono = performance.now();
    this.startWall = performance.timeOrigin + this.startMono;
    this.recorder = recorder;
  }

  /** Wall-clock ms (the nodes' shared clock) at t = 0: node journals are stamped on that clock. */
  get startWallMs(): number {
    return this.startWall;
  }

  /** ms since the run started, on the monotonic clock. */
  now(): number {
    return performance.now() - this.startMono;
  }

  emit(ev: RunEvent): void {
    this.recorder?.record(ev);
    if (this.deps.state.apply(ev)) this.deps.onChange?.();
    for (const v of this.safety.observe(ev)) {
      this.recorder?.record(v);
      this.deps.onEvent?.(v);
    }
    this.deps.onEvent?.(ev);
  }

  labEvent(ev: LabEventInput): void {
    this.emit({ ...ev, t: ev.t ?? this.now() } as RunEvent);
  }

  /** A lab-side problem concerning a node, recorded as a warning in its log stream. */
  warn(node: NodeId, message: string): void {
    this.emit({ t: this.now(), node, type: 'log', level: 'warn', message: `lab: ${message}` });
  }

  recordOp(op: HistoryOp): void {
    this.recorder?.recordOp(op);
  }

  /** A node process (re)starts: its telemetry sequence starts over. */
  processStarting(node: NodeId): void {
    this.lastTelemetrySeq.delete(node);
  }

  /** One telemetry batch; `onReady` runs for a node's 'ready' before the event is emitted. */
  ingest(batch: TelemetryBatch, onReady: (node: NodeId, ready: { pid: number; peerAddress: string; clientAddress: string }) => void): void {
    const node = batch.node;
    if (!this.deps.state.has(node)) return; // telemetry from a node this cluster no longer has
    const last = this.lastTelemetrySeq.get(node);
    if (last !== undefined && batch.seq > last + 1) this.labEvent({ node, type: 'telemetryGap', missed: batch.seq - last - 1 });
    this.lastTelemetrySeq.set(node, batch.seq);
    for (const ev of batch.events) {
      if (ev.type === 'ready') onReady(node, ev);
      const { t, ...body } = ev;
      this.emit({ ...body, t: t - this.startWall, node } as RunEvent);
    }
  }

  /** Safety checks' closing words (entries the monitor could not check), recorded before the run ends. */
  finish(): void {
    for (const message of this.safety.closingNotes()) this.emit({ t: this.now(), node: null, type: 'log', level: 'warn', message: `lab: ${message}` });
  }
}
