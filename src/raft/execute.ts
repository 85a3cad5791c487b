/**
 * The one executor of a step's `Outputs`: it walks them as an ordered list of effects and
 * hands each effect to a driver's `OutputSink`. Every driver calls it (the node runtime, the
 * simulator, the unit-test network, the core bench), so the order written on `Outputs` in
 * types.ts is carried out by this code and nowhere else: the simulator's seeds test the
 * order production runs, and a change of the order is made once, here.
 *
 * The effects, in order (a kind appears only when the step produced it; `send`, `result`
 * and `event` once per item):
 *
 *   replicate...                                              a leader's AppendEntries, in parallel with its own write
 *   saveSnapshot  truncateLog  appendEntries  saveHardState   the writes, each one durable
 *   sync                                                      barrier: every write above is durable
 *   restoreStateMachine  acknowledge  send...                 only after the barrier
 *   apply  result...  saveTakenSnapshot  compactLog  takeSnapshot  event...
 *
 * `replicate` is `send` of the step's `append` and `heartbeat` messages, carried out first
 * when the step's only write is new entries (a leader replicating what it appends, thesis
 * §10.2.1): see `replicatesEarly` and rule 0 of the contract in types.ts. It goes to the
 * sink's `send`; only its place in the order (and so the crash points) differs.
 *
 * Drivers differ in how long an effect takes, not in the order. A sink method returns
 * nothing when its effect is done at once (the simulator, the tests, the bench: no promise
 * is made per step), or a promise when the effect finishes later (the node's fsync off the
 * event loop, a yield in a long apply); the executor then continues with the next effect
 * when that promise settles, and its own result becomes a promise.
 *
 * `stopBefore: k` ends the walk before effect k, as a crash there would (the simulator
 * crashes nodes between any two effects, including between the writes of one save).
 *
 * Pure: no I/O, no clocks, no Node imports.
 */
import type { Entry, HardState, Message, Outputs, RaftEvent, Result, Snapshot } from './types';

/** What carrying out an effect returns: nothing when it is done, or a promise of its end. */
export type EffectDone = void | PromiseLike<unknown>;

export type EffectKind =
  | 'replicate'
  | 'saveSnapshot'
  | 'truncateLog'
  | 'appendEntries'
  | 'saveHardState'
  | 'sync'
  | 'restoreStateMachine'
  | 'acknowledge'
  | 'send'
  | 'apply'
  | 'result'
  | 'saveTakenSnapshot'
  | 'compactLog'
  | 'takeSnapshot'
  | 'event';

/** Every effect kind, in the order the executor carries them out. */
export const EFFECT_ORDER: readonly EffectKind[] = [
  'replicate',
  'saveSnapshot',
  'truncateLog',
  'appendEntries',
  'saveHardState',
  'sync',
  'restoreStateMachine',
  'acknowledge',
  'send',
  'apply',
  'result',
  'saveTakenSnapshot',
  'compactLog',
  'takeSnapshot',
  'event',
];

/** How a driver carries out each effect. See `Outputs` in types.ts for what each one means. */
export interface OutputSink {
  /** Write the leader's snapshot durably (it supersedes the log up to its index). */
  saveSnapshot(snapshot: Snapshot): EffectDone;
  /** Delete every log entry with index >= `from`. */
  truncateLog(from: number): EffectDone;
  /** Append `entries` to the log. */
  appendEntries(entries: readonly Entry[]): EffectDone;
  /** Write term, vote and commit. Always after the entries of the same step (see types.ts). */
  saveHardState(hardState: HardState): EffectDone;
  /** Barrier: every write of this step is durable once this effect is done. */
  sync(): EffectDone;
  /** Rebuild the state machine from the snapshot just made durable. */
  restoreStateMachine(snapshot: Snapshot): EffectDone;
  /** Feed `{type:'persisted', index, term}` back to the core (after this step, not inside it). */
  acknowledge(index: number, term: number): EffectDone;
  send(message: Message): EffectDone;
  /** Apply committed entries, in index order. */
  apply(entries: readonly Entry[]): EffectDone;
  result(result: Result): EffectDone;
  /** Write the snapshot the caller took (completed by the core with its term and config). */
  saveTakenSnapshot(snapshot: Snapshot): EffectDone;
  /** The log may be discarded up to and including `index`. */
  compactLog(index: number): EffectDone;
  /** The core would like a snapshot of the state machine at `index` (answer with snapshotTaken). */
  takeSnapshot(index: number): EffectDone;
  event(event: RaftEvent): EffectDone;
}

export interface CarryOutOptions {
  /** Stop before effect number `stopBefore` (0-based), as a crash there would. */
  stopBefore?: number;
  /** Asked after each effect that returned a promise: true ends the walk (the node stopped). */
  halted?: () => boolean;
}

