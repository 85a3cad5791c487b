/**
 * Linearizability checker for the key-value workload (Herlihy & Wing). Keys are independent
 * registers, and linearizability is compositional (P-compositionality, Herlihy & Wing §3.3;
 * Horn & Kroening): the history is linearizable iff each key's sub-history is, so each key
 * is searched on its own (src/lab/checkers/wglSearch.ts).
 *
 * Outcomes as Jepsen/Knossos read them:
 * - 'fail' operations certainly did not happen: dropped.
 * - 'info' operations may or may not have happened: they are pending forever (return time
 *   +infinity), with unknown output. An info read constrains nothing and is dropped; an info
 *   write may be linearized anywhere after its call, or not at all.
 * - An info write whose resulting state no later operation can have seen (no read, cas
 *   expectation or append result shows it) can only be left out, so it is dropped up front
 *   (`mayBeObserved`). One whose value was observed, and which alone could have produced
 *   that value, certainly happened before the observer returned, so it becomes a required
 *   operation with that return time (`pinObservedInfoWrites`). With many timeouts (a
 *   partition) these keep the search small: every pending info write multiplies the places
 *   to try.
 *
 * The check has a time budget and answers 'unknown' when it runs out instead of hanging: the
 * problem is NP-complete (Gibbons & Korach) and adversarial histories exist.
 */
import type { HistoryOp } from '../../contract/runEvents';
import type { RegisterState } from './kvModel';
import { KeySearch, type DeadEnd, type SearchStatus } from './wglSearch';

export type LinearizabilityVerdict = true | false | 'unknown';

export interface LinearizabilityOptions {
  /** Overall time budget in ms (default 10 000). */
  timeBudgetMs?: number;
  /** Budget per key in ms (default: the overall budget). */
  perKeyBudgetMs?: number;
  /** Cap on the memory of one key's search cache, in bytes (default 256 MiB). */
  maxCacheBytes?: number;
  /** Value of every key before the run (default null: absent). */
  initialValue?: string | null;
  /** Clock in ms (tests); default performance.now. */
  now?: () => number;
}

/** Why a key is not linearizable: the deepest point the search reached. */
export interface Counterexample {
  key: string;
  /** The acknowledged operation that no linearization can place. */
  op: HistoryOp;
  /** Register value after the longest linearizable prefix of this key's history. */
  valueBefore: string | null;
  /** How many operations that prefix linearized. */
  linearizedCount: number;
  /** The last operations of that prefix (at most 20), in linearization order. */
  linearizedTail: HistoryOp[];
}

export interface KeyCheck {
  key: string;
  result: LinearizabilityVerdict;
  /** Operations searched (after the reductions). */
  ops: number;
  elapsedMs: number;
  reason?: string;
  counterexample?: Counterexample;
}

export interface LinearizabilityResult {
  result: LinearizabilityVerdict;
  /** One sentence: what was found, or why the answer is unknown. */
  reason: string;
  perKey: Record<string, KeyCheck>;
  /** The first non-linearizable key's counterexample. */
  counterexample?: Counterexample;
  elapsedMs: number;
  ops: { total: number; searched: number; failDropped: number; infoReadsDropped: number; infoUnobservedDropped: number; infoPinned: number };
}

const OPS = new Set(['get', 'put', 'delete', 'cas', 'append']);
const STATUSES = new Set(['ok', 'fail', 'info']);

/** Returns a description of what is wrong with the op, or null when it is well-formed. */
function invalidOp(op: HistoryOp): string | null {
  if (typeof op !== 'object' || op === null) return 'not an object';
  if (!OPS.has(op.op)) return `unknown op ${JSON.stringify(op.op)}`;
  if (!STATUSES.has(op.status)) return `unknown status ${JSON.stringify(op.status)}`;
  if (typeof op.key !== 'string') return 'key must be a string';
  if (typeof op.call !== 'number' || !Number.isFinite(op.call)) return 'call must be a finite number';
  if (op.status === 'ok') {
    if (typeof op.return !== 'number' || !Number.isFinite(op.return)) return 'return must be a finite number';
    if (op.return < op.call) return `returns (${op.return}) before its call (${op.call})`;
  }
  if ((op.op === 'put' || op.op === 'append' || op.op === 'cas') && typeof op.value !== 'string') return `${op.op} needs a string value`;
  if (op.output !== null && op.output !== undefined && typeof op.output !== 'string') return 'output must be a string or null';
  return null;
}

