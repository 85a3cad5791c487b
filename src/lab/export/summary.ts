/**
 * summary.json: the headline numbers of a run (fields documented in docs/formats.md).
 */
import type { NodeId } from '../../raft/types';
import { effectiveTimeoutRange, type ClusterOptions } from '../../contract/clusterOptions';
import type { HistoryOp, RunEvent, Summary } from '../../contract/runEvents';
import { analyzeElections } from '../../analysis/elections';
import { percentile, round, sortedNumbers } from '../../analysis/percentile';
import { checkLinearizability, type LinearizabilityResult } from '../checkers/linearizability';

export interface SummaryOptions {
  runId?: string;
  /** A result computed elsewhere (e.g. by the async checker); otherwise checked here. */
  linearizability?: LinearizabilityResult;
  /** Time budget for checking here, in ms (default 10 000). */
  checkBudgetMs?: number;
  expectations?: Summary['expectations'];
  /** Overrides the duration derived from the events. */
  durationMs?: number;
  /** The run's configuration, when the events do not carry it (default: the 'run' started event's options). */
  options?: ClusterOptions;
}

/** Start and end of the run: the 'run' events, else the first and last times seen. */
export function runSpan(events: readonly RunEvent[], history: readonly HistoryOp[]): { start: number; end: number } {
  let start: number | null = null;
  let end: number | null = null;
  let first = Infinity;
  let last = -Infinity;
  for (const e of events) {
    if (e.type === 'run') {
      if (e.phase === 'started' && start === null) start = e.t;
      if (e.phase === 'stopped') end = e.t;
    }
    if (Number.isFinite(e.t)) {
      first = Math.min(first, e.t);
      last = Math.max(last, e.t);
    }
  }
  for (const op of history) {
    if (Number.isFinite(op.return)) last = Math.max(last, op.return);
    if (Number.isFinite(op.call)) first = Math.min(first, op.call);
  }
  const s = start ?? (Number.isFinite(first) ? Math.min(0, first) : 0);
  const e = end ?? (Number.isFinite(last) ? last : s);
  return { start: s, end: Math.max(s, e) };
}

/** Nodes of the run: the initial cluster size and every node that ever reported. */
function countNodes(events: readonly RunEvent[]): number {
  const nodes = new Set<NodeId>();
  for (const e of events) {
    if (e.node !== null && e.node !== undefined) nodes.add(e.node);
    if (e.type === 'run' && e.phase === 'started' && e.options) for (let n = 1; n <= e.options.nodes; n++) nodes.add(n);
    if (e.type === 'membership') nodes.add(e.target);
  }
  return nodes.size;
}

const isWrite = (op: HistoryOp): boolean => op.op !== 'get';

/**
 * Refusals per node and reason over the run, from the metrics samples' `refused` counts.
 * Those count since the node's process started, so a count that goes down is a restart: the
 * earlier incarnation's last count is banked and the new one added on top.
 */
export function countRefusals(events: readonly RunEvent[]): Record<string, Record<string, number>> {
  const banked = new Map<NodeId, Map<string, number>>();
  const last = new Map<NodeId, Map<string, number>>();
  for (const e of events) {
    if (e.type !== 'metrics' || e.node === null || !e.refused) continue;
    const prev = last.get(e.node) ?? new Map<string, number>();
    const bank = banked.get(e.node) ?? new Map<string, number>();
    const restarted = [...prev].some(([reason, n]) => (e.refused![reason] ?? 0) < n);
    if (restarted) for (const [reason, n] of prev) bank.set(reason, (bank.get(reason) ?? 0) + n);
    last.set(e.node, new Map(Object.entries(e.refused)));
    banked.set(e.node, bank);
  }
  const out: Record<string, Record<string, number>> = {};
  for (const [node, counts] of last) {
    const total: Record<string, number> = {};
    for (const [reason, n] of banked.get(node) ?? []) total[reason] = n;
    for (const [reason, n] of counts) total[reason] = (total[reason] ?? 0) + n;
    const reasons = Object.keys(total).filter((r) => total[r] > 0).sort();
    if (reasons.length > 0) out[String(node)] = Object.fromEntries(reasons.map((r) => [r, total[r]]));
  }
  return out;
}

