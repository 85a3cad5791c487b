/**
 * The filterable event log. Events are kept in one ring buffer per event type, so a flood
 * of one kind (commit, metrics) cannot push rare, important ones (role changes, faults,
 * violations) out of the log. Each entry gets a sequence number at ingestion so a query
 * can merge the per-type buffers back into arrival order.
 */
import { LANE_LABELS } from '../../../src/analysis/legend';
import { shownRole } from '../../../src/analysis/nodeView';
import type { RunEventType } from '../../../src/contract/runEvents';
import type { ShownEvent } from './events';
import { RingBuffer } from './ringBuffer';

export interface LogEntry {
  seq: number;
  event: ShownEvent;
  /** Lower-case searchable text, built on first search. */
  text?: string;
}

export interface LogQuery {
  /** Types to include; null or empty: all types. */
  types?: ReadonlySet<string> | null;
  /**
   * Case-insensitive search in what the row says ("node 3", "term 2", "leader", "partition")
   * and in the event's JSON; a number in the search matches whole numbers only ("node 3" is
   * not "node 30").
   */
  text?: string;
  /** Most entries returned (newest). */
  limit: number;
}

/** Per-type caps: frequent, bulky events get small buffers. */
export const DEFAULT_LOG_CAPS: Partial<Record<RunEventType, number>> & { default: number } = {
  default: 2000,
  metrics: 300,
  commit: 1000,
  apply: 1000,
  workload: 600,
};

export class EventLog {
  private readonly buffers = new Map<string, RingBuffer<LogEntry>>();
  private seq = 0;

  constructor(private readonly caps: Partial<Record<string, number>> & { default: number } = DEFAULT_LOG_CAPS) {}

  append(event: ShownEvent): void {
    let buffer = this.buffers.get(event.type);
    if (!buffer) {
      buffer = new RingBuffer<LogEntry>(this.caps[event.type] ?? this.caps.default);
      this.buffers.set(event.type, buffer);
    }
    buffer.push({ seq: this.seq++, event });
  }

  /** Event types seen so far, sorted. */
  types(): string[] {
    return [...this.buffers.keys()].sort();
  }

  /** Entries held in total (bounded by the sum of the caps). */
  get size(): number {
    let n = 0;
    for (const b of this.buffers.values()) n += b.length;
    return n;
  }

  /** Events ever appended. */
  get total(): number {
    return this.seq;
  }

  /** The newest `limit` matching entries, newest first. */
  query(q: LogQuery): LogEntry[] {
    const needle = (q.text ?? '').trim().toLowerCase();
    const types = q.types && q.types.size > 0 ? q.types : null;
    const picked: LogEntry[] = [];
    for (const [type, buffer] of this.buffers) {
      if (types && !types.has(type)) continue;
      // Walk each buffer from its newest end: at most `limit` matches per type can make the cut.
      let found = 0;
      for (let i = buffer.length - 1; i >= 0 && found < q.limit; i--) {
        const entry = buffer.at(i) as LogEntry;
        if (needle && !containsWhole(searchText(entry), needle)) continue;
        picked.push(entry);
        found++;
      }
    }
    // Newest first by the event's own time, which is not arrival order: node events come in
    // batches (every 100 ms per node), so a row that arrived later can be older.
    picked.sort((a, b) => b.event.t - a.event.t || b.seq - a.seq);
    return picked.slice(0, q.limit);
  }

  clear(): void {
    this.buffers.clear();
    this.seq = 0;
  }
}

/** What a search looks through: the row as shown (who, type, description), the term, and the JSON. */
function searchText(entry: LogEntry): string {
  const e = entry.event;
  const term = 'term' in e && typeof e.term === 'number' ? ` term ${e.term}` : '';
  entry.text ??= `${e.node === null ? 'lab' : `node ${e.node}`} ${e.type} ${describeEvent(e)}${term} ${JSON.stringify(e)}`.toLowerCase();
  return entry.text;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** `needle` in `text`, where a number at either end of the needle must not continue into more digits. */
function containsWhole(text: string, needle: string): boolean {
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
    if (isDigit(needle[0]) && isDigit(text[i - 1])) continue;
    if (isDigit(needle[needle.length - 1]) && isDigit(text[i + needle.length])) continue;
    return true;
  }
  return false;
}

