/**
 * What the run-level views need from the event stream: per-node swimlanes, terms over
 * time, election samples, fault periods, violations, the latest known state of each node
 * and the event log. Plain objects with bounded buffers; the run store wraps one and bumps
 * a version counter after each batch, so Vue never tracks the data itself.
 */
import type { NodeId } from '../../../src/analysis/ids';
import type { ClusterOptions } from '../../../src/contract/clusterOptions';
import type { ProcessState, RunEvent } from '../../../src/contract/runEvents';
import type { FaultSpec } from '../../../src/contract/faults';
import { faultKey, LASTING_FAULT_KINDS } from '../../../src/contract/faultKeys';
import { NodeViewFold, laneRole, type NodeState } from '../../../src/analysis/nodeView';
import { ElectionTracker } from './electionTracker';
import { EventLog } from './eventLog';
import { RingBuffer } from './ringBuffer';
import { asShownEvents } from './events';
import type { ShownEvent } from './events';
import { RoleTimeline } from './roleTimeline';

/** A stretch of time a fault was in force (end null: still is), or an instant fault (end === start). */
export interface FaultPeriod {
  start: number;
  end: number | null;
  kind: string;
  /**
   * The lasting fault's key (src/contract/faultKeys.ts), the name the lab's fault:remove and
   * LabState.faults use: a heal of that key ends this period and no other. Null for instants.
   */
  key: string | null;
  description: string;
  instant: boolean;
}

/**
 * The latest known state of a node according to the events: the one node-view fold of
 * src/analysis/nodeView.ts (the lab runs the same), so commit ≤ lastIndex always.
 */
export type NodeSnapshot = NodeState;

export interface Violation {
  t: number;
  property: string;
  message: string;
}

/** Faults that last until healed; the others (kill, pause, ...) are instants. */
const LASTING_FAULTS = LASTING_FAULT_KINDS;
const DOWN_STATES = new Set<ProcessState>(['killed', 'stopped', 'crashed', 'exited']);

export interface RunModelLimits {
  segmentsPerNode: number;
  termPointsPerNode: number;
  electionSamples: number;
  faultPeriods: number;
  violations: number;
}

export const DEFAULT_RUN_LIMITS: RunModelLimits = {
  segmentsPerNode: 1000,
  termPointsPerNode: 1000,
  electionSamples: 5000,
  faultPeriods: 500,
  violations: 200,
};

export class RunModel {
  runId: string | null = null;
  options: ClusterOptions | null = null;
  /** Latest event time seen (ms since the run started). */
  now = 0;
  /** True once the run's "stopped" event arrived. */
  ended = false;
  readonly timeline: RoleTimeline;
  readonly elections: ElectionTracker;
  readonly log = new EventLog();
  readonly faults: RingBuffer<FaultPeriod>;
  readonly violations: RingBuffer<Violation>;
  private readonly terms = new Map<NodeId, RingBuffer<[number, number]>>();
  private readonly nodeState = new NodeViewFold(true);

  constructor(readonly limits: RunModelLimits = DEFAULT_RUN_LIMITS) {
    this.timeline = new RoleTimeline(limits.segmentsPerNode);
    this.elections = new ElectionTracker(limits.electionSamples);
    this.faults = new RingBuffer<FaultPeriod>(limits.faultPeriods);
    this.violations = new RingBuffer<Violation>(limits.violations);
  }

  ingest(events: readonly RunEvent[]): void {
    for (const e of asShownEvents(events)) this.ingestOne(e);
  }

  /** Node ids seen, ascending. */
  nodeIds(): NodeId[] {
    return this.nodeState.ids();
  }

  nodes(): Array<Readonly<NodeSnapshot>> {
    return this.nodeIds().map((id) => this.nodeState.get(id) as NodeSnapshot);
  }

  node(id: NodeId): Readonly<NodeSnapshot> | undefined {
    return this.nodeState.get(id);
  }

  /** [t, term] points of one node, one per term change. */
  termPoints(node: NodeId): Array<[number, number]> {
    return this.terms.get(node)?.toArray() ?? [];
  }

  /** Highest term any node reported. */
  maxTerm(): number {
    let max = 0;
    for (const n of this.nodes()) max = Math.max(max, n.term);
    return max;
  }

  clear(): void {
    this.runId = null;
    this.options = null;
    this.now = 0;
    this.ended = false;
    this.timeline.clear();
    this.elections.clear();
    this.log.clear();
    this.faults.clear();
    this.violations.clear();
    this.terms.clear();
    this.nodeState.clear();
  }

