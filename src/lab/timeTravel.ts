/**
 * Time travel for the app (issue 10 part 3): a run's journals (src/replay) replayed once and
 * indexed, then asked for every node's core state at a time (`run:stateAt`) and for the
 * messages of a time window (`run:messages`), with counts per bucket when a window holds
 * more than the client can draw.
 *
 * Clocks: the journals carry the shared clock (epoch ms); run events carry ms since the run
 * started (docs/formats.md). The lab writes the run's t = 0 on that clock to journal/clock.json,
 * and this view uses it as `raftlab replay --at` does. Older runs without the file are tied by
 * role changes: the node publishes a role event with the same clock reading, microseconds
 * after the step that made it (src/node/runtime.ts onRaftEvent), so the replay's role change
 * and the recorded 'role' event of the same node, role and term give the offset; the median
 * over pairs is used. A run without any such pair falls back to each incarnation's 'ready'
 * event, which follows the journal's Start record by the sockets' binding time (a few ms).
 *
 * Live runs: the nodes flush their journals as they run; each ask re-reads the journals when
 * their files changed, at most once per LIVE_REFRESH_MS. Each node's replayer keeps its replay
 * cursor (NodeReplay.extend): the core steps only the records added since the last read; the
 * files are still read and decoded whole, and the messages paired again, each time.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from '../contract/runEvents';
import { effectiveTickMs } from '../contract/clusterOptions';
import type { MessageAt, MessagesResponse, MessageType, NodeAt, StateAtResponse, TimelineInfo } from '../contract/labApiTimeTravel';
import { collectMessages } from '../replay/messages';
import { headerOnlyMessages, NodeReplay } from '../replay/nodeReplay';
import { readNodeJournal } from '../replay/journalReader';
import { journalDirOf, journaledNodes, loadNodeSegments, readRunClock } from '../replay/runFiles';

/** A live run's journals are re-read at most this often (ms). */
export const LIVE_REFRESH_MS = 1000;
/** Buckets a too-full window is cut into. */
export const MESSAGE_BUCKETS = 240;
/** How far before a window a send may lie and still be in flight across it (ms). */
const IN_FLIGHT_LOOKBACK_MS = 5000;

/** Process states after which a node runs no more until it starts again (src/contract/runEvents.ts ProcessState). */
const DOWN_STATES = new Set(['killed', 'stopped', 'exited', 'crashed']);

interface NodeIndex {
  replay: NodeReplay;
  /** Run-relative time of every journaled step, in order. */
  stepTimes: number[];
}

/** The tick of the run's nodes, from its 'run' started event's options; null when unrecorded. */
export function runTickMs(events: readonly RunEvent[]): number | null {
  for (const e of events) if (e.type === 'run' && e.phase === 'started' && e.options) return effectiveTickMs(e.options);
  return null;
}

/** One run's journals, replayed and indexed. */
export class RunTimeline {
  readonly info: TimelineInfo;
  private readonly offset: number;
  private readonly nodes: NodeIndex[];
  /** Sorted by send time. */
  private readonly messages: MessageAt[];
  /** Each node's process events (run time, state), in time order. */
  private readonly processes = new Map<number, Array<{ t: number; state: string }>>();

  /** Each node's replayer, kept with its replay cursor so a grown journal steps only its new records. */
  readonly replays: ReadonlyMap<number, NodeReplay>;

