/**
 * `raftlab replay` and `raftlab messages`: a recorded run's journals (src/replay), read back
 * through the pure core. Times on the command line are seconds from the run's start (t = 0
 * of events.jsonl, from journal/clock.json; else the earliest node start), e.g. `12.5s`,
 * `1500ms` or `12.5`.
 */
import { collectMessages, type MessageRecord } from '../replay/messages';
import { loadRunReplays, replayRun, describeMismatch } from '../replay/runReplay';
import { headerOnlyMessages, type NodeReplay } from '../replay/nodeReplay';
import type { CoreStateView } from '../replay/coreState';
import { UsageError } from './cliPlans';
import { readRunClock } from '../replay/runFiles';

/** `12.5s`, `1500ms`, `12.5` (seconds) to ms. */
export function parseOffset(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag} must be a time such as 12.5s or 1500ms, got "${text}"`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}

function runStart(replays: readonly NodeReplay[], runDir?: string): number {
  const clock = runDir === undefined ? null : readRunClock(runDir);
  if (clock !== null && replays.length > 0) return clock;
  const starts = replays.map((r) => r.span?.from).filter((t): t is number => t !== undefined);
  if (starts.length === 0) throw new UsageError('this run has no journal (recorded with recording off, or before the flight recorder existed)');
  return Math.min(...starts);
}

function loadReplays(runDir: string): NodeReplay[] {
  const { replays } = loadRunReplays(runDir);
  runStart(replays);
  return replays;
}

/** `raftlab replay RUN --node N (--at T | --step K) [--json]`: one node's whole core state. */
export function cmdReplay(runDir: string, a: { node?: string; at?: string; step?: string; json?: boolean }, out: (s: string) => void): number {
  if (a.node === undefined) throw new UsageError('replay needs --node N');
  if ((a.at === undefined) === (a.step === undefined)) throw new UsageError('replay needs exactly one of --at TIME and --step K');
  const replays = loadReplays(runDir);
  const start = runStart(replays, runDir);
  const r = replays.find((x) => x.node === Number(a.node));
  if (!r) throw new UsageError(`node ${a.node} has no journal in this run (journaled: ${replays.map((x) => x.node).join(', ')})`);
  let state: CoreStateView;
  if (a.step !== undefined) {
    const k = Number(a.step);
    if (!Number.isInteger(k) || k < 0) throw new UsageError(`--step must be a step number (0 or more), got "${a.step}"`);
    state = r.stateAtStep(k);
  } else {
    state = r.stateAtTime(start + parseOffset(a.at!, '--at'));
  }
  out(a.json ? JSON.stringify(state, null, 2) : formatState(state, start));
  return 0;
}

function formatState(s: CoreStateView, start: number): string {
  const lines = [
    `node ${s.node}, incarnation ${s.incarnation}, step ${s.step} (step ${s.globalStep} of the run), at ${((s.t - start) / 1000).toFixed(3)}s`,
    `role ${s.role}${s.preCandidate ? ' (pre-candidate)' : ''}, term ${s.term}, vote ${s.vote || '-'}, leader ${s.leader ?? '-'}`,
    `commit ${s.commit}, applied ${s.applied}, durable ${s.persistedIndex}`,
    `config voters [${s.config.voters.join(', ')}]${s.config.outgoing ? ` joint with [${s.config.outgoing.join(', ')}]` : ''} (from index ${s.configIndex})`,
    `timers: election ${s.timers.electionElapsed}/${s.timers.electionTimeout} ticks, heartbeat ${s.timers.heartbeatElapsed}/${s.timers.heartbeatTimeout}, since leader contact ${s.timers.leaderContactElapsed}`,
    `reads pending ${s.reads.pending} (heartbeat round ${s.reads.heartbeatSeq}); transfer ${s.transfer.target === null ? '-' : `to ${s.transfer.target} (${s.transfer.elapsed} ticks)`}`,
  ];
  if (Object.keys(s.votes).length > 0) lines.push(`votes: ${Object.entries(s.votes).map(([id, g]) => `${id} ${g ? 'granted' : 'refused'}`).join(', ')}`);
  for (const [id, f] of Object.entries(s.followers)) lines.push(`follower ${id}: next ${f.next}, match ${f.match}, ${f.state}, in flight ${f.inflight}${f.recentActive ? '' : ', not recently active'}`);
  const e = s.log.entries;
  lines.push(`log: snapshot up to ${s.log.snapshotIndex} (term ${s.log.snapshotTerm}), last ${s.log.lastIndex} (term ${s.log.lastTerm}), ${e.length} entries held`);
  const shown = e.length > 40 ? [...e.slice(0, 20), null, ...e.slice(-20)] : e;
  for (const x of shown) lines.push(x === null ? `  ... ${e.length - 40} more` : `  ${x.index} term ${x.term} ${x.kind} ${x.size} B${x.index <= s.commit ? '' : ' (uncommitted)'}`);
  return lines.join('\n');
}

export interface MessagesArgs {
  from?: string;
  to?: string;
  type?: string;
  between?: [string, string];
  json?: boolean;
}

/** `raftlab messages RUN [--from A] [--to B] [--type T] [--between T1 T2] [--json]`. */
export function cmdMessages(runDir: string, a: MessagesArgs, out: (s: string) => void): number {
  const replays = loadReplays(runDir);
  const start = runStart(replays, runDir);
  // Level `messages` journals hold receipts only (no sends): listed at their receipt time, said so below.
  const headerOnly = headerOnlyMessages(replays);
  const messages = [...collectMessages(replays).messages, ...headerOnly].sort((x, y) => x.sentAt - y.sentAt);
  const lo = a.between ? start + parseOffset(a.between[0], '--between') : -Infinity;
  const hi = a.between ? start + parseOffset(a.between[1], '--between') : Infinity;
  const keep = (m: MessageRecord) =>
    (a.from === undefined || m.from === Number(a.from)) &&
    (a.to === undefined || m.to === Number(a.to)) &&
    (a.type === undefined || m.type === a.type) &&
    m.sentAt >= lo && m.sentAt <= hi;
  let n = 0;
  for (const m of messages) {
    if (!keep(m)) continue;
    n++;
    if (a.json) {
      out(JSON.stringify(m));
      continue;
    }
    const fate = m.receivedAt.length > 0
      ? `received ${m.receivedAt.map((t) => `${((t - start) / 1000).toFixed(3)}s`).join(', ')}`
      : m.dropped ? `dropped (${m.dropped})` : 'not received';
    if (m.fields.headerOnly) {
      out(`${((m.sentAt - start) / 1000).toFixed(3)}s ${m.id} ${m.from}->${m.to} ${m.type} term ${m.term} received (header only: level messages)`);
      continue;
    }
    const fields = Object.entries(m.fields).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    out(`${((m.sentAt - start) / 1000).toFixed(3)}s ${m.id} ${m.from}->${m.to} ${m.type} term ${m.term} ${fields} ${fate}`);
  }
  if (!a.json) {
    out(`${n} of ${messages.length} messages`);
    const nodes = replays.filter((r) => r.level !== 'full').map((r) => r.node);
    if (nodes.length > 0) out(`node${nodes.length === 1 ? '' : 's'} ${nodes.join(', ')} recorded at level messages: receipts only (headers, at the receipt time); sends and fields need level full`);
  }
  return 0;
}

/** The replay part of `raftlab check`: lines to print and whether it passed (null: no journal). */
export function checkReplay(runDir: string): { lines: string[]; ok: boolean } | null {
  const report = replayRun(runDir);
  if (report.nodes.length === 0) return null;
  const lines = [`replay: ${report.nodes.length} nodes, ${report.steps} steps, ${report.mismatches.length} mismatches (${report.elapsedMs.toFixed(0)} ms)`];
  for (const n of report.nodes) {
    if (n.level !== 'full') lines.push(`  node ${n.node}: recorded at level ${n.level}, not replayable`);
    for (const t of n.torn) lines.push(`  node ${n.node}: torn tail cut: ${t}`);
  }
  for (const m of report.mismatches.slice(0, 20)) lines.push(`  MISMATCH ${describeMismatch(m)}`);
  return { lines, ok: report.mismatches.length === 0 };
}