/** True when the step asks for any write (and so for the `sync` barrier). */
export function persists(out: Outputs): boolean {
  return out.snapshot !== undefined || out.truncateFrom !== undefined || out.entries.length > 0 || out.hardState !== undefined;
}

/** A message only a leader sends to replicate its log: AppendEntries, with or without entries. */
function isReplication(m: Message): boolean {
  return m.type === 'append' || m.type === 'heartbeat';
}

/**
 * True when the step's replication messages go out before its writes (rule 0 of the
 * ordering contract, types.ts): its only write is new entries (no snapshot, no truncation,
 * no hard state), so the term and vote its messages carry were made durable by an earlier
 * step, and only the entries are still on their way to the disk. The leader still counts
 * itself in the quorum only at `acknowledge`, after its own `sync` (thesis §10.2.1).
 */
export function replicatesEarly(out: Outputs): boolean {
  return out.entries.length > 0 && out.snapshot === undefined && out.truncateFrom === undefined && out.hardState === undefined;
}

function earlyCount(out: Outputs): number {
  if (!replicatesEarly(out)) return 0;
  let n = 0;
  for (const m of out.messages) if (isReplication(m)) n++;
  return n;
}

/** How many effects carrying out `out` takes. */
export function effectCount(out: Outputs): number {
  let n = 0;
  if (out.snapshot !== undefined) n += 2; // saveSnapshot, restoreStateMachine
  if (out.truncateFrom !== undefined) n++;
  if (out.entries.length > 0) n += 2; // appendEntries, acknowledge
  if (out.hardState !== undefined) n++;
  if (persists(out)) n++; // sync
  n += out.messages.length;
  if (out.committed.length > 0) n++;
  n += out.results.length;
  if (out.snapshotTaken !== undefined) n++;
  if (out.compactTo !== undefined) n++;
  if (out.snapshotWanted !== undefined) n++;
  return n + out.events.length;
}

/** The kind of effect number `k` of `out` (0-based), or undefined past the last one. */
export function effectKindAt(out: Outputs, k: number): EffectKind | undefined {
  if (k < 0) return undefined;
  let left = k;
  for (const kind of EFFECT_ORDER) {
    const n = countOf(out, kind);
    if (left < n) return kind;
    left -= n;
  }
  return undefined;
}

/** Index of the first effect of `kind` in `out`, or -1 when the step has none. */
export function firstEffectOf(out: Outputs, kind: EffectKind): number {
  let k = 0;
  for (const each of EFFECT_ORDER) {
    const n = countOf(out, each);
    if (each === kind) return n > 0 ? k : -1;
    k += n;
  }
  return -1;
}

function countOf(out: Outputs, kind: EffectKind): number {
  switch (kind) {
    case 'replicate':
      return earlyCount(out);
    case 'saveSnapshot':
    case 'restoreStateMachine':
      return out.snapshot !== undefined ? 1 : 0;
    case 'truncateLog':
      return out.truncateFrom !== undefined ? 1 : 0;
    case 'appendEntries':
    case 'acknowledge':
      return out.entries.length > 0 ? 1 : 0;
    case 'saveHardState':
      return out.hardState !== undefined ? 1 : 0;
    case 'sync':
      return persists(out) ? 1 : 0;
    case 'send':
      return out.messages.length - earlyCount(out);
    case 'apply':
      return out.committed.length > 0 ? 1 : 0;
    case 'result':
      return out.results.length;
    case 'saveTakenSnapshot':
      return out.snapshotTaken !== undefined ? 1 : 0;
    case 'compactLog':
      return out.compactTo !== undefined ? 1 : 0;
    case 'takeSnapshot':
      return out.snapshotWanted !== undefined ? 1 : 0;
    case 'event':
      return out.events.length;
  }
}

/**
 * Carries out `out` against `sink` in the order of the ordering contract. Returns the number
 * of effects carried out (all of them, unless `stopBefore` or `halted` ended the walk early),
 * at once when every effect finished at once, otherwise as a promise.
 */
export function carryOut(out: Outputs, sink: OutputSink, options?: CarryOutOptions): number | Promise<number> {
  return walk(out, sink, 0, options?.stopBefore ?? Number.POSITIVE_INFINITY, options?.halted);
}

/**
 * `carryOut` for drivers whose every effect finishes at once (simulator, tests, bench).
 * Throws if a sink method returned a promise: a synchronous driver that did so would let
 * later effects (messages!) overtake an unfinished write.
 */