/** A one-line human description of an event for the log view. */
export function describeEvent(e: ShownEvent): string {
  switch (e.type) {
    case 'role':
      return `${LANE_LABELS[shownRole({ role: e.role, preCandidate: e.preCandidate === true })]} in term ${e.term}${e.leader !== null ? ` (leader: node ${e.leader})` : ''}`;
    case 'vote':
      return `${e.preVote ? 'pre-vote' : 'vote'} for node ${e.to} in term ${e.term}: ${e.granted ? 'granted' : `refused${e.reason ? ` (${e.reason})` : ''}`}`;
    case 'election':
      return `${e.preVote ? 'pre-vote ' : ''}election ${e.phase} in term ${e.term}${e.reason ? ` (${e.reason})` : ''}`;
    case 'commit':
      return `commit index ${e.index}`;
    case 'apply':
      return `applied index ${e.index} (term ${e.term})`;
    case 'snapshot':
      return `snapshot ${e.phase} at index ${e.index}`;
    case 'config':
      return `configuration at index ${e.index}: voters ${e.config.voters.join(', ')}${e.config.outgoing?.length ? ` (joint with ${e.config.outgoing.join(', ')})` : ''}`;
    case 'transfer':
      return `leadership transfer to node ${e.to} ${e.phase}${e.reason ? ` (${e.reason})` : ''}`;
    case 'quorumLost':
      return `lost quorum in term ${e.term}, stepping down`;
    case 'faultRules':
      return `fault rules: ${e.rules.length} link rule(s), timer rate ${e.timerRate}, fsync delay ${e.fsyncDelayMs} ms${e.aimed && e.aimed.length > 0 ? `, aimed rules hit ${e.aimed.map((a) => a.hits).join('/')} time(s)` : ''}${e.speed !== undefined && e.speed !== 1 ? `, speed ${e.speed}x` : ''}`;
    case 'log':
      return `${e.level}: ${e.message}`;
    case 'metrics':
      return `metrics: ${e.role}, term ${e.term}, commit ${e.commit}, applied ${e.applied}, last ${e.lastIndex}`;
    case 'ready':
      return `ready (pid ${e.pid})`;
    case 'run':
      return `run ${e.phase}${e.runId ? ` (${e.runId})` : ''}`;
    case 'process':
      return `process ${e.state}${e.pid !== undefined ? ` (pid ${e.pid})` : ''}${e.code !== undefined && e.code !== null ? `, exit code ${e.code}` : ''}${e.signal ? `, signal ${e.signal}` : ''}${e.message ? `: ${e.message}` : ''}`;
    case 'fault':
      return `fault ${e.action}: ${e.description}`;
    case 'violation':
      return `VIOLATION of ${e.property}: ${e.message}`;
    case 'membership':
      return `membership ${e.action} node ${e.target}${e.action === 'add' && e.learners?.includes(e.target) ? ' as learner' : ''}; voters ${e.voters.join(', ')}${e.learners && e.learners.length > 0 ? `; learners ${e.learners.join(', ')}` : ''}`;
    case 'workload':
      return `workload: ${e.opsPerSec.toFixed(0)} ops/s, p50 ${fmtMs(e.p50Ms)}, p99 ${fmtMs(e.p99Ms)} (ok ${e.ok}, fail ${e.fail}, info ${e.info})`;
    case 'telemetryGap':
      return `telemetry gap: ${e.missed} batch(es) missed`;
    case 'speed':
      return e.speed === 1 ? 'speed: real time (1x)' : `speed: slow motion at ${e.speed}x (lab time runs ${Math.round(1 / e.speed)}x slower than real time)`;
    case 'clock':
      return `clock on ${e.host}: offset ${e.offsetMs.toFixed(3)} ms ± ${e.boundMs.toFixed(3)} ms (round trip ${e.delayMs.toFixed(3)} ms, best of ${e.samples})`;
    case 'held':
      return `held ${e.message.type} from node ${e.message.from} (${e.message.id}, term ${e.message.term}): ${e.message.reason}`;
    case 'debugState':
      return `debugger: ${e.state.frozen ? 'frozen' : 'running'}, ${e.state.heldCount} held, ${e.state.role} in term ${e.state.term}${e.state.breakReason ? `; break: ${e.state.breakReason}` : ''}`;
    case 'debug':
      return `debugger ${e.action}: ${e.description}`;
    case 'step':
      return `scenario step ${e.index + 1} (line ${e.line})${e.skipped ? ' skipped' : ''}: ${e.description}${e.note ? ` — ${e.note}` : ''}`;
    default:
      return JSON.stringify(e satisfies never);
  }
}

function fmtMs(v: number | null): string {
  return v === null ? '–' : `${v.toFixed(1)} ms`;
}
