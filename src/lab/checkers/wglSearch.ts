/**
 * Linearizability search for the history of one key: the Wing–Gong algorithm with Lowe's
 * memoization, as implemented by Porcupine (Athalye) and described by Lowe, "Testing for
 * linearizability" (2017).
 *
 * The acknowledged operations become a list of call and return entries in time order. At
 * any point the call entries before the first return entry are the operations that may be
 * linearized next. The search linearizes one (removing its call and return from the list:
 * "lift"), recurses, and backtracks when it reaches the return of an operation it has not
 * yet linearized. A configuration (set of linearized operations, register state) that was
 * seen before cannot succeed now either, so it is cut (the cache).
 *
 * Operations of unknown outcome ('info') may have taken effect at any time after their call,
 * or never: they have a call entry but no return entry (they return at +infinity), and the
 * search succeeds once every acknowledged operation is linearized. (Trying them only when
 * the scan gets stuck, Lowe's "just-in-time" idea, was measured much slower here: the
 * wrong decisions it defers are found far deeper in the tree.)
 *
 * One more sound reduction: a read that is legal in the current state is linearized at once
 * and its alternatives are not explored. Any linearization from here can move the read to
 * the front (it does not change the state and nothing has to precede it any more), so the
 * alternatives are dominated.
 *
 * The search is resumable: `run` stops at a deadline and a later call continues, so a big
 * check can share the event loop.
 */
import type { HistoryOp } from '../../contract/runEvents';
import { isRead, stepRegister, type RegisterState } from './kvModel';

export type SearchStatus = 'linearizable' | 'not-linearizable' | 'paused' | 'out-of-memory';

/** What the deepest dead end looked like, for the report. */
export interface DeadEnd {
  /** The acknowledged operation that could not be linearized. */
  blocked: HistoryOp;
  /** Register value after the longest linearizable prefix found. */
  valueBefore: RegisterState;
  /** How many operations that prefix holds. */
  linearizedCount: number;
  /** Its last operations (at most 20), oldest first. */
  linearizedTail: HistoryOp[];
}

const NONE = -1;
/** How many loop iterations between clock reads. */
const CLOCK_EVERY = 1024;

/** A small deterministic PRNG (xorshift32) for the Zobrist hash of linearized sets. */
function zobristTable(n: number): Int32Array {
  const table = new Int32Array(n);
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    table[i] = x;
  }
  return table;
}

/** One decision on the DFS stack. */
interface Frame {
  /** The lifted call entry. */
  entry: number;
  /** State before the choice. */
  state: RegisterState;
  /** A read taken greedily: its alternatives need no exploring. */
  forced: boolean;
}

export class KeySearch {
  private readonly ops: HistoryOp[];
  // Entry list: 0 is the head sentinel, 1..E the entries, E+1 the tail sentinel.
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly opOf: Int32Array;
  /** For a call entry: its return entry, or NONE for an info operation. NONE for returns. */
  private readonly returnOf: Int32Array;
  private readonly isCall: Uint8Array;
  private readonly readOp: Uint8Array;
  private readonly zobrist: Int32Array;

  private readonly bits: Uint32Array;
  private hash = 0;
  private state: RegisterState;
  /** Where the scan is. */
  private entry: number;
  private pendingReturns: number;
  private readonly stack: Frame[] = [];

  private readonly cache = new Map<number, Array<{ bits: Uint32Array; state: RegisterState }>>();
  private readonly stateIds = new Map<string, number>();
  private cacheBytes = 0;
  private readonly maxCacheBytes: number;

  private deepest = -1;
  private deadEnd: DeadEnd | null = null;
  private finished: SearchStatus | null = null;
  /** Loop iterations so far (for diagnostics). */
  steps = 0;

  /**
   * @param ops the key's operations: ok ones and info writes (fail ops and info reads
   *            already removed)
   * @param initial the register before the run (absent: null)
   */
  constructor(ops: HistoryOp[], initial: RegisterState = null, maxCacheBytes = 256 * 1024 * 1024) {
    this.ops = ops;
    const n = ops.length;
    this.state = initial;
    this.maxCacheBytes = maxCacheBytes;
    this.bits = new Uint32Array(Math.max(1, Math.ceil(n / 32)));
    this.zobrist = zobristTable(n);
    this.readOp = new Uint8Array(n);

    type Ev = { time: number; call: boolean; op: number };
    const evs: Ev[] = [];
    ops.forEach((op, i) => {
      this.readOp[i] = isRead(op) ? 1 : 0;
      evs.push({ time: op.call, call: true, op: i });
      if (op.status === 'ok') evs.push({ time: op.return, call: false, op: i });
    });
    // Calls before returns at equal times: touching operations count as concurrent, the
    // permissive reading of millisecond timestamps (Porcupine does the same).
    evs.sort((a, b) => a.time - b.time || (a.call === b.call ? a.op - b.op : a.call ? -1 : 1));
    const e = evs.length;
    this.next = new Int32Array(e + 2);
    this.prev = new Int32Array(e + 2);
    this.opOf = new Int32Array(e + 2).fill(NONE);
    this.returnOf = new Int32Array(e + 2).fill(NONE);
    this.isCall = new Uint8Array(e + 2);
    const returnEntry = new Int32Array(n).fill(NONE);
    evs.forEach((ev, k) => {
      const idx = k + 1;
      this.opOf[idx] = ev.op;
      this.isCall[idx] = ev.call ? 1 : 0;
      if (!ev.call) returnEntry[ev.op] = idx;
    });
    evs.forEach((ev, k) => {
      if (ev.call) this.returnOf[k + 1] = returnEntry[ev.op];
    });
    for (let i = 0; i <= e + 1; i++) {
      this.next[i] = i + 1;
      this.prev[i] = i - 1;
    }
    this.pendingReturns = e - n; // one return entry per ok operation
    this.entry = this.next[0];
  }