  /** `previous`: the replayers of the timeline this one replaces (a live run's last read), to extend. */
  constructor(runDir: string, events: readonly RunEvent[], previous?: ReadonlyMap<number, NodeReplay>) {
    const replays = journaledNodes(runDir).map((id) => {
      const journal = readNodeJournal(loadNodeSegments(runDir, id));
      const prev = previous?.get(id);
      if (!prev) return new NodeReplay(id, journal);
      prev.extend(journal);
      return prev;
    });
    this.replays = new Map(replays.map((r) => [r.node, r]));
    const epochSteps = new Map<number, number[]>();
    const roleSteps: Array<{ t: number; node: number; role: string; term: number; preCandidate: boolean }> = [];
    const { messages, mismatches } = collectMessages(replays, (node, s) => {
      let list = epochSteps.get(node);
      if (!list) epochSteps.set(node, (list = []));
      list.push(s.t);
      for (const e of s.out?.events ?? []) if (e.type === 'role') roleSteps.push({ t: s.t, node, role: e.role, term: e.term, preCandidate: e.preCandidate });
    });
    // One mapping of journal time to run time for the app and the CLI: the lab's clock file
    // when the run has one (the CLI's `--at` reads the same); pairing events only for older runs.
    const runClock = readRunClock(runDir);
    const { offset, method } = runClock !== null ? { offset: runClock, method: 'run clock' as const } : alignClocks(replays, roleSteps, events);
    for (const e of events) {
      if (e.type !== 'process' || e.node === null) continue;
      let list = this.processes.get(e.node);
      if (!list) this.processes.set(e.node, (list = []));
      list.push({ t: e.t, state: e.state });
    }
    for (const list of this.processes.values()) list.sort((a, b) => a.t - b.t);
    this.offset = offset;
    this.nodes = replays.map((r) => ({ replay: r, stepTimes: (epochSteps.get(r.node) ?? []).map((t) => t - offset) }));
    // Level `messages` journals hold receipts only: listed too, at their receipt time.
    const all = [...messages, ...headerOnlyMessages(replays)].sort((a, b) => a.sentAt - b.sentAt);
    this.messages = all.map((m) => ({ ...m, sentAt: m.sentAt - offset, receivedAt: m.receivedAt.map((t) => t - offset) }));
    let from = Infinity;
    let to = -Infinity;
    for (const r of replays) {
      const span = r.span;
      if (!span) continue;
      from = Math.min(from, span.from - offset);
      to = Math.max(to, span.to - offset);
    }
    this.info = {
      runDir,
      fromMs: Number.isFinite(from) ? from : 0,
      toMs: Number.isFinite(to) ? to : 0,
      nodes: replays.map((r) => r.node),
      steps: replays.reduce((n, r) => n + r.stepCount, 0),
      messages: this.messages.length,
      mismatches,
      clockAlignment: method,
      tickMs: runTickMs(events),
      headerOnlyNodes: replays.filter((r) => r.level !== 'full').map((r) => r.node),
      roles: roleSteps.map((r) => ({ ...r, t: r.t - offset })).sort((a, b) => a.t - b.t),
    };
  }

  stateAt(atMs: number): StateAtResponse {
    const nodes: NodeAt[] = this.nodes.map(({ replay, stepTimes }) => {
      try {
        const state = replay.stateAtTime(atMs + this.offset);
        const i = upperBound(stepTimes, atMs); // steps at or before atMs: [0, i)
        return {
          node: replay.node,
          ok: true,
          state: { ...state, t: state.t - this.offset },
          prevStepAt: i > 0 ? stepTimes[i - 1] : null,
          nextStepAt: i < stepTimes.length ? stepTimes[i] : null,
          ...this.downAt(replay.node, atMs),
        };
      } catch (err) {
        return { node: replay.node, ok: false, error: (err as Error).message };
      }
    });
    return { timeline: this.info, atMs, nodes };
  }

  /** `{ down }` when the node's last process event at or before `atMs` took it down. */
  private downAt(node: number, atMs: number): { down?: { since: number; how: string } } {
    let last: { t: number; state: string } | undefined;
    for (const p of this.processes.get(node) ?? []) {
      if (p.t > atMs) break;
      last = p;
    }
    return last && DOWN_STATES.has(last.state) ? { down: { since: last.t, how: last.state } } : {};
  }

  messagesIn(fromMs: number, toMs: number, maxItems: number): MessagesResponse {
    return { timeline: this.info, ...messagesInWindow(this.messages, fromMs, toMs, maxItems) };
  }
}

/**
 * The messages of `sorted` (by send time) sent in [fromMs, toMs] or in flight across it; when
 * more than `maxItems`, counts per bucket and type instead (level of detail). Pure, for the
 * renderer bench's million-message run too.
 */
export function messagesInWindow(sorted: readonly MessageAt[], fromMs: number, toMs: number, maxItems: number): WindowAnswer {
  const lo = lowerBound(sorted, fromMs - IN_FLIGHT_LOOKBACK_MS);
  const hi = upperBoundBy(sorted, toMs);
  const inWindow: MessageAt[] = [];
  for (let i = lo; i < hi; i++) {
    const m = sorted[i];
    if (m.sentAt >= fromMs || lastArrival(m) >= fromMs) inWindow.push(m);
  }
  const base = { fromMs, toMs, total: inWindow.length };
  if (inWindow.length <= maxItems) return { ...base, detail: 'messages', messages: inWindow };
  const bucketMs = Math.max(0.001, (toMs - fromMs) / MESSAGE_BUCKETS);
  const buckets = new Map<number, { t: number; counts: Partial<Record<MessageType, number>>; dropped: number }>();
  for (const m of inWindow) {
    const k = Math.max(0, Math.floor((m.sentAt - fromMs) / bucketMs));
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = { t: fromMs + k * bucketMs, counts: {}, dropped: 0 }));
    b.counts[m.type] = (b.counts[m.type] ?? 0) + 1;
    if (m.dropped !== undefined) b.dropped++;
  }
  return { ...base, detail: 'buckets', bucketMs, buckets: [...buckets.values()].sort((a, b) => a.t - b.t) };
}

