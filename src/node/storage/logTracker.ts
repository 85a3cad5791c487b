/**
 * The shape of the Raft log as the write-ahead log describes it: which indexes are held
 * and with which terms, plus (during recovery) the entries themselves.
 *
 * Replay and live writes apply the same three operations, so the rules live here once:
 *   - append: entries must continue exactly at the next index (the log is contiguous);
 *   - truncate(from): entries >= from are superseded by what follows (§5.3, conflicts);
 *   - snapshot(S, T): entries <= S are covered by the snapshot; if the log holds S with a
 *     different term, the whole log is discarded (§7, InstallSnapshot receiver rule 6-7).
 *
 * Terms are kept as runs (first index of each term), a few dozen numbers even for a long
 * log, so the writer can answer "term at index" without holding entries.
 */
import type { Entry } from '../../raft/types';

interface TermRun {
  start: number;
  term: number;
}

export class LogTracker {
  /** First index held (meaningful when the log is non-empty). */
  private first = 0;
  /**
   * Index the next appended entry must have, or null while unknown: replay of a log whose
   * oldest segments were compacted away starts without knowing where the log begins.
   */
  private next: number | null;
  private runs: TermRun[] = [];
  private entries: Entry[] | null;

  /**
   * @param keepEntries hold the entries themselves (recovery) rather than only their terms.
   * @param startAfter  when known, the index the log continues after (snapshot index or 0).
   */
  constructor(keepEntries: boolean, startAfter: number | null) {
    this.entries = keepEntries ? [] : null;
    this.next = startAfter === null ? null : startAfter + 1;
    if (this.next !== null) this.first = this.next;
  }

  /** Last index held, or (next - 1) when empty; 0 when nothing is known. */
  get lastIndex(): number {
    return this.next === null ? 0 : this.next - 1;
  }

  get firstIndex(): number {
    return this.first;
  }

  get isEmpty(): boolean {
    return this.next === null || this.first >= this.next;
  }

  /** The term of the entry at `index`, or undefined when the log does not hold it. */
  termAt(index: number): number | undefined {
    if (this.isEmpty || index < this.first || index >= (this.next as number)) return undefined;
    for (let i = this.runs.length - 1; i >= 0; i--) if (this.runs[i].start <= index) return this.runs[i].term;
    return undefined;
  }

  /** Throws a plain Error describing the problem when the batch does not continue the log. */
  append(batch: readonly Entry[]): void {
    if (batch.length === 0) return;
    const start = batch[0].index;
    for (let i = 1; i < batch.length; i++) {
      if (batch[i].index !== start + i) {
        throw new Error(`entries are not contiguous: index ${batch[i].index} follows ${batch[i - 1].index}`);
      }
      if (batch[i].term < batch[i - 1].term) {
        throw new Error(`entry ${batch[i].index} has term ${batch[i].term}, lower than the term before it`);
      }
    }
    if (this.next === null) {
      this.first = start;
    } else if (start !== this.next) {
      throw new Error(`entries are not contiguous: expected index ${this.next}, got ${start}`);
    } else if (!this.isEmpty) {
      const prevTerm = this.termAt(start - 1) as number;
      if (batch[0].term < prevTerm) throw new Error(`entry ${start} has term ${batch[0].term}, lower than the term before it`);
    }
    for (const e of batch) {
      const lastRun = this.runs[this.runs.length - 1];
      if (!lastRun || lastRun.term !== e.term) this.runs.push({ start: e.index, term: e.term });
      this.entries?.push(e); // one by one: spreading a huge batch would overflow the call stack
    }
    this.next = start + batch.length;
  }

  /** Removes every entry with index >= from (§5.3: a conflicting entry and all that follow it). */
  truncate(from: number): void {
    if (this.next === null) {
      this.next = from;
      this.first = from;
      return;
    }
    if (from >= this.next) return;
    if (from <= this.first) {
      this.clear(from);
      return;
    }
    while (this.runs.length > 0 && this.runs[this.runs.length - 1].start >= from) this.runs.pop();
    if (this.entries) this.entries.length = from - this.first;
    this.next = from;
  }

  /**
   * A snapshot at (index, term) became durable. Entries it covers are dropped; when the log
   * holds `index` with another term it conflicts with the snapshot and is discarded whole.
   */
  snapshot(index: number, term: number): void {
    if (this.next === null) return; // nothing known yet: later records will say where the log is
    const heldTerm = this.termAt(index);
    if (heldTerm !== undefined && heldTerm !== term) {
      this.clear(index + 1);
    } else if (heldTerm !== undefined) {
      this.dropThrough(index);
    } else if (index >= this.next - 1) {
      // The log ends before the snapshot: nothing of it survives.
      this.clear(index + 1);
    }
    // Otherwise index < first: the snapshot is older than what the log already starts after.
  }

  /** A copy of the log shape (never of the entries): save() validates a batch on it first. */
  clone(): LogTracker {
    const copy = new LogTracker(false, null);
    copy.first = this.first;
    copy.next = this.next;
    copy.runs = this.runs.slice();
    return copy;
  }

  /** The entries held (recovery only). */
  heldEntries(): Entry[] {
    if (!this.entries) throw new Error('LogTracker was created without keepEntries');
    return this.entries;
  }

  /** Stop holding entries (after recovery hands them out) and keep only the term runs. */
  releaseEntries(): void {
    this.entries = null;
  }

  private dropThrough(index: number): void {
    if (this.entries) this.entries.splice(0, index + 1 - this.first);
    let keepFrom = 0;
    while (keepFrom + 1 < this.runs.length && this.runs[keepFrom + 1].start <= index + 1) keepFrom++;
    this.runs = this.runs.slice(keepFrom);
    if (this.runs.length > 0 && this.runs[0].start < index + 1) this.runs[0] = { start: index + 1, term: this.runs[0].term };
    this.first = index + 1;
    if (this.first >= (this.next as number)) this.runs = [];
  }

  private clear(next: number): void {
    this.runs = [];
    if (this.entries) this.entries.length = 0;
    this.next = next;
    this.first = next;
  }
}