/**
 * A state some operation depends on having seen: what an acknowledged read returned or an
 * acknowledged append built on, or what any cas expected (an info cas counts too: if it
 * took effect, its result may be what a later operation saw).
 */
interface Observation {
  /** The latest it can be linearized (+infinity for an info cas). */
  ret: number;
  /** The state seen (get, cas), or the state after an append (which begins with the old one). */
  value: string | null;
  /** For an acknowledged append: its own value (the rest of `value` is the state it saw). */
  appended?: string;
}

function observationsOf(ops: readonly HistoryOp[]): Observation[] {
  const out: Observation[] = [];
  for (const o of ops) {
    if (o.op === 'cas') out.push({ ret: o.status === 'ok' ? o.return : Infinity, value: o.expect ?? null });
    if (o.status !== 'ok') continue;
    if (o.op === 'get') out.push({ ret: o.return, value: o.output });
    else if (o.op === 'append' && o.output !== null) out.push({ ret: o.return, value: o.output, appended: o.value ?? '' });
  }
  return out;
}

/**
 * Whether some operation that may come after the info write `w` could depend on the state
 * `w` leaves behind. After a put or cas of v, every state until the next blind write (a put
 * or delete) starts with v; after an append of x, every state contains x; appends of unknown
 * outcome only extend those states, and what a cas expects is counted as seen. If nothing
 * can have seen the mark, a linearization that uses `w` stays valid without it (and
 * without the info appends that only built on it), so `w` can be dropped. After a delete
 * the key is absent, seen as null by a read or cas, or as an append whose result is its own
 * value; an info append after a delete would hide the mark, so then the delete is kept.
 */
function mayBeObserved(w: HistoryOp, observations: readonly Observation[], infoAppendAfter: boolean): boolean {
  if (w.op === 'delete' && infoAppendAfter) return true;
  for (const o of observations) {
    if (o.ret < w.call) continue;
    if (w.op === 'delete') {
      if (o.value === null || (o.appended !== undefined && o.value === o.appended)) return true;
    } else if (o.value !== null) {
      if (w.op === 'append' ? o.value.includes(w.value ?? '') : o.value.startsWith(w.value ?? '')) return true;
    }
  }
  return false;
}

/**
 * Splits the history into per-key searchable operations, applying the reductions in the
 * file comment.
 */
function prepare(history: HistoryOp[], initial: RegisterState): {
  byKey: Map<string, HistoryOp[]>;
  counts: LinearizabilityResult['ops'];
} {
  const counts = { total: history.length, searched: 0, failDropped: 0, infoReadsDropped: 0, infoUnobservedDropped: 0, infoPinned: 0 };
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of history) {
    if (op.status === 'fail') {
      counts.failDropped++;
      continue;
    }
    if (op.status === 'info' && op.op === 'get') {
      counts.infoReadsDropped++;
      continue;
    }
    let list = byKey.get(op.key);
    if (!list) byKey.set(op.key, (list = []));
    list.push(op);
  }
  for (const [key, ops] of byKey) {
    const observations = observationsOf(ops);
    // Info appends are pending forever: any of them may land after any delete.
    const hasInfoAppend = ops.some((o) => o.status === 'info' && o.op === 'append');
    const kept = ops.filter((o) => {
      if (o.status !== 'info') return true;
      const seen = mayBeObserved(o, observations, hasInfoAppend);
      if (!seen) counts.infoUnobservedDropped++;
      return seen;
    });
    const pinned = pinObservedInfoWrites(kept, initial);
    counts.infoPinned += pinned.filter((o, i) => o !== kept[i]).length;
    byKey.set(key, pinned);
    counts.searched += kept.length;
  }
  return { byKey, counts };
}

/**
 * An info put or cas whose value v only it can have produced, and which an acknowledged
 * operation observed exactly (a read of v, or a successful cas expecting v), certainly
 * happened, before that observer returned. It becomes a required operation with that
 * return time (and no known output), which spares the search from trying it everywhere.
 * "Only it": no other put or cas writes v, no append's value is a suffix of v (an append
 * could otherwise have built v), and v is not the initial value.
 */
