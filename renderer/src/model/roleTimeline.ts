/**
 * Per-node swimlanes of what each node was doing over time: its Raft role while its
 * process runs, or "paused"/"down" while it does not. A lane is a list of segments; a new
 * segment starts only when the state changes, so a long stable run stays a handful of
 * segments. Each lane is capped (oldest segments fall off).
 */
import type { NodeId } from '../../../src/analysis/ids';
import type { LaneState } from '../../../src/analysis/legend';
import { RingBuffer } from './ringBuffer';

/** What a lane shows (src/analysis/legend.ts): the role, a pre-candidate apart, or why the node has none. */
export { LANE_STATES, type LaneState } from '../../../src/analysis/legend';

export interface Segment {
  state: LaneState;
  term: number;
  start: number;
  /** null while the segment is the lane's current one. */
  end: number | null;
}

interface Lane {
  segments: RingBuffer<Segment>;
  /** The role the node last reported, to restore when a paused process resumes. */
  lastRole: LaneState;
  term: number;
}

export class RoleTimeline {
  private readonly lanes = new Map<NodeId, Lane>();

  constructor(readonly maxSegmentsPerNode = 1000) {}

  /** Node ids with a lane, ascending. */
  nodes(): NodeId[] {
    return [...this.lanes.keys()].sort((a, b) => a - b);
  }

  /** Segments of one node's lane, oldest first. */
  segments(node: NodeId): Segment[] {
    return this.lanes.get(node)?.segments.toArray() ?? [];
  }

  /** The lane's current state, or null when the node was never seen. */
  current(node: NodeId): LaneState | null {
    return this.lanes.get(node)?.segments.last()?.state ?? null;
  }

  /**
   * A role report from the node itself ('role' or 'metrics' events, as folded by
   * src/analysis/nodeView.ts, with a learner apart: laneRole there).
   */
  role(node: NodeId, role: LaneState, term: number, t: number): void {
    const lane = this.lane(node);
    lane.lastRole = role;
    lane.term = term;
    this.enter(lane, role, term, t);
  }

  /** The process stopped running (killed, stopped, crashed, exited) or has not started yet. */
  down(node: NodeId, t: number): void {
    const lane = this.lane(node);
    this.enter(lane, 'down', lane.term, t);
  }

  paused(node: NodeId, t: number): void {
    const lane = this.lane(node);
    this.enter(lane, 'paused', lane.term, t);
  }

  /** A paused process continues exactly where it stopped, role included. */
  resumed(node: NodeId, t: number): void {
    const lane = this.lane(node);
    this.enter(lane, lane.lastRole, lane.term, t);
  }

  /**
   * A (re)started process comes back as a follower (§5.2: every server starts as one);
   * its own role events take over from there.
   */
  started(node: NodeId, t: number): void {
    const lane = this.lane(node);
    lane.lastRole = 'follower';
    this.enter(lane, 'follower', lane.term, t);
  }

  /** Closes every open segment at `t` (the run ended). */
  closeAll(t: number): void {
    for (const lane of this.lanes.values()) {
      const open = lane.segments.last();
      if (open && open.end === null) lane.segments.replaceLast({ ...open, end: Math.max(open.start, t) });
    }
  }

  /** Forgets a node (removed from the cluster and from the view). */
  forget(node: NodeId): void {
    this.lanes.delete(node);
  }

  clear(): void {
    this.lanes.clear();
  }

  private lane(node: NodeId): Lane {
    let lane = this.lanes.get(node);
    if (!lane) {
      lane = { segments: new RingBuffer<Segment>(this.maxSegmentsPerNode), lastRole: 'follower', term: 0 };
      this.lanes.set(node, lane);
    }
    return lane;
  }

  private enter(lane: Lane, state: LaneState, term: number, t: number): void {
    const open = lane.segments.last();
    if (open && open.end === null) {
      if (open.state === state && open.term === term) return;
      lane.segments.replaceLast({ ...open, end: Math.max(open.start, t) });
    }
    lane.segments.push({ state, term, start: t, end: null });
  }
}