export function carryOutNow(out: Outputs, sink: OutputSink, stopBefore?: number): number {
  const done = walk(out, sink, 0, stopBefore ?? Number.POSITIVE_INFINITY, undefined, true);
  return done as number;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== undefined && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** Continues the walk at effect `next` once `pending` settles (its rejection propagates). */
function resume(out: Outputs, sink: OutputSink, next: number, stop: number, halted: (() => boolean) | undefined, pending: PromiseLike<unknown>): Promise<number> {
  return Promise.resolve(pending).then(() => (halted?.() ? next : walk(out, sink, next, stop, halted)));
}

function refuseAsync(kind: EffectKind): never {
  throw new Error(`carryOutNow: the sink's ${kind} returned a promise; use carryOut and await it`);
}

/**
 * Walks the effects from number `from`. Written out kind by kind (no table of closures) so
 * a synchronous driver pays only a few comparisons per step: the core bench runs millions.
 * Every effect follows the same pattern: skip it when resuming past it, stop before it when
 * asked, carry it out, and hand the rest of the walk to `resume` if it returned a promise.
 */
function walk(out: Outputs, sink: OutputSink, from: number, stop: number, halted: (() => boolean) | undefined, sync = false): number | Promise<number> {
  let k = 0;
  let r: EffectDone;
  const messages = out.messages;
  const early = out.entries.length > 0 && replicatesEarly(out);

  // 0. REPLICATE: a leader's AppendEntries leave while its own write is under way (§10.2.1).
  if (early) {
    for (let i = 0; i < messages.length; i++) {
      if (!isReplication(messages[i])) continue;
      if (k >= from) {
        if (k >= stop) return k;
        r = sink.send(messages[i]);
        if (isPromiseLike(r)) return sync ? refuseAsync('replicate') : resume(out, sink, k + 1, stop, halted, r);
      }
      k++;
    }
  }
  const writesFrom = k;

  // 1. PERSIST: snapshot, log change, hard state, then the barrier.
  if (out.snapshot !== undefined) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.saveSnapshot(out.snapshot);
      if (isPromiseLike(r)) return sync ? refuseAsync('saveSnapshot') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }
  if (out.truncateFrom !== undefined) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.truncateLog(out.truncateFrom);
      if (isPromiseLike(r)) return sync ? refuseAsync('truncateLog') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }
  const entries = out.entries;
  if (entries.length > 0) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.appendEntries(entries);
      if (isPromiseLike(r)) return sync ? refuseAsync('appendEntries') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }
  if (out.hardState !== undefined) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.saveHardState(out.hardState);
      if (isPromiseLike(r)) return sync ? refuseAsync('saveHardState') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }
  if (k > writesFrom) {
    // k > writesFrom here exactly when the step wrote something: the barrier follows the writes.
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.sync();
      if (isPromiseLike(r)) return sync ? refuseAsync('sync') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }
  if (out.snapshot !== undefined) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.restoreStateMachine(out.snapshot);
      if (isPromiseLike(r)) return sync ? refuseAsync('restoreStateMachine') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }

  // 2. ACKNOWLEDGE the last entry now durable.
  if (entries.length > 0) {
    if (k >= from) {
      if (k >= stop) return k;
      const last = entries[entries.length - 1];
      r = sink.acknowledge(last.index, last.term);
      if (isPromiseLike(r)) return sync ? refuseAsync('acknowledge') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }

  // 3. SEND (what rule 0 did not send already).
  for (let i = 0; i < messages.length; i++) {
    if (early && isReplication(messages[i])) continue;
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.send(messages[i]);
      if (isPromiseLike(r)) return sync ? refuseAsync('send') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }

  // 4. APPLY.
  if (out.committed.length > 0) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.apply(out.committed);
      if (isPromiseLike(r)) return sync ? refuseAsync('apply') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }

  // 5. Results, the snapshot taken, compaction, snapshots wanted, events.
  const results = out.results;
  for (let i = 0; i < results.length; i++, k++) {
    if (k < from) continue;
    if (k >= stop) return k;
    r = sink.result(results[i]);
    if (isPromiseLike(r)) return sync ? refuseAsync('result') : resume(out, sink, k + 1, stop, halted, r);
  }
  if (out.snapshotTaken !== undefined) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.saveTakenSnapshot(out.snapshotTaken);
      if (isPromiseLike(r)) return sync ? refuseAsync('saveTakenSnapshot') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }
  if (out.compactTo !== undefined) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.compactLog(out.compactTo);
      if (isPromiseLike(r)) return sync ? refuseAsync('compactLog') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }
  if (out.snapshotWanted !== undefined) {
    if (k >= from) {
      if (k >= stop) return k;
      r = sink.takeSnapshot(out.snapshotWanted);
      if (isPromiseLike(r)) return sync ? refuseAsync('takeSnapshot') : resume(out, sink, k + 1, stop, halted, r);
    }
    k++;
  }
  const events = out.events;
  for (let i = 0; i < events.length; i++, k++) {
    if (k < from) continue;
    if (k >= stop) return k;
    r = sink.event(events[i]);
    if (isPromiseLike(r)) return sync ? refuseAsync('event') : resume(out, sink, k + 1, stop, halted, r);
  }
  return k;
}