function pinObservedInfoWrites(ops: readonly HistoryOp[], initial: RegisterState): HistoryOp[] {
  const writers = new Map<string, number>();
  const appended = new Set<string>();
  const firstObserved = new Map<string, number>();
  for (const o of ops) {
    if ((o.op === 'put' || o.op === 'cas') && o.value !== null) writers.set(o.value, (writers.get(o.value) ?? 0) + 1);
    if (o.op === 'append') appended.add(o.value ?? '');
    if (o.status !== 'ok') continue;
    const seen = o.op === 'get' ? o.output : o.op === 'cas' ? (o.expect ?? null) : null;
    if (seen !== null) firstObserved.set(seen, Math.min(firstObserved.get(seen) ?? Infinity, o.return));
  }
  const appendCouldBuild = (v: string): boolean => {
    for (let i = 0; i <= v.length; i++) if (appended.has(v.slice(i))) return true;
    return false;
  };
  return ops.map((w) => {
    if (w.status !== 'info' || (w.op !== 'put' && w.op !== 'cas')) return w;
    const v = w.value as string;
    if (writers.get(v) !== 1 || appendCouldBuild(v) || v === initial) return w;
    const by = firstObserved.get(v);
    // An observer that returned before the write was even called is a violation the
    // search will find; pinning would make an interval that ends before it starts.
    if (by === undefined || by < w.call) return w;
    return { ...w, status: 'ok', output: null, return: by };
  });
}

function fmt(v: string | null): string {
  if (v === null) return 'absent';
  return v.length > 40 ? `${JSON.stringify(v.slice(0, 37))}...` : JSON.stringify(v);
}

/** A one-line description of an operation for reports. */
export function describeOp(op: HistoryOp): string {
  const when = `[${op.call.toFixed(1)}, ${op.status === 'ok' ? op.return.toFixed(1) : '∞'}] ms`;
  const who = `client ${op.client}`;
  switch (op.op) {
    case 'get':
      return `${who} get(${op.key}) -> ${fmt(op.output)} ${when}`;
    case 'put':
      return `${who} put(${op.key}, ${fmt(op.value)}) ${op.status} ${when}`;
    case 'delete':
      return `${who} delete(${op.key}) ${op.status} ${when}`;
    case 'cas':
      return `${who} cas(${op.key}, ${fmt(op.expect ?? null)} -> ${fmt(op.value)}) ${op.status} ${when}`;
    case 'append':
      return `${who} append(${op.key}, ${fmt(op.value)}) -> ${fmt(op.output)} ${op.status} ${when}`;
  }
}

function counterexampleOf(key: string, d: DeadEnd): Counterexample {
  return { key, op: d.blocked, valueBefore: d.valueBefore, linearizedCount: d.linearizedCount, linearizedTail: d.linearizedTail };
}

/**
 * Drives the per-key searches. Written as a generator that yields whenever it would like
 * to give the event loop a turn, so the synchronous and the asynchronous entry points share
 * one implementation.
 */
class Checker {
  private readonly budget: number;
  private readonly perKey: number;
  private readonly now: () => number;
  private readonly initial: RegisterState;
  private readonly maxCacheBytes: number;

  constructor(opts: LinearizabilityOptions) {
    this.budget = opts.timeBudgetMs ?? 10_000;
    this.perKey = opts.perKeyBudgetMs ?? this.budget;
    this.now = opts.now ?? (() => performance.now());
    this.initial = opts.initialValue ?? null;
    this.maxCacheBytes = opts.maxCacheBytes ?? 256 * 1024 * 1024;
  }