  private ingestOne(e: ShownEvent): void {
    if (e.type === 'run' && e.phase === 'started') {
      // A new run begins: whatever was shown belongs to the previous one.
      this.clear();
      this.runId = e.runId ?? null;
      this.options = e.options ?? null;
    }
    if (e.t > this.now) this.now = e.t;
    this.log.append(e);
    this.elections.observe(e);
    const node = e.node;
    // Whether the node's process was down or paused before this event, for the lane rules below.
    const wasDown = node !== null && this.isDownOrPaused(node);
    this.nodeState.apply(e);
    switch (e.type) {
      case 'role': {
        if (node === null) break;
        const snap = this.nodeState.get(node);
        // Telemetry still in flight from a process already down does not revive its lane (nor its card).
        if (snap && !DOWN_STATES.has(snap.process)) this.timeline.role(node, laneRole(snap), e.term, e.t);
        this.noteTerm(node, e.term, e.t);
        break;
      }
      case 'metrics': {
        if (node === null) break;
        const snap = this.nodeState.get(node);
        // Metrics repeat the role every 100 ms: they repair the lane if a role event was lost.
        if (snap && !wasDown) this.timeline.role(node, laneRole(snap), e.term, e.t);
        this.noteTerm(node, e.term, e.t);
        break;
      }
      case 'process':
        if (node !== null) this.processChanged(node, e.state, e.t);
        break;
      case 'fault':
        this.faultEvent(e.action, e.fault, e.description, e.t);
        break;
      case 'violation':
        this.violations.push({ t: e.t, property: e.property, message: e.message });
        break;
      case 'run':
        if (e.phase === 'stopped') {
          this.ended = true;
          this.timeline.closeAll(e.t);
          this.closeFaults(e.t);
        }
        break;
      default:
        break;
    }
  }

  private isDownOrPaused(node: NodeId): boolean {
    const p = this.nodeState.get(node)?.process;
    return p !== undefined && (DOWN_STATES.has(p) || p === 'paused');
  }

  private processChanged(node: NodeId, state: ProcessState, t: number): void {
    switch (state) {
      case 'starting':
        this.timeline.down(node, t);
        break;
      case 'started':
      case 'restarted':
        this.timeline.started(node, t);
        break;
      case 'resumed':
        this.timeline.resumed(node, t);
        break;
      case 'paused':
        this.timeline.paused(node, t);
        break;
      case 'killed':
      case 'stopped':
      case 'crashed':
      case 'exited':
        this.timeline.down(node, t);
        break;
    }
  }

  /**
   * Opens or closes fault periods the way the lab's FaultController changes its plan
   * (src/lab/cluster/faultController.ts), so the shading matches the "Faults in force" list:
   * - heal of everything ends every period;
   * - heal of one key (fault:remove) ends that key's period only; removing "flaky" zeroes
   *   every link, so it ends the per-link periods too;
   * - heal of an instant (restart, resume) has no key and ends no shading;
   * - a new fault on a key already in force replaces it (a second partition, a new rule on
   *   the same link), and "flaky" rewrites every link; a rule that is all zeros (clock rate 1,
   *   no fsync delay, a link with nothing set) is the fault's end, not a new one.
   */
  private faultEvent(action: 'apply' | 'heal', fault: FaultSpec | { kind: 'all' }, description: string, t: number): void {
    const key = faultKey(fault);
    if (action === 'heal') {
      if (fault.kind === 'all') this.closeFaults(t);
      else if (key !== null) this.closeFaults(t, (k) => k === key || (key === 'flaky' && k.startsWith('link:')));
      return;
    }
    const instant = !LASTING_FAULTS.has(fault.kind);
    if (key !== null) this.closeFaults(t, (k) => k === key || (key === 'flaky' && k.startsWith('link:')));
    if (!instant && isNoOp(fault)) return;
    this.faults.push({ start: t, end: instant ? t : null, kind: fault.kind, key, description, instant });
  }

  /** Ends the open periods (those whose key `which` accepts; every one without it) at t. */
  private closeFaults(t: number, which?: (key: string) => boolean): void {
    for (let i = 0; i < this.faults.length; i++) {
      const p = this.faults.at(i) as FaultPeriod;
      if (p.end !== null) continue;
      if (which && (p.key === null || !which(p.key))) continue;
      p.end = t;
    }
  }

  private noteTerm(node: NodeId, term: number, t: number): void {
    let points = this.terms.get(node);
    if (!points) {
      points = new RingBuffer<[number, number]>(this.limits.termPointsPerNode);
      this.terms.set(node, points);
    }
    const last = points.last();
    if (!last || last[1] !== term) points.push([t, term]);
  }
}

/** A lasting fault whose rule changes nothing: applying it ends the fault on that key. */
function isNoOp(f: FaultSpec | { kind: 'all' }): boolean {
  switch (f.kind) {
    case 'clock':
      return f.rate === 1;
    case 'disk':
      return f.fsyncDelayMs === 0;
    case 'link':
    case 'flaky':
      return !f.drop && !f.delayMs && !f.jitterMs && !f.duplicate;
    default:
      return false;
  }
}