function lastArrival(m: MessageAt): number {
  let end = m.sentAt;
  for (const r of m.receivedAt) if (r > end) end = r;
  return end;
}

/** A run:messages answer without its timeline. */
export type WindowAnswer = MessagesResponse extends infer R ? (R extends unknown ? Omit<R, 'timeline'> : never) : never;

/** Index of the first step time > t. */
function upperBound(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBound(ms: readonly MessageAt[], t: number): number {
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms[mid].sentAt < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBoundBy(ms: readonly MessageAt[], t: number): number {
  let lo = 0;
  let hi = ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms[mid].sentAt <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * The journal-clock reading of run time 0 (see the file comment): each node's replayed role
 * changes paired, in order, with its recorded role events of the same role and term.
 */
export function alignClocks(
  replays: readonly NodeReplay[],
  roleSteps: ReadonlyArray<{ t: number; node: number; role: string; term: number; preCandidate: boolean }>,
  events: readonly RunEvent[],
): { offset: number; method: TimelineInfo['clockAlignment'] } {
  const diffs: number[] = [];
  for (const r of replays) {
    const recorded = events.filter((e): e is Extract<RunEvent, { type: 'role' }> => e.type === 'role' && e.node === r.node);
    let j = 0;
    for (const s of roleSteps) {
      if (s.node !== r.node) continue;
      while (j < recorded.length && !(recorded[j].role === s.role && recorded[j].term === s.term)) j++;
      if (j >= recorded.length) break;
      diffs.push(s.t - recorded[j].t);
      j++;
    }
  }
  if (diffs.length > 0) return { offset: median(diffs), method: 'role events' };
  const readyDiffs: number[] = [];
  for (const r of replays) {
    const ready = events.find((e) => e.type === 'ready' && e.node === r.node);
    if (ready && r.span) readyDiffs.push(r.span.from - ready.t);
  }
  if (readyDiffs.length > 0) return { offset: median(readyDiffs), method: 'ready events' };
  const starts = replays.map((r) => r.span?.from).filter((t): t is number => t !== undefined);
  return { offset: starts.length > 0 ? Math.min(...starts) : 0, method: 'journal start' };
}

/** What the journal folder holds now: names and sizes, so a live run is re-read only when it grew. */
function journalSignature(runDir: string): string {
  const parts: string[] = [];
  for (const node of journaledNodes(runDir)) {
    const dir = join(journalDirOf(runDir), `node-${node}`);
    for (const name of readdirSync(dir).sort()) parts.push(`${node}/${name}:${statSync(join(dir, name)).size}`);
  }
  return parts.join('|');
}

/** The lab's cache of timelines, one per run folder asked about. */
export class TimeTravel {
  /** `complete`: built after the run ended, so its journals will not grow any more. */
  private readonly cache = new Map<string, { signature: string; at: number; complete: boolean; timeline: RunTimeline }>();

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /**
   * The timeline of `runDir`. `live`: the run still goes, so its journals may have grown;
   * `events` is asked for only when the journals must be read.
   */
  timeline(runDir: string, live: boolean, events: () => readonly RunEvent[]): RunTimeline {
    const cached = this.cache.get(runDir);
    const now = this.clock();
    if (cached && (cached.complete || (live && now - cached.at < LIVE_REFRESH_MS))) return cached.timeline;
    const signature = journalSignature(runDir);
    if (cached && cached.signature === signature) {
      // A run that just ended flushed nothing new since: keep what was built, now for good.
      cached.at = now;
      cached.complete = !live;
      return cached.timeline;
    }
    if (signature === '') throw new Error('this run has no journal (recorded with recording off, or before the flight recorder existed)');
    // A live run's journals only grow: the replayers of the last read step just the new records.
    const timeline = new RunTimeline(runDir, events(), cached?.timeline.replays);
    // One run at a time is enough for the app: the one shown.
    this.cache.clear();
    this.cache.set(runDir, { signature, at: now, complete: !live, timeline });
    return timeline;
  }
}
