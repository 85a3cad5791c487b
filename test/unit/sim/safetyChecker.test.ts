// Proves each safety checker catches a planted violation (and stays quiet on legal histories):
// a checker that never fires would make every simulated seed pass vacuously.
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../src/raft/types';
import { SafetyChecker } from '../../../src/sim/safetyChecker';

const encoder = new TextEncoder();

function cmd(index: number, term: number, text = `c${index}`): Entry {
  return { index, term, kind: 'command', data: encoder.encode(text) };
}

function properties(checker: SafetyChecker): string[] {
  return checker.violations.map((v) => v.property);
}

describe('SafetyChecker', () => {
  it('accepts a legal history: election, replication, follower truncation, commit, snapshot, compaction', () => {
    const c = new SafetyChecker();
    c.observeRole(1, 'leader', 1);
    c.observeAppend(1, [cmd(1, 1), cmd(2, 1)]);
    c.observeAppend(2, [cmd(1, 1), cmd(2, 1)]);
    // Node 3 holds an uncommitted entry from a deposed term-1 leader... that another leader replaces.
    c.observeAppend(3, [cmd(1, 1), cmd(2, 1), cmd(3, 1, 'lost')]);
    for (const n of [1, 2]) for (const i of [1, 2]) c.observeApply(n, cmd(i, 1));
    c.observeRole(1, 'follower', 2);
    c.observeRole(2, 'leader', 2);
    c.observeAppend(2, [cmd(3, 2, 'new')]);
    c.observeTruncate(3, 3);
    c.observeAppend(3, [cmd(3, 2, 'new')]);
    c.observeApply(2, cmd(3, 2, 'new'));
    c.observeApply(3, cmd(1, 1));
    // A far-behind node installs a snapshot, then catches up with entries.
    c.observeSnapshotInstalled(4, 2, 1);
    c.observeAppend(4, [cmd(3, 2, 'new')]);
    c.observeApply(4, cmd(3, 2, 'new'));
    c.observeCompact(2, 3);
    // Node 2 is re-elected in term 3 (the same leader twice in one term is fine).
    c.observeRole(2, 'leader', 3);
    c.observeRole(2, 'leader', 3);
    const required = c.beginRead();
    c.observeReadAnswered(2, 1, 3, required);
    expect(c.violations).toEqual([]);
  });

  it('Election Safety: catches two leaders in one term, even at different times', () => {
    const c = new SafetyChecker();
    c.observeRole(1, 'leader', 4);
    c.observeRole(1, 'follower', 5);
    c.observeRole(2, 'leader', 4);
    expect(properties(c)).toEqual(['Election Safety']);
    expect(c.violations[0].message).toContain('term 4');
  });

  it('Leader Append-Only: catches a leader truncating its log', () => {
    const c = new SafetyChecker();
    c.observeRole(1, 'leader', 1);
    c.observeAppend(1, [cmd(1, 1), cmd(2, 1)]);
    c.observeTruncate(1, 2);
    expect(properties(c)).toEqual(['Leader Append-Only']);
  });

  it('Leader Append-Only: catches a leader overwriting an entry with a different one', () => {
    const c = new SafetyChecker();
    c.observeRole(1, 'leader', 1);
    c.observeAppend(1, [cmd(1, 1), cmd(2, 1)]);
    c.observeAppend(1, [cmd(2, 1, 'other')]);
    expect(properties(c)).toEqual(['Leader Append-Only']);
  });

  it('Leader Append-Only: catches a leader installing a snapshot over its log', () => {
    const c = new SafetyChecker();
    c.observeRole(1, 'leader', 1);
    c.observeAppend(1, [cmd(1, 1)]);
    c.observeSnapshotInstalled(1, 5, 1);
    expect(properties(c)).toEqual(['Leader Append-Only']);
  });

  it('Log Matching: catches two logs with the same (index, term) but different prefixes', () => {
    const c = new SafetyChecker();
    c.observeAppend(1, [cmd(1, 1, 'x'), cmd(2, 1, 'y')]);
    c.observeAppend(2, [cmd(1, 1, 'z'), cmd(2, 1, 'y')]);
    expect(properties(c)).toContain('Log Matching');
  });

  it('Log Matching: catches one (index, term) holding different entries', () => {
    const c = new SafetyChecker();
    c.observeAppend(1, [cmd(1, 1, 'x')]);
    c.observeAppend(2, [cmd(1, 1, 'y')]);
    expect(properties(c)).toEqual(['Log Matching']);
  });

  it('State Machine Safety: catches two nodes applying different entries at one index', () => {
    const c = new SafetyChecker();
    c.observeAppend(1, [cmd(1, 1, 'x')]);
    c.observeAppend(2, [cmd(1, 2, 'y')]);
    c.observeApply(1, cmd(1, 1, 'x'));
    c.observeApply(2, cmd(1, 2, 'y'));
    expect(properties(c)).toEqual(['State Machine Safety']);
  });

  it('Leader Completeness: catches a new leader whose log lacks a committed entry', () => {
    const c = new SafetyChecker();
    c.observeRole(1, 'leader', 1);
    c.observeAppend(1, [cmd(1, 1), cmd(2, 1)]);
    c.observeAppend(2, [cmd(1, 1), cmd(2, 1)]);
    c.observeApply(1, cmd(1, 1));
    c.observeApply(1, cmd(2, 1));
    c.observeAppend(3, [cmd(1, 1)]); // node 3 only has index 1
    c.observeRole(3, 'leader', 2);
    expect(properties(c)).toEqual(['Leader Completeness']);
  });

  it('Leader Completeness: catches a new leader holding a different entry at a committed index', () => {
    const c = new SafetyChecker();
    c.observeAppend(1, [cmd(1, 1, 'committed')]);
    c.observeApply(1, cmd(1, 1, 'committed'));
    c.observeAppend(3, [cmd(1, 2, 'other')]);
    c.observeRole(3, 'leader', 3);
    expect(properties(c)).toEqual(['Leader Completeness']);
  });

  it('Leader Completeness: catches an entry committed in a lower term missing from a current higher-term leader', () => {
    const c = new SafetyChecker();
    c.observeAppend(1, [cmd(1, 1)]);
    c.observeRole(1, 'follower', 1);
    c.observeRole(2, 'leader', 3); // leader of term 3 with an empty log
    c.observeApply(1, cmd(1, 1)); // node 1 (term 1) now applies index 1
    expect(properties(c)).toEqual(['Leader Completeness']);
  });

  it('Linearizable Reads: catches a read answered below an index committed before it began', () => {
    const c = new SafetyChecker();
    c.observeAppend(1, [cmd(1, 1), cmd(2, 1)]);
    c.observeApply(1, cmd(1, 1));
    c.observeApply(1, cmd(2, 1));
    const required = c.beginRead();
    c.observeReadAnswered(3, 7, 1, required);
    expect(properties(c)).toEqual(['Linearizable Reads']);
  });

  it('flags applies that skip or repeat indexes and applies of entries not in the durable log', () => {
    const gap = new SafetyChecker();
    gap.observeAppend(1, [cmd(1, 1), cmd(2, 1)]);
    gap.observeApply(1, cmd(2, 1));
    expect(properties(gap)).toEqual(['Storage Contract']);
    const missing = new SafetyChecker();
    missing.observeApply(1, cmd(1, 1));
    expect(properties(missing)).toEqual(['Storage Contract']);
  });

  it('reports violations through the sink as they happen', () => {
    const seen: string[] = [];
    const c = new SafetyChecker((v) => seen.push(`${v.property}@${v.tick}`));
    c.now = 42;
    c.observeRole(1, 'leader', 1);
    c.observeRole(2, 'leader', 1);
    expect(seen).toEqual(['Election Safety@42']);
  });
});