  /** The outcome so far (null while unfinished). */
  get status(): SearchStatus | null {
    return this.finished;
  }

  get deadEndReport(): DeadEnd | null {
    return this.deadEnd;
  }

  /** Bytes held by the configuration cache (an estimate). */
  get memoryBytes(): number {
    return this.cacheBytes;
  }

  /**
   * Searches until done or until `now() >= deadline`.
   * @returns 'linearizable', 'not-linearizable', 'out-of-memory', or 'paused' (call again)
   */
  run(deadline: number, now: () => number = () => performance.now()): SearchStatus {
    if (this.finished) return this.finished;
    const { next, isCall, opOf, readOp, ops } = this;
    let counter = 0;
    while (this.pendingReturns > 0) {
      if (++counter === CLOCK_EVERY) {
        counter = 0;
        this.steps += CLOCK_EVERY;
        if (now() >= deadline) return 'paused';
        if (this.cacheBytes > this.maxCacheBytes) return this.finish('out-of-memory');
      }
      const entry = this.entry;
      if (!isCall[entry]) {
        // The return of an operation not yet linearized: nothing left to try at this depth.
        this.noteDeadEnd(opOf[entry]);
        if (!this.backtrack()) return this.finish('not-linearizable');
        continue;
      }
      const op = opOf[entry];
      const after = stepRegister(this.state, ops[op]);
      if (after !== undefined) {
        this.setBit(op);
        if (this.remember(after)) {
          this.stack.push({ entry, state: this.state, forced: readOp[op] === 1 });
          this.state = after;
          this.lift(entry);
          this.entry = next[0];
          continue;
        }
        this.clearBit(op);
        if (readOp[op] === 1) {
          // Linearizing this read leads to a configuration already known to fail, and it
          // dominates every alternative here (see the file comment): a dead end.
          if (!this.backtrack()) return this.finish('not-linearizable');
          continue;
        }
      }
      this.entry = next[entry];
    }
    this.steps += counter;
    return this.finish('linearizable');
  }

  private finish(status: SearchStatus): SearchStatus {
    this.finished = status;
    return status;
  }

  /**
   * Undoes decisions until one whose alternatives are worth trying (greedy reads are
   * skipped over) and positions the scan after it. False when the stack is exhausted.
   */
  private backtrack(): boolean {
    for (;;) {
      const f = this.stack.pop();
      if (f === undefined) return false;
      this.state = f.state;
      this.clearBit(this.opOf[f.entry]);
      this.unlift(f.entry);
      if (f.forced) continue;
      this.entry = this.next[f.entry];
      return true;
    }
  }

  private noteDeadEnd(blockedEntryOp: number): void {
    const depth = this.stack.length;
    if (depth <= this.deepest) return;
    this.deepest = depth;
    const tail = this.stack.slice(-20).map((f) => this.ops[this.opOf[f.entry]]);
    this.deadEnd = { blocked: this.ops[blockedEntryOp], valueBefore: this.state, linearizedCount: depth, linearizedTail: tail };
  }

  private setBit(op: number): void {
    this.bits[op >>> 5] |= 1 << (op & 31);
    this.hash ^= this.zobrist[op];
  }

  private clearBit(op: number): void {
    this.bits[op >>> 5] &= ~(1 << (op & 31));
    this.hash ^= this.zobrist[op];
  }

  private stateId(state: RegisterState): number {
    if (state === null) return 0;
    let id = this.stateIds.get(state);
    if (id === undefined) {
      id = this.stateIds.size + 1;
      this.stateIds.set(state, id);
    }
    return id;
  }

  /** Adds (linearized set, state) to the cache; false when it was already there. */
  private remember(state: RegisterState): boolean {
    const key = (this.hash ^ Math.imul(this.stateId(state), 0x85ebca6b)) | 0;
    let bucket = this.cache.get(key);
    if (bucket) {
      for (const c of bucket) if (c.state === state && sameBits(c.bits, this.bits)) return false;
    } else {
      bucket = [];
      this.cache.set(key, bucket);
    }
    bucket.push({ bits: this.bits.slice(), state });
    this.cacheBytes += this.bits.byteLength + 64;
    return true;
  }

  /** Removes a call entry and its return entry from the list. */
  private lift(call: number): void {
    const { next, prev } = this;
    next[prev[call]] = next[call];
    prev[next[call]] = prev[call];
    const ret = this.returnOf[call];
    if (ret !== NONE) {
      next[prev[ret]] = next[ret];
      prev[next[ret]] = prev[ret];
      this.pendingReturns--;
    }
  }

  /** Puts back what `lift` removed, in reverse order (dancing links). */
  private unlift(call: number): void {
    const { next, prev } = this;
    const ret = this.returnOf[call];
    if (ret !== NONE) {
      prev[next[ret]] = ret;
      next[prev[ret]] = ret;
      this.pendingReturns++;
    }
    prev[next[call]] = call;
    next[prev[call]] = call;
  }
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
