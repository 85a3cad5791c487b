/**
 * The exports built from the flight recorder's journals (docs/formats.md): `messages.jsonl`
 * (every peer message, send paired with receipts or drop), `shiviz.log` (the same as a
 * ShiViz log with vector clocks) and the message arrows of `trace.json` (flow events).
 * All of them replay the journals (src/replay), which also checks every step.
 */
import { collectMessages, type MessageRecord } from '../../replay/messages';
import { loadRunReplays } from '../../replay/runReplay';
import { JOURNAL_CLOCK_FILE, journalDirOf, readRunClock } from '../../replay/runFiles';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceEvent } from './traceJson';

export interface RunMessages {
  messages: MessageRecord[];
  /** Replay mismatches met while collecting (each a determinism bug; `raftlab check` lists them). */
  mismatches: number;
  nodes: number[];
}

/**
 * Records the run's t = 0 on the nodes' shared clock, so journal times (wall-clock ms) can be
 * given, like every other run file's, in ms since the run started (docs/formats.md).
 */
export function writeJournalClock(runDir: string, runStartWallMs: number): void {
  const dir = journalDirOf(runDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, JOURNAL_CLOCK_FILE), JSON.stringify({ runStartWallMs }) + '\n', { mode: 0o600 });
}

/**
 * Every message of the run, times in ms since the run started, or null when the run has no
 * journal (recording off, or an older run). Without journal/clock.json, t = 0 is the earliest
 * node start.
 */
export function runMessages(runDir: string): RunMessages | null {
  const { replays } = loadRunReplays(runDir);
  if (replays.length === 0) return null;
  const { messages, mismatches } = collectMessages(replays);
  const zero = readRunClock(runDir) ?? Math.min(...replays.map((r) => r.span?.from ?? Infinity));
  for (const m of messages) {
    m.sentAt -= zero;
    for (let i = 0; i < m.receivedAt.length; i++) m.receivedAt[i] -= zero;
  }
  return { messages, mismatches, nodes: replays.map((r) => r.node) };
}

/** One JSON object per line, in send order (fields: docs/formats.md, "messages.jsonl"). */
export function toMessagesJsonl(m: RunMessages): string {
  let out = '';
  for (const x of m.messages) out += JSON.stringify(x) + '\n';
  return out;
}

/** The regular expression to paste into ShiViz's "log parsing regular expression" box. */
export const SHIVIZ_REGEX = '(?<host>\\S+) (?<clock>\\{.*\\})\\n(?<event>.*)';
/** ShiViz slows to a crawl beyond some tens of thousands of events: the log stops there and says so. */
export const SHIVIZ_MAX_EVENTS = 50_000;

/**
 * A ShiViz log (https://bestchai.bitbucket.io/shiviz/): two lines per event, the host and
 * its vector clock as JSON, then the event's text. Sends tick the sender's clock and carry
 * it; a receipt merges the carried clock and ticks the receiver's. Paste SHIVIZ_REGEX as the
 * parsing expression. Events are ordered by the shared clock, a send before its receipts.
 */
export function toShivizLog(m: RunMessages): { text: string; events: number; truncated: boolean } {
  type Ev = { t: number; kind: 0 | 1; msg: MessageRecord; at: number };
  const evs: Ev[] = [];
  for (const msg of m.messages) {
    evs.push({ t: msg.sentAt, kind: 0, msg, at: msg.sentAt });
    for (const r of msg.receivedAt) evs.push({ t: Math.max(r, msg.sentAt), kind: 1, msg, at: r });
  }
  evs.sort((a, b) => a.t - b.t || a.kind - b.kind);
  const clocks = new Map<number, Record<string, number>>();
  const carried = new Map<MessageRecord, Record<string, number>>();
  const clockOf = (n: number) => {
    let c = clocks.get(n);
    if (!c) clocks.set(n, (c = {}));
    return c;
  };
  const lines: string[] = [];
  const truncated = evs.length > SHIVIZ_MAX_EVENTS;
  for (const e of evs.slice(0, SHIVIZ_MAX_EVENTS)) {
    const host = e.kind === 0 ? e.msg.from : e.msg.to;
    const c = clockOf(host);
    if (e.kind === 1) {
      const sent = carried.get(e.msg);
      if (sent) for (const [k, v] of Object.entries(sent)) c[k] = Math.max(c[k] ?? 0, v);
    }
    c[`node${host}`] = (c[`node${host}`] ?? 0) + 1;
    if (e.kind === 0) carried.set(e.msg, { ...c });
    const fields = Object.entries(e.msg.fields).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    const what = e.kind === 0
      ? `send ${e.msg.type} ${e.msg.id} to node${e.msg.to} term ${e.msg.term} ${fields}${e.msg.dropped ? ` (dropped: ${e.msg.dropped})` : ''}`
      : `receive ${e.msg.type} ${e.msg.id} from node${e.msg.from} term ${e.msg.term} ${fields}`;
    lines.push(`node${host} ${JSON.stringify(c)}`, what);
  }
  return { text: lines.join('\n') + '\n', events: Math.min(evs.length, SHIVIZ_MAX_EVENTS), truncated };
}

