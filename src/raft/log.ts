import { RaftInvariantError } from './errors';
import type { Entry } from './types';

/**
 * Rough per-entry framing cost used for batching (§5.3 "AppendEntries ... may send more
 * than one for efficiency"): index, term, kind, length prefixes.
 */
export const ENTRY_OVERHEAD_BYTES = 24;

/** Approximate encoded size of an entry, for `maxBytesPerMsg`. */
export function entrySize(e: Entry): number {
  return e.data.byteLength + ENTRY_OVERHEAD_BYTES;
}

/**
 * The in-memory Raft log: every entry after the latest snapshot (§7), in an array with an
 * index offset so that lookups are O(1) and compaction never shifts entry by entry.
 *
 * Index `snapshotIndex` is the last entry the snapshot covers; its term is remembered so the
 * consistency check (§5.3) still works for an AppendEntries whose prevIndex is exactly there.
 * Entries are shared by reference with messages and outputs and must never be mutated.
 */
export class RaftLog {
  private entries: Entry[] = [];
  private offset = 0;
  private offsetTerm = 0;

  /** Last index covered by the snapshot (0 without one). */
  get snapshotIndex(): number {
    return this.offset;
  }

  /** Term of the entry at `snapshotIndex`. */
  get snapshotTerm(): number {
    return this.offsetTerm;
  }

  /** First index still held as an entry. */
  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.entries.length;
  }

  lastTerm(): number {
    const n = this.entries.length;
    return n === 0 ? this.offsetTerm : this.entries[n - 1].term;
  }

  /** Term of the entry at `index`, or -1 when it is compacted away or beyond the end. */
  term(index: number): number {
    const i = index - this.offset;
    if (i === 0) return this.offsetTerm;
    if (i < 0 || i > this.entries.length) return -1;
    return this.entries[i - 1].term;
  }

  /** Does our entry at `index` have `term`? (the §5.3 consistency check) */
  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** The entry at `index`, or undefined when not held. */
  entry(index: number): Entry | undefined {
    const i = index - this.offset - 1;
    return i >= 0 && i < this.entries.length ? this.entries[i] : undefined;
  }

  /** Appends entries that must continue the log exactly (index lastIndex + 1 onwards). */
  append(batch: readonly Entry[]): void {
    if (batch.length === 0) return;
    let expected = this.lastIndex() + 1;
    const arr = this.entries;
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i];
      if (e.index !== expected) {
        throw new RaftInvariantError(`log append out of order: entry ${e.index} where ${expected} was expected`);
      }
      arr.push(e);
      expected++;
    }
  }

  /** Deletes every entry with index >= `index` (a conflicting suffix, §5.3). */
  truncateFrom(index: number): void {
    if (index <= this.offset) {
      throw new RaftInvariantError(`cannot truncate from ${index}: entries up to ${this.offset} are in the snapshot`);
    }
    const keep = index - this.offset - 1;
    if (keep < this.entries.length) this.entries.length = keep;
  }

  /** Entries in [lo, hi), which must be held. */
  slice(lo: number, hi: number): Entry[] {
    if (lo > hi) return [];
    if (lo <= this.offset || hi > this.lastIndex() + 1) {
      throw new RaftInvariantError(`log slice [${lo}, ${hi}) outside held entries (${this.offset + 1}..${this.lastIndex()})`);
    }
    return this.entries.slice(lo - this.offset - 1, hi - this.offset - 1);
  }

  /**
   * Entries from `lo` on, at most `maxEntries` of them and about `maxBytes` in size, but
   * always at least one when any exist (so one huge entry still gets through).
   */
  sliceLimited(lo: number, maxEntries: number, maxBytes: number): Entry[] {
    const start = lo - this.offset - 1;
    if (start < 0) throw new RaftInvariantError(`log slice from ${lo} reaches into the snapshot (${this.offset})`);
    const arr = this.entries;
    const limit = Math.min(arr.length, start + maxEntries);
    if (start >= limit) return [];
    let end = start + 1;
    let bytes = entrySize(arr[start]);
    while (end < limit) {
      bytes += entrySize(arr[end]);
      if (bytes > maxBytes) break;
      end++;
    }
    return arr.slice(start, end);
  }

  /**
   * Index of the first entry of `batch` that we do not already hold with the same term (a
   * conflict or a new entry), or 0 when we hold them all. Entries must lie after the snapshot.
   */
  findConflict(batch: readonly Entry[]): number {
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i];
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * §5.4.1 election restriction: is a log ending at (lastIndex, lastTerm) at least as
   * up-to-date as ours? Later term wins; same term, the longer log wins.
   */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * The largest index <= maxIndex whose entry has exactly `term`, or 0 when we hold none
   * (used by the leader to skip a whole conflicting term, §5.3). Terms never decrease along
   * the log, so this is a binary search.
   */
  lastIndexOfTerm(term: number, maxIndex: number): number {
    let lo = this.offset;
    let hi = Math.min(maxIndex, this.lastIndex());
    if (hi < lo) return 0;
    // Find the largest i in [lo, hi] with term(i) <= term.
    if (this.term(lo) > term) return 0;
    while (lo < hi) {
      const mid = lo + Math.ceil((hi - lo) / 2);
      if (this.term(mid) <= term) lo = mid;
      else hi = mid - 1;
    }
    return this.term(lo) === term ? lo : 0;
  }

  /**
   * The first index we hold (after the snapshot) whose term equals the term at `index`: the
   * follower's hint for a rejected AppendEntries (§5.3).
   */
  firstIndexOfTermAt(index: number): number {
    const t = this.term(index);
    let lo = this.offset + 1;
    let hi = index;
    if (hi < lo) return lo;
    // Find the smallest i in [lo, hi] with term(i) >= t.
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (this.term(mid) >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Drops entries up to and including `index`, now covered by a snapshot (§7). */
  compact(index: number): void {
    if (index <= this.offset) return;
    if (index > this.lastIndex()) {
      throw new RaftInvariantError(`cannot compact to ${index}: the log ends at ${this.lastIndex()}`);
    }
    const term = this.term(index);
    // One O(remaining) copy per snapshot; snapshots are rare compared with appends.
    this.entries = this.entries.slice(index - this.offset);
    this.offset = index;
    this.offsetTerm = term;
  }

  /** Replaces the whole log by a snapshot ending at (index, term) (§7, conflicting or short log). */
  reset(index: number, term: number): void {
    this.entries = [];
    this.offset = index;
    this.offsetTerm = term;
  }
}
