/**
 * The series the report draws, derived from a run's events and history: role periods per
 * node, down/paused periods, term and commit over time, fault periods, violations, and
 * client throughput and latency per time bucket.
 */
import type { NodeId } from '../../../raft/types';
import type { HistoryOp, RunEvent } from '../../../contract/runEvents';
import { faultKey, LASTING_FAULT_KINDS } from '../../../contract/faultKeys';
import type { ShownRole } from '../../../analysis/nodeView';
import { byTime } from '../../../analysis/elections';
import { percentile, sortedNumbers } from '../../../analysis/percentile';
import { labSteps, type LabSteps } from '../../../analysis/labSteps';

export interface Segment {
  start: number;
  end: number;
  kind: ShownRole | 'learner' | 'down' | 'paused';
  term?: number;
}

export interface FaultPeriod {
  start: number;
  /** Equal to start for instant faults (kill, pause, ...). */
  end: number;
  instant: boolean;
  description: string;
}

export interface OpsBucket {
  /** The bucket's middle (clamped to the end of the run). */
  t: number;
  ok: number;
  fail: number;
  info: number;
  okPerSec: number;
  p50: number | null;
  p99: number | null;
}

export interface RunTimelines {
  start: number;
  end: number;
  nodes: NodeId[];
  roles: Map<NodeId, Segment[]>;
  process: Map<NodeId, Segment[]>;
  term: Map<NodeId, Array<[number, number]>>;
  commit: Map<NodeId, Array<[number, number]>>;
  faults: FaultPeriod[];
  /** When each node left the configuration (its last membership event was a removal). */
  removedAt: Map<NodeId, number>;
  violations: Array<{ t: number; property: string; message: string }>;
  ops: OpsBucket[];
  bucketMs: number;
  /** The debugger's actions and slow motion (src/analysis/labSteps.ts); also in `faults`, so every axis marks them. */
  steps: LabSteps;
}

const LASTING = LASTING_FAULT_KINDS;