/** Above this many messages trace.json draws only the non-heartbeat ones, then counts per bucket. */
export const TRACE_MAX_FLOWS = 20_000;
const TID_MESSAGES = 4;
const BUCKET_MS = 100;

/**
 * Flow events for trace.json: per message a 1 µs slice on the sender's "messages" thread at
 * the send and one on the receiver's at each receipt, bound by a flow ('s' then 'f'), so
 * Perfetto draws an arrow between the node tracks. Above TRACE_MAX_FLOWS messages the
 * heartbeats (and their replies) are left out first, then everything beyond the limit, and
 * a "messages/100ms" counter per node stands in for them; `note` says so (it goes into the
 * trace's otherData).
 */
export function messageFlows(m: RunMessages): { events: TraceEvent[]; note: Record<string, unknown> } {
  const us = (ms: number) => Math.round(ms * 1000);
  const all = m.messages.filter((x) => x.receivedAt.length > 0 || x.dropped);
  let drawn = all;
  let aggregated = false;
  if (all.length > TRACE_MAX_FLOWS) {
    aggregated = true;
    drawn = all.filter((x) => x.type !== 'heartbeat' && x.type !== 'heartbeatResp').slice(0, TRACE_MAX_FLOWS);
  }
  const events: TraceEvent[] = [];
  let id = 0;
  for (const x of drawn) {
    id++;
    const name = `${x.type} ${x.from}→${x.to}`;
    const args = { id: x.id, term: x.term, ...x.fields, ...(x.dropped ? { dropped: x.dropped } : {}) };
    events.push({ name, ph: 'X', ts: us(x.sentAt), dur: 1, pid: x.from, tid: TID_MESSAGES, cat: 'message', args });
    if (x.receivedAt.length === 0) continue; // dropped: a send slice with its reason, no arrow
    events.push({ name, ph: 's', ts: us(x.sentAt), pid: x.from, tid: TID_MESSAGES, cat: 'message', id });
    const r = x.receivedAt[0];
    events.push({ name, ph: 'X', ts: us(r), dur: 1, pid: x.to, tid: TID_MESSAGES, cat: 'message', args });
    events.push({ name, ph: 'f', bp: 'e', ts: us(r), pid: x.to, tid: TID_MESSAGES, cat: 'message', id });
  }
  for (const n of m.nodes) events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: n, tid: TID_MESSAGES, args: { name: 'messages' } });
  if (aggregated) {
    const buckets = new Map<string, number>();
    for (const x of m.messages) {
      const k = `${x.from}|${Math.floor(x.sentAt / BUCKET_MS)}`;
      buckets.set(k, (buckets.get(k) ?? 0) + 1);
    }
    for (const [k, count] of buckets) {
      const [node, b] = k.split('|').map(Number);
      events.push({ name: 'messages/100ms', ph: 'C', ts: us(b * BUCKET_MS), pid: node, tid: 0, args: { sent: count } });
    }
  }
  const note = {
    total: m.messages.length,
    drawn: drawn.length,
    aggregated,
    ...(aggregated ? { why: `more than ${TRACE_MAX_FLOWS} messages: heartbeats and messages beyond the limit are not drawn as arrows; the "messages/100ms" counter per node counts every message` } : {}),
    replayMismatches: m.mismatches,
  };
  return { events, note };
}
