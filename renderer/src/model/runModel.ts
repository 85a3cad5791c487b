/**
 * What the run-level views need from the event stream: per-node swimlanes, terms over
 * time, election samples, fault periods, violations, the latest known state of each node
 * and the event log. Plain objects with bounded buffers; the run store wraps one and bumps
 * a version counter after each batch, so Vue never tracks the data itself.
 */
import type { NodeId, Role } from '../../../src/raft/types';
import type { ClusterOptions } from '../../../src/contract/clusterOptions';
import type { ProcessState, RunEvent } from '../../../src/contract/runEvents';
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
  description: string;
  instant: boolean;
}

/** The latest known state of a node according to the events. */
export interface NodeSnapshot {
  id: NodeId;
  role: Role;
  term: number;
  leader: NodeId | null;
  process: ProcessState;
  commit: number;
  applied: number;
  lastIndex: number;
  /** False once the node was removed from the configuration. */
  member: boolean;
  /** True once a metrics snapshot reported the indices (before that they are placeholders). */
  indicesKnown: boolean;
}

export interface Violation {
  t: number;
  property: string;
  message: string;
}

/** Faults that last until healed; the others (kill, pause, ...) are instants. */
const LASTING_FAULTS = new Set(['partition', 'link', 'flaky', 'clock', 'disk']);
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
  private readonly nodeState = new Map<NodeId, NodeSnapshot>();

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
    return [...this.nodeState.keys()].sort((a, b) => a - b);
  }

  nodes(): NodeSnapshot[] {
    return this.nodeIds().map((id) => this.nodeState.get(id) as NodeSnapshot);
  }

  node(id: NodeId): NodeSnapshot | undefined {
    return this.nodeState.get(id);
  }

  /** [t, term] points of one node, one per term change. */
  termPoints(node: NodeId): Array<[number, number]> {
    return this.terms.get(node)?.toArray() ?? [];
  }

  /** Highest term any node reported. */
  maxTerm(): number {
    let max = 0;
    for (const n of this.nodeState.values()) max = Math.max(max, n.term);
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
    switch (e.type) {
      case 'role':
        if (node === null) break;
        this.timeline.role(node, e.role, e.term, e.t);
        this.noteTerm(node, e.term, e.t);
        Object.assign(this.snapshot(node), { role: e.role, term: e.term, leader: e.leader });
        break;
      case 'metrics': {
        if (node === null) break;
        const snap = this.snapshot(node);
        // Metrics repeat the role every 100 ms: they repair the lane if a role event was lost.
        if (!DOWN_STATES.has(snap.process) && snap.process !== 'paused') this.timeline.role(node, e.role, e.term, e.t);
        this.noteTerm(node, e.term, e.t);
        Object.assign(snap, { role: e.role, term: e.term, leader: e.leader, commit: e.commit, applied: e.applied, lastIndex: e.lastIndex, indicesKnown: true });
        break;
      }
      case 'commit':
        if (node !== null) this.snapshot(node).commit = Math.max(this.snapshot(node).commit, e.index);
        break;
      case 'process':
        if (node !== null) this.processChanged(node, e.state, e.t);
        break;
      case 'fault':
        this.faultEvent(e.action, e.fault.kind, e.description, e.t);
        break;
      case 'violation':
        this.violations.push({ t: e.t, property: e.property, message: e.message });
        break;
      case 'membership':
        if (e.action === 'add') this.snapshot(e.target).member = true;
        else if (this.nodeState.has(e.target)) this.snapshot(e.target).member = false;
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

  private processChanged(node: NodeId, state: ProcessState, t: number): void {
    this.snapshot(node).process = state;
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

  private faultEvent(action: 'apply' | 'heal', kind: string, description: string, t: number): void {
    if (action === 'heal') {
      this.closeFaults(t);
      return;
    }
    const instant = !LASTING_FAULTS.has(kind);
    this.faults.push({ start: t, end: instant ? t : null, kind, description, instant });
  }

  private closeFaults(t: number): void {
    for (let i = 0; i < this.faults.length; i++) {
      const p = this.faults.at(i) as FaultPeriod;
      if (p.end === null) p.end = t;
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

  private snapshot(node: NodeId): NodeSnapshot {
    let snap = this.nodeState.get(node);
    if (!snap) {
      snap = { id: node, role: 'follower', term: 0, leader: null, process: 'starting', commit: 0, applied: 0, lastIndex: 0, member: true, indicesKnown: false };
      this.nodeState.set(node, snap);
    }
    return snap;
  }
}