export function computeSummary(events: readonly RunEvent[], history: readonly HistoryOp[], opts: SummaryOptions = {}): Summary {
  const span = runSpan(events, history);
  const durationMs = opts.durationMs ?? span.end - span.start;
  let runId = opts.runId ?? '';
  let options: ClusterOptions | null = null;
  let faults = 0;
  const violations: Summary['violations'] = [];
  for (const ev of events) {
    if (ev.type === 'run' && ev.phase === 'started' && ev.runId && !opts.runId) runId = ev.runId;
    if (ev.type === 'run' && ev.phase === 'started' && ev.options && options === null) options = ev.options;
    if (ev.type === 'fault' && ev.action === 'apply') faults++;
    if (ev.type === 'violation') violations.push({ property: ev.property, message: ev.message, t: ev.t });
  }
  const elections = analyzeElections(events);
  const samples = elections.samples.map((s) => round(s, 1));
  const sortedSamples = sortedNumbers(samples);
  const ops = { ok: 0, fail: 0, info: 0 };
  const latencies: number[] = [];
  for (const op of history) {
    ops[op.status]++;
    if (op.status === 'ok' && isWrite(op)) latencies.push(op.return - op.call);
  }
  const sortedLatencies = sortedNumbers(latencies);
  const lin = opts.linearizability ?? checkLinearizability(history as HistoryOp[], { timeBudgetMs: opts.checkBudgetMs ?? 10_000 });
  const summary: Summary = {
    runId,
    nodes: countNodes(events),
    options: opts.options ?? options,
    ...((opts.options ?? options) ? { timeoutRandomness: effectiveTimeoutRange((opts.options ?? options)!).text } : {}),
    durationMs: round(durationMs, 1),
    leaderChanges: elections.leaderChanges,
    electionMs: {
      count: samples.length,
      p50: percentile(sortedSamples, 50),
      p99: percentile(sortedSamples, 99),
      max: sortedSamples.length > 0 ? sortedSamples[sortedSamples.length - 1] : null,
      samples,
    },
    transfers: {
      count: elections.transfers.filter((i) => i.end !== null).length,
      samples: elections.transfers.filter((i) => i.end !== null).map((i) => round((i.end as number) - i.start, 1)),
    },
    commitLatencyMs: {
      p50: nullableRound(percentile(sortedLatencies, 50)),
      p99: nullableRound(percentile(sortedLatencies, 99)),
    },
    throughputOpsPerSec: durationMs > 0 ? round(ops.ok / (durationMs / 1000), 1) : 0,
    ops,
    faults,
    violations,
    linearizable: lin.result,
  };
  if (lin.result !== true) summary.linearizability = lin.reason;
  if (lin.result === false && lin.counterexample) {
    const c = lin.counterexample;
    summary.linearizabilityWitness = { key: c.key, valueBefore: c.valueBefore, op: c.op, linearizedTail: c.linearizedTail };
  }
  if (opts.expectations) summary.expectations = opts.expectations;
  const refusals = countRefusals(events);
  if (Object.keys(refusals).length > 0) summary.refusals = refusals;
  const clocks = clocksOf(events);
  if (Object.keys(clocks).length > 0) summary.clocks = clocks;
  return summary;
}

function nullableRound(v: number | null): number | null {
  return v === null ? null : round(v, 3);
}

/** To 3 decimals, upward: a rounded bound must still be a bound. */
function roundUp(v: number): number {
  return Math.ceil(v * 1000) / 1000;
}

/** Each remote node's last clock estimate, with the count and the widest bound (Summary.clocks). */
function clocksOf(events: readonly RunEvent[]): NonNullable<Summary['clocks']> {
  const out: NonNullable<Summary['clocks']> = {};
  for (const ev of events) {
    if (ev.type !== 'clock' || ev.node === null) continue;
    const before = out[String(ev.node)];
    out[String(ev.node)] = {
      host: ev.host,
      offsetMs: round(ev.offsetMs, 3),
      boundMs: roundUp(ev.boundMs),
      delayMs: round(ev.delayMs, 3),
      samples: ev.samples,
      estimates: (before?.estimates ?? 0) + 1,
      maxBoundMs: roundUp(Math.max(before?.maxBoundMs ?? 0, ev.boundMs)),
    };
  }
  return out;
}
