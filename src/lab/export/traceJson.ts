/**
 * trace.json: the run in the Chrome Trace Event format, which Perfetto (ui.perfetto.dev)
 * and chrome://tracing open. Conventions (docs/formats.md):
 * - one process per node (pid = node id, named "Node N"), and pid 0 "Lab" for cluster-wide
 *   things (faults, violations, membership, workload counters);
 * - per node, thread 1 "role": complete ('X') slices named follower /
 *   pre-candidate (PreVote) / candidate / leader (the words of src/analysis/legend.ts);
 *   thread 2 "process": slices for the time the process was down or paused; thread 3
 *   "events": instants for elections;
 * - counters ('C') "term" and "commit" per node (commit at most one sample per 10 ms per
 *   node, plus the last), and "ops/s" and "latency ms" on the Lab process;
 * - faults and violations as global instant events ('i', scope 'g');
 * - the debugger (docs/debugger.md): each action a global instant (cat 'debug'), and the
 *   frozen periods as slices named "frozen" on the Lab's thread 2 "debugger";
 * - slow motion (docs/aimed-faults.md): a "speed" counter on the Lab process, and the periods
 *   below 1x as slices named "slow motion 0.1x" on the Lab's thread 3 "speed";
 * - timestamps in microseconds since the run started.
 */
import type { NodeId } from '../../raft/types';
import type { RunEvent } from '../../contract/runEvents';
import { byTime } from '../../analysis/elections';
import { LANE_LABELS } from '../../analysis/legend';
import type { ShownRole } from '../../analysis/nodeView';
import { runSpan } from './summary';
import { labSteps, speedText } from '../../analysis/labSteps';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'C' | 'i' | 'M' | 's' | 'f';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  s?: 'g' | 'p' | 't';
  cat?: string;
  cname?: string;
  args?: Record<string, unknown>;
  /** Flow events ('s', 'f'): the flow's id, and 'e' to bind the end to the enclosing slice. */
  id?: number;
  bp?: 'e';
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, unknown>;
}

const LAB_PID = 0;
const TID_ROLE = 1;
const TID_PROCESS = 2;
const TID_EVENTS = 3;
/** The Lab process's threads for the debugger's frozen periods and slow motion. */
const TID_LAB_DEBUGGER = 2;
const TID_LAB_SPEED = 3;
const COMMIT_SAMPLE_MS = 10;
/** Reserved Chrome trace colour names; Perfetto picks its own, which is fine. */
const ROLE_COLOUR: Record<ShownRole, string> = { leader: 'good', candidate: 'yellow', preCandidate: 'olive', follower: 'grey' };

const us = (ms: number): number => Math.round(ms * 1000);

interface NodeTrack {
  role: { role: ShownRole; term: number; since: number } | null;
  down: { state: string; since: number } | null;
  paused: number | null;
  lastTerm: number | null;
  commit: { last: number | null; lastEmitT: number; pending: { t: number; v: number } | null };
}