export function buildTimelines(events: readonly RunEvent[], history: readonly HistoryOp[], span: { start: number; end: number }): RunTimelines {
  const tl: RunTimelines = {
    start: span.start,
    end: span.end,
    nodes: [],
    roles: new Map(),
    process: new Map(),
    term: new Map(),
    commit: new Map(),
    faults: [],
    removedAt: new Map(),
    violations: [],
    ops: [],
    bucketMs: 1000,
    steps: { frozen: [], slowMotion: [], actions: [], actionCount: 0 },
  };
  const nodeSet = new Set<NodeId>();
  const role = new Map<NodeId, { kind: ShownRole | 'learner'; term: number; since: number }>();
  /** Learners (thesis §4.2.1), from the lab's membership events: a following learner has its own lane colour. */
  const learners = new Set<NodeId>();
  const down = new Map<NodeId, { kind: 'down' | 'paused'; since: number }>();
  const openFaults: Array<{ start: number; key: string; description: string }> = [];
  const list = <K, V>(m: Map<K, V[]>, k: K): V[] => {
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    return l;
  };
  const endRole = (n: NodeId, t: number): void => {
    const r = role.get(n);
    if (r && t > r.since) list(tl.roles, n).push({ start: r.since, end: t, kind: r.kind, term: r.term });
    role.delete(n);
  };
  const endDown = (n: NodeId, t: number): void => {
    const d = down.get(n);
    if (d) list(tl.process, n).push({ start: d.since, end: t, kind: d.kind });
    down.delete(n);
  };
  const point = (m: Map<NodeId, Array<[number, number]>>, n: NodeId, t: number, v: number): void => {
    const l = list(m, n);
    if (l.length === 0 || l[l.length - 1][1] !== v) l.push([t, v]);
  };

  const ordered = byTime(events);
  for (const ev of ordered) {
    const n = ev.node;
    if (n !== null && ev.type !== 'fault' && ev.type !== 'violation' && ev.type !== 'workload') nodeSet.add(n);
    switch (ev.type) {
      case 'role': {
        if (n === null) break;
        const r = role.get(n);
        // A PreVote pre-candidate (thesis §9.6) has its own lane colour, as in the app.
        const shown: ShownRole = ev.role === 'candidate' && ev.preCandidate === true ? 'preCandidate' : ev.role;
        const kind = shown === 'follower' && learners.has(n) ? 'learner' : shown;
        if (!r || r.kind !== kind || r.term !== ev.term) {
          endRole(n, ev.t);
          role.set(n, { kind, term: ev.term, since: ev.t });
        }
        point(tl.term, n, ev.t, ev.term);
        break;
      }
      case 'metrics':
        if (n === null) break;
        point(tl.term, n, ev.t, ev.term);
        point(tl.commit, n, ev.t, ev.commit);
        break;
      case 'commit':
        if (n !== null) point(tl.commit, n, ev.t, ev.index);
        break;
      case 'process':
        if (n === null) break;
        if (['killed', 'stopped', 'crashed', 'exited'].includes(ev.state)) {
          endRole(n, ev.t);
          endDown(n, ev.t);
          down.set(n, { kind: 'down', since: ev.t });
        } else if (ev.state === 'paused') {
          if (!down.has(n)) down.set(n, { kind: 'paused', since: ev.t });
        } else if (['resumed', 'starting', 'started', 'restarted'].includes(ev.state)) {
          endDown(n, ev.t);
        }
        break;
      case 'fault': {
        // A heal names its fault by key (fault:remove), not with the fields it was applied with.
        const key = faultKey(ev.fault) ?? JSON.stringify(ev.fault);
        if (ev.action === 'apply') {
          if (LASTING.has(ev.fault.kind)) openFaults.push({ start: ev.t, key, description: ev.description });
          else tl.faults.push({ start: ev.t, end: ev.t, instant: true, description: ev.description });
        } else {
          for (let i = openFaults.length - 1; i >= 0; i--) {
            if (ev.fault.kind === 'all' || openFaults[i].key === key) {
              const f = openFaults.splice(i, 1)[0];
              tl.faults.push({ start: f.start, end: ev.t, instant: false, description: f.description });
            }
          }
        }
        break;
      }
      case 'membership': {
        if (ev.action === 'remove') tl.removedAt.set(ev.target, ev.t);
        else tl.removedAt.delete(ev.target);
        const wasLearner = learners.has(ev.target);
        if (ev.action === 'add' && (ev.learners ?? []).includes(ev.target)) learners.add(ev.target);
        else learners.delete(ev.target);
        const r = role.get(ev.target);
        if (r && wasLearner !== learners.has(ev.target) && (r.kind === 'follower' || r.kind === 'learner')) {
          endRole(ev.target, ev.t);
          role.set(ev.target, { kind: learners.has(ev.target) ? 'learner' : 'follower', term: r.term, since: ev.t });
        }
        break;
      }
      case 'violation':
        tl.violations.push({ t: ev.t, property: ev.property, message: ev.message });
        break;
      default:
        break;
    }
  }
  for (const n of nodeSet) {
    endRole(n, span.end);
    endDown(n, span.end);
  }
  for (const f of openFaults) tl.faults.push({ start: f.start, end: span.end, instant: false, description: f.description });
  // Done to the run like a fault (issue 11): frozen and slow-motion periods as bands, other debugger actions as instants.
  tl.steps = labSteps(ordered);
  for (const p of [...tl.steps.frozen, ...tl.steps.slowMotion]) tl.faults.push({ start: p.start, end: p.end ?? span.end, instant: false, description: p.description });
  for (const a of tl.steps.actions) tl.faults.push({ start: a.t, end: a.t, instant: true, description: a.description });
  tl.faults.sort((a, b) => a.start - b.start);
  tl.nodes = [...nodeSet].sort((a, b) => a - b);
  buildOps(tl, history);
  return tl;
}

/** Client throughput and latency per bucket (about 120 buckets, at least 1 s each). */
function buildOps(tl: RunTimelines, history: readonly HistoryOp[]): void {
  const duration = tl.end - tl.start;
  tl.bucketMs = Math.max(1000, Math.ceil(duration / 120 / 1000) * 1000);
  const count = Math.max(1, Math.ceil(duration / tl.bucketMs));
  const lat: number[][] = Array.from({ length: count }, () => []);
  tl.ops = Array.from({ length: count }, (_, i) => ({ t: Math.min(tl.end, tl.start + (i + 0.5) * tl.bucketMs), ok: 0, fail: 0, info: 0, okPerSec: 0, p50: null, p99: null }));
  for (const op of history) {
    const at = Number.isFinite(op.return) ? op.return : op.call;
    const i = Math.min(count - 1, Math.max(0, Math.floor((at - tl.start) / tl.bucketMs)));
    tl.ops[i][op.status]++;
    if (op.status === 'ok') lat[i].push(op.return - op.call);
  }
  tl.ops.forEach((b, i) => {
    b.okPerSec = b.ok / (tl.bucketMs / 1000);
    const s = sortedNumbers(lat[i]);
    b.p50 = percentile(s, 50);
    b.p99 = percentile(s, 99);
  });
}