  /** @param sliceMs search this long between yields; null: never yield */
  *check(history: HistoryOp[], sliceMs: number | null): Generator<void, LinearizabilityResult, void> {
    const start = this.now();
    for (let i = 0; i < history.length; i++) {
      const problem = invalidOp(history[i]);
      if (problem !== null) {
        return {
          result: 'unknown',
          reason: `invalid history: operation #${i} ${problem}`,
          perKey: {},
          elapsedMs: this.now() - start,
          ops: { total: history.length, searched: 0, failDropped: 0, infoReadsDropped: 0, infoUnobservedDropped: 0, infoPinned: 0 },
        };
      }
    }
    const { byKey, counts } = prepare(history, this.initial);
    const overallDeadline = start + this.budget;
    // Small keys first: when the budget runs out, as many keys as possible have an answer.
    const keys = [...byKey.keys()].sort((a, b) => byKey.get(a)!.length - byKey.get(b)!.length || (a < b ? -1 : 1));
    const perKey: Record<string, KeyCheck> = {};
    for (const key of keys) {
      const ops = byKey.get(key)!;
      const keyStart = this.now();
      const deadline = Math.min(overallDeadline, keyStart + this.perKey);
      const search = new KeySearch(ops, this.initial, this.maxCacheBytes);
      let status: SearchStatus;
      for (;;) {
        const sliceEnd = sliceMs === null ? deadline : Math.min(deadline, this.now() + sliceMs);
        status = search.run(sliceEnd, this.now);
        if (status !== 'paused' || this.now() >= deadline) break;
        yield;
      }
      perKey[key] = this.keyCheck(key, ops.length, status, search, this.now() - keyStart);
    }
    return verdict(perKey, counts, this.now() - start);
  }

  private keyCheck(key: string, ops: number, status: SearchStatus, search: KeySearch, elapsedMs: number): KeyCheck {
    const base = { key, ops, elapsedMs };
    const k = JSON.stringify(key);
    switch (status) {
      case 'linearizable':
        return { ...base, result: true };
      case 'not-linearizable': {
        const d = search.deadEndReport;
        if (!d) return { ...base, result: false, reason: `key ${k}: no linearization exists` };
        const reason =
          `key ${k}: ${describeOp(d.blocked)} cannot be linearized; the longest linearizable prefix ` +
          `(${d.linearizedCount} ops) leaves the value ${fmt(d.valueBefore)}`;
        return { ...base, result: false, reason, counterexample: counterexampleOf(key, d) };
      }
      case 'out-of-memory':
        return { ...base, result: 'unknown', reason: `key ${k}: search cache exceeded ${this.maxCacheBytes} bytes` };
      case 'paused':
        return {
          ...base,
          result: 'unknown',
          reason: `key ${k}: time budget ran out after ${Math.round(elapsedMs)} ms (${search.steps} search steps)`,
        };
    }
  }
}

function verdict(perKey: Record<string, KeyCheck>, counts: LinearizabilityResult['ops'], elapsedMs: number): LinearizabilityResult {
  const checks = Object.values(perKey);
  const failed = checks.filter((c) => c.result === false);
  const unknown = checks.filter((c) => c.result === 'unknown');
  const andMore = (n: number): string => (n > 1 ? ` (and ${n - 1} more key${n > 2 ? 's' : ''})` : '');
  if (failed.length > 0) {
    return { result: false, reason: `${failed[0].reason}${andMore(failed.length)}`, perKey, counterexample: failed[0].counterexample, elapsedMs, ops: counts };
  }
  if (unknown.length > 0) {
    return { result: 'unknown', reason: `${unknown[0].reason}${andMore(unknown.length)}`, perKey, elapsedMs, ops: counts };
  }
  return { result: true, reason: `linearizable: ${counts.searched} operations over ${checks.length} keys`, perKey, elapsedMs, ops: counts };
}

/**
 * Checks a history synchronously (blocks the thread for at most about the time budget).
 * Never throws on bad input: a malformed history gives result 'unknown' with the reason.
 */
export function checkLinearizability(history: HistoryOp[], options: LinearizabilityOptions = {}): LinearizabilityResult {
  const run = new Checker(options).check(history, null);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

/**
 * Checks a history without holding the event loop for long: the search runs in slices of
 * `sliceMs` (default 20 ms) with a macrotask turn between them.
 */
export async function checkLinearizabilityAsync(
  history: HistoryOp[],
  options: LinearizabilityOptions & { sliceMs?: number } = {},
): Promise<LinearizabilityResult> {
  const run = new Checker(options).check(history, options.sliceMs ?? 20);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