export function toChromeTrace(events: readonly RunEvent[], opts: { runId?: string; endMs?: number } = {}): ChromeTrace {
  const out: TraceEvent[] = [];
  const span = runSpan(events, []);
  const end = opts.endMs ?? span.end;
  const nodes = new Map<NodeId, NodeTrack>();
  const track = (n: NodeId): NodeTrack => {
    let t = nodes.get(n);
    if (!t) {
      t = { role: null, down: null, paused: null, lastTerm: null, commit: { last: null, lastEmitT: -Infinity, pending: null } };
      nodes.set(n, t);
    }
    return t;
  };
  const closeRole = (n: NodeId, tr: NodeTrack, t: number): void => {
    if (!tr.role) return;
    out.push({
      name: LANE_LABELS[tr.role.role],
      ph: 'X',
      ts: us(tr.role.since),
      dur: Math.max(0, us(t) - us(tr.role.since)),
      pid: n,
      tid: TID_ROLE,
      cat: 'role',
      cname: ROLE_COLOUR[tr.role.role],
      args: { term: tr.role.term },
    });
    tr.role = null;
  };
  const processSlice = (n: NodeId, name: string, since: number, t: number): void => {
    out.push({ name, ph: 'X', ts: us(since), dur: Math.max(0, us(t) - us(since)), pid: n, tid: TID_PROCESS, cat: 'process', cname: 'terrible' });
  };
  const term = (n: NodeId, tr: NodeTrack, t: number, value: number): void => {
    if (tr.lastTerm === value) return;
    tr.lastTerm = value;
    out.push({ name: 'term', ph: 'C', ts: us(t), pid: n, tid: 0, args: { term: value } });
  };
  const commit = (n: NodeId, tr: NodeTrack, t: number, value: number): void => {
    const c = tr.commit;
    if (c.last === value) return;
    if (t - c.lastEmitT >= COMMIT_SAMPLE_MS) {
      out.push({ name: 'commit', ph: 'C', ts: us(t), pid: n, tid: 0, args: { commit: value } });
      c.lastEmitT = t;
      c.pending = null;
    } else {
      c.pending = { t, v: value };
    }
    c.last = value;
  };
  const flushCommit = (n: NodeId, tr: NodeTrack, t: number): void => {
    const p = tr.commit.pending;
    if (p && t - tr.commit.lastEmitT >= COMMIT_SAMPLE_MS) {
      out.push({ name: 'commit', ph: 'C', ts: us(p.t), pid: n, tid: 0, args: { commit: p.v } });
      tr.commit.lastEmitT = p.t;
      tr.commit.pending = null;
    }
  };

  for (const ev of byTime(events)) {
    const n = ev.node;
    switch (ev.type) {
      case 'role': {
        if (n === null) break;
        const tr = track(n);
        const shown: ShownRole = ev.role === 'candidate' && ev.preCandidate === true ? 'preCandidate' : ev.role;
        if (!tr.role || tr.role.role !== shown || tr.role.term !== ev.term) {
          closeRole(n, tr, ev.t);
          tr.role = { role: shown, term: ev.term, since: ev.t };
        }
        term(n, tr, ev.t, ev.term);
        break;
      }
      case 'metrics': {
        if (n === null) break;
        const tr = track(n);
        flushCommit(n, tr, ev.t);
        term(n, tr, ev.t, ev.term);
        commit(n, tr, ev.t, ev.commit);
        break;
      }
      case 'commit': {
        if (n === null) break;
        const tr = track(n);
        flushCommit(n, tr, ev.t);
        commit(n, tr, ev.t, ev.index);
        break;
      }
      case 'election':
        if (n === null) break;
        track(n);
        out.push({
          name: `${ev.preVote ? 'pre-vote' : 'election'} ${ev.phase}`,
          ph: 'i',
          s: 't',
          ts: us(ev.t),
          pid: n,
          tid: TID_EVENTS,
          cat: 'election',
          args: { term: ev.term, reason: ev.reason },
        });
        break;
      case 'process': {
        if (n === null) break;
        const tr = track(n);
        if (['killed', 'stopped', 'crashed', 'exited'].includes(ev.state)) {
          closeRole(n, tr, ev.t);
          if (tr.paused !== null) processSlice(n, 'paused', tr.paused, ev.t);
          tr.paused = null;
          if (!tr.down) tr.down = { state: ev.state, since: ev.t };
        } else if (ev.state === 'paused') {
          if (tr.paused === null) tr.paused = ev.t;
        } else if (ev.state === 'resumed') {
          if (tr.paused !== null) processSlice(n, 'paused', tr.paused, ev.t);
          tr.paused = null;
        } else if (ev.state === 'starting' || ev.state === 'started' || ev.state === 'restarted') {
          if (tr.down) processSlice(n, tr.down.state === 'stopped' ? 'stopped' : 'down', tr.down.since, ev.t);
          tr.down = null;
        }
        out.push({ name: ev.state, ph: 'i', s: 't', ts: us(ev.t), pid: n, tid: TID_PROCESS, cat: 'process', args: { pid: ev.pid, code: ev.code, signal: ev.signal } });
        break;
      }
      case 'fault':
        out.push({
          name: `${ev.action === 'heal' ? 'heal' : 'fault'}: ${ev.description}`,
          ph: 'i',
          s: 'g',
          ts: us(ev.t),
          pid: LAB_PID,
          tid: 1,
          cat: 'fault',
          args: { action: ev.action, fault: ev.fault, nodes: ev.nodes },
        });
        break;
      case 'violation':
        out.push({
          name: `violation: ${ev.property}`,
          ph: 'i',
          s: 'g',
          ts: us(ev.t),
          pid: LAB_PID,
          tid: 1,
          cat: 'violation',
          cname: 'terrible',
          args: { message: ev.message, nodes: ev.nodes, term: ev.term, index: ev.index },
        });
        break;
      case 'debug':
        out.push({ name: `debugger ${ev.action}: ${ev.description}`, ph: 'i', s: 'g', ts: us(ev.t), pid: LAB_PID, tid: 1, cat: 'debug', args: { action: ev.action, nodes: ev.nodes, step: ev.step } });
        break;
      case 'speed':
        out.push({ name: 'speed', ph: 'C', ts: us(ev.t), pid: LAB_PID, tid: 0, args: { speed: ev.speed } });
        break;
      case 'membership':
        out.push({ name: `${ev.action} node ${ev.target}`, ph: 'i', s: 'g', ts: us(ev.t), pid: LAB_PID, tid: 1, cat: 'membership', args: { voters: ev.voters } });
        break;
      case 'workload':
        out.push({ name: 'ops/s', ph: 'C', ts: us(ev.t), pid: LAB_PID, tid: 0, args: { ok: ev.opsPerSec } });
        if (ev.p50Ms !== null || ev.p99Ms !== null) out.push({ name: 'latency ms', ph: 'C', ts: us(ev.t), pid: LAB_PID, tid: 0, args: { p50: ev.p50Ms ?? 0, p99: ev.p99Ms ?? 0 } });
        break;
      default:
        if (n !== null) track(n);
        break;
    }
  }
  for (const [n, tr] of nodes) {
    closeRole(n, tr, end);
    if (tr.down) processSlice(n, tr.down.state === 'stopped' ? 'stopped' : 'down', tr.down.since, end);
    if (tr.paused !== null) processSlice(n, 'paused', tr.paused, end);
    const p = tr.commit.pending;
    if (p) out.push({ name: 'commit', ph: 'C', ts: us(p.t), pid: n, tid: 0, args: { commit: p.v } });
  }

  const steps = labSteps(byTime(events));
  const labSlice = (name: string, tid: number, start: number, stop: number | null): TraceEvent => ({ name, ph: 'X', ts: us(start), dur: Math.max(0, us(stop ?? end) - us(start)), pid: LAB_PID, tid, cat: tid === TID_LAB_SPEED ? 'speed' : 'debug' });
  for (const p of steps.frozen) out.push(labSlice('frozen', TID_LAB_DEBUGGER, p.start, p.end));
  for (const p of steps.slowMotion) out.push(labSlice(`slow motion ${speedText(p.speed ?? 1)}`, TID_LAB_SPEED, p.start, p.end));

  const meta: TraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid: LAB_PID, tid: 0, args: { name: 'Lab' } },
    { name: 'process_sort_index', ph: 'M', ts: 0, pid: LAB_PID, tid: 0, args: { sort_index: 0 } },
  ];
  if (steps.frozen.length > 0) meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid: LAB_PID, tid: TID_LAB_DEBUGGER, args: { name: 'debugger' } });
  if (steps.slowMotion.length > 0) meta.push({ name: 'thread_name', ph: 'M', ts: 0, pid: LAB_PID, tid: TID_LAB_SPEED, args: { name: 'speed' } });
  for (const n of [...nodes.keys()].sort((a, b) => a - b)) {
    meta.push(
      { name: 'process_name', ph: 'M', ts: 0, pid: n, tid: 0, args: { name: `Node ${n}` } },
      { name: 'process_sort_index', ph: 'M', ts: 0, pid: n, tid: 0, args: { sort_index: n } },
      { name: 'thread_name', ph: 'M', ts: 0, pid: n, tid: TID_ROLE, args: { name: 'role' } },
      { name: 'thread_name', ph: 'M', ts: 0, pid: n, tid: TID_PROCESS, args: { name: 'process' } },
      { name: 'thread_name', ph: 'M', ts: 0, pid: n, tid: TID_EVENTS, args: { name: 'events' } },
    );
  }
  out.sort((a, b) => a.ts - b.ts);
  return { traceEvents: [...meta, ...out], displayTimeUnit: 'ms', otherData: { runId: opts.runId ?? '', generator: 'raftlab' } };
}
