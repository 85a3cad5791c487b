/**
 * The checker's view of one node's durable log: for every index after the snapshot base,
 * the entry's term, its hash and the rolling hash of the whole prefix up to it. Built only
 * from observed log mutations (append, truncate, snapshot, compaction), never by asking the
 * core, so a core that lies about its log is still caught.
 */
import { EMPTY_PREFIX } from './hash';

/** Marks a prefix hash the checker could not establish (skips comparisons, never fails them). */
export const UNKNOWN_PREFIX = -1;

export class LogMirror {
  /** Index covered by the snapshot (0 = none); entries start at baseIndex + 1. */
  baseIndex = 0;
  baseTerm = 0;
  basePrefix = EMPTY_PREFIX;
  private terms: number[] = [];
  private hashes: number[] = [];
  private prefixes: number[] = [];

  get lastIndex(): number {
    return this.baseIndex + this.terms.length;
  }

  get lastTerm(): number {
    return this.terms.length > 0 ? this.terms[this.terms.length - 1] : this.baseTerm;
  }

  /** Term at `index`, or undefined when it is compacted away or beyond the log. */
  termAt(index: number): number | undefined {
    if (index === this.baseIndex) return this.baseTerm;
    const i = index - this.baseIndex - 1;
    return i >= 0 && i < this.terms.length ? this.terms[i] : undefined;
  }

  hashAt(index: number): number | undefined {
    const i = index - this.baseIndex - 1;
    return i >= 0 && i < this.hashes.length ? this.hashes[i] : undefined;
  }

  /** Prefix hash up to `index` (the base counts), or undefined when not held. */
  prefixAt(index: number): number | undefined {
    if (index === this.baseIndex) return this.basePrefix;
    const i = index - this.baseIndex - 1;
    return i >= 0 && i < this.prefixes.length ? this.prefixes[i] : undefined;
  }

  /** Drops every entry with index >= from (never the base). */
  truncateFrom(from: number): void {
    const keep = Math.max(0, from - this.baseIndex - 1);
    if (keep < this.terms.length) {
      this.terms.length = keep;
      this.hashes.length = keep;
      this.prefixes.length = keep;
    }
  }

  push(term: number, hash: number, prefix: number): void {
    this.terms.push(term);
    this.hashes.push(hash);
    this.prefixes.push(prefix);
  }

  /** Replaces the whole log with a snapshot base (a received snapshot, §7). */
  resetTo(index: number, term: number, prefix: number): void {
    this.baseIndex = index;
    this.baseTerm = term;
    this.basePrefix = prefix;
    this.terms = [];
    this.hashes = [];
    this.prefixes = [];
  }

  /** Discards entries up to and including `index`, which becomes the new base. */
  compactTo(index: number): void {
    if (index <= this.baseIndex) return;
    if (index > this.lastIndex) {
      this.resetTo(index, this.termAt(index) ?? 0, UNKNOWN_PREFIX);
      return;
    }
    const drop = index - this.baseIndex;
    this.baseTerm = this.terms[drop - 1];
    this.basePrefix = this.prefixes[drop - 1];
    this.baseIndex = index;
    this.terms = this.terms.slice(drop);
    this.hashes = this.hashes.slice(drop);
    this.prefixes = this.prefixes.slice(drop);
  }
}
