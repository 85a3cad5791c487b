/**
 * The run's event stream: every event (node telemetry, process changes, faults,
 * membership, the workload's figures) is recorded, folded into the node views and checked
 * by the live safety monitor, in that order, and then handed to the listener (pushes to
 * the renderer, the CLI's status line). Node telemetry is re-based from the nodes' wall
 * clock to ms since the run started, and lost telemetry batches become 'telemetryGap' events.
 *
 * A node on another host stamps events with that host's clock: its telemetry is held until
 * the lab has estimated the node's offset (setClock; docs/multi-host.md, "The clock model"),
 * then re-based by it, so no event of it lands on the time line with an unknown offset.
 */
import type { NodeId } from '../../raft/types';
import type { HistoryOp, LabRunEvent, RunEvent } from '../../contract/runEvents';
import type { TelemetryBatch } from '../../contract/telemetry';
import type { ClockEstimate } from '../../analysis/clockOffset';
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
  /** Node clock minus lab clock per remote node (ms); absent: the lab's own clock. */
  private readonly clockOffsets = new Map<NodeId, number>();
  /** Telemetry of remote nodes waiting for their first clock estimate. */
  private readonly heldForClock = new Map<NodeId, TelemetryBatch[]>();

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

  /**
   * A remote node is starting and its offset is not known yet: hold its telemetry until
   * setClock (a restarted node on the same host keeps the estimate it had).
   */
  holdForClock(node: NodeId): void {
    if (!this.clockOffsets.has(node) && !this.heldForClock.has(node)) this.heldForClock.set(node, []);
  }

  /**
   * A clock estimate for `node` (recorded as a 'clock' event), or null when none could be
   * made (`why` is warned, and the node's events keep the offset they had, 0 at first).
   * Held telemetry is emitted, re-based.
   */
  setClock(node: NodeId, host: string, estimate: ClockEstimate | null, why?: string): void {
    if (estimate) {
      this.clockOffsets.set(node, estimate.offsetMs);
      const { offsetMs, boundMs, delayMs, samples } = estimate;
      this.labEvent({ node, type: 'clock', host, offsetMs, boundMs, delayMs, samples });
    } else {
      this.warn(node, `no clock offset for its host ${host} (${why ?? 'unknown reason'}): its events are placed as if its clock were the lab's`);
    }
    const held = this.heldForClock.get(node);
    this.heldForClock.delete(node);
    for (const batch of held ?? []) this.emitBatch(batch);
  }

  /** One telemetry batch; `onReady` runs for a node's 'ready' before the event is emitted (or held). */
  ingest(batch: TelemetryBatch, onReady: (node: NodeId, ready: { pid: number; peerAddress: string; clientAddress: string }) => void): void {
    const node = batch.node;
    if (!this.deps.state.has(node)) return; // telemetry from a node this cluster no longer has
    const last = this.lastTelemetrySeq.get(node);
    if (last !== undefined && batch.seq > last + 1) this.labEvent({ node, type: 'telemetryGap', missed: batch.seq - last - 1 });
    this.lastTelemetrySeq.set(node, batch.seq);
    for (const ev of batch.events) if (ev.type === 'ready') onReady(node, ev);
    const held = this.heldForClock.get(node);
    if (held) held.push(batch);
    else this.emitBatch(batch);
  }

  private emitBatch(batch: TelemetryBatch): void {
    const base = this.startWall + (this.clockOffsets.get(batch.node) ?? 0);
    for (const ev of batch.events) {
      const { t, ...body } = ev;
      this.emit({ ...body, t: t - base, node: batch.node } as RunEvent);
    }
  }

  /** Safety checks' closing words (entries the monitor could not check), recorded before the run ends. */
  finish(): void {
    for (const node of [...this.heldForClock.keys()]) this.setClock(node, 'its host', null, 'the run ended before an estimate was made');
    for (const message of this.safety.closingNotes()) this.emit({ t: this.now(), node: null, type: 'log', level: 'warn', message: `lab: ${message}` });
  }
}
