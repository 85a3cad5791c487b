/**
 * Cheap 53-bit hashes for the safety checkers. Logs are compared through rolling prefix
 * hashes (hash of entry i folded into the hash of the prefix up to i - 1), so "are these two
 * logs identical up to index i?" costs one comparison instead of a walk over both logs.
 * A collision could only hide a violation, never invent one.
 */
import type { Entry } from '../raft/types';

const HIGH = 0x200000; // 2^21: the high lane is shifted this far to stay inside 2^53.

function fold(h: number, value: number): number {
  h ^= value;
  return Math.imul(h, 0x01000193) >>> 0;
}

function foldHigh(h: number, value: number): number {
  h ^= value;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/** Hash of raw bytes (FNV-1a in two lanes). */
export function hashBytes(data: Uint8Array): number {
  let lo = 0x811c9dc5;
  let hi = 0x6b43a9b5;
  for (let i = 0; i < data.length; i++) {
    lo = fold(lo, data[i]);
    hi = foldHigh(hi, data[i]);
  }
  return combine(lo, hi, data.length);
}

function combine(lo: number, hi: number, extra: number): number {
  const mixedHi = foldHigh(hi, extra) & (HIGH - 1);
  return mixedHi * 0x100000000 + fold(lo, extra);
}

const KIND_CODES: Record<Entry['kind'], number> = { command: 1, noop: 2, config: 3 };

/** Identity of one entry: term, kind, payload and (for config entries) the voter sets. */
export function hashEntry(entry: Entry): number {
  let lo = fold(0x811c9dc5, entry.term);
  let hi = foldHigh(0x6b43a9b5, entry.term);
  lo = fold(lo, KIND_CODES[entry.kind] ?? 0);
  hi = foldHigh(hi, KIND_CODES[entry.kind] ?? 0);
  const data = entry.data;
  for (let i = 0; i < data.length; i++) {
    lo = fold(lo, data[i]);
    hi = foldHigh(hi, data[i]);
  }
  if (entry.config) {
    for (const v of entry.config.voters) {
      lo = fold(lo, v);
      hi = foldHigh(hi, v);
    }
    lo = fold(lo, 0xffff);
    for (const v of entry.config.outgoing ?? []) {
      lo = fold(lo, v);
      hi = foldHigh(hi, v);
    }
    // Learners (thesis §4.2.1) are part of a configuration's identity too.
    if (entry.config.learners && entry.config.learners.length > 0) {
      lo = fold(lo, 0xfffe);
      for (const v of entry.config.learners) {
        lo = fold(lo, v);
        hi = foldHigh(hi, v);
      }
    }
  }
  return combine(lo, hi, data.length);
}

/** Folds an entry hash into the hash of the log prefix before it. */
export function chainHash(prefix: number, entryHash: number): number {
  const lo = fold(fold(prefix >>> 0, entryHash >>> 0), Math.floor(entryHash / 0x100000000));
  const hi = foldHigh(foldHigh(Math.floor(prefix / 0x100000000), entryHash >>> 0), lo);
  return (hi & (HIGH - 1)) * 0x100000000 + lo;
}

/** Hash of the empty log prefix (index 0). */
export const EMPTY_PREFIX = 0;
