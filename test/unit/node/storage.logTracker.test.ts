import { describe, expect, it } from 'vitest';
import { LogTracker } from '../../../src/node/storage/logTracker';
import { entries } from './fixtures/storageTestUtil';

const shape = (t: LogTracker) => t.heldEntries().map((e) => `${e.index}:${e.term}`);

describe('LogTracker replay rules', () => {
  it('appends contiguously, truncates, and answers term lookups', () => {
    const t = new LogTracker(true, 0);
    t.append(entries(1, 5, 1));
    t.append(entries(6, 7, 2));
    expect([t.termAt(0), t.termAt(1), t.termAt(5), t.termAt(6), t.termAt(8)]).toEqual([undefined, 1, 1, 2, undefined]);
    t.truncate(6);
    expect(t.lastIndex).toBe(5);
    expect(t.termAt(6)).toBeUndefined();
    t.append(entries(6, 6, 3));
    expect(shape(t)).toEqual(['1:1', '2:1', '3:1', '4:1', '5:1', '6:3']);
    t.truncate(10); // beyond the end: nothing to remove
    expect(t.lastIndex).toBe(6);
    expect(() => t.append(entries(8, 8, 3))).toThrow(/expected index 7/);
  });

  it('a matching snapshot keeps what follows it; a conflicting one discards the log (§7)', () => {
    const keep = new LogTracker(true, 0);
    keep.append([...entries(1, 3, 1), ...entries(4, 6, 2)]);
    keep.snapshot(4, 2);
    expect(shape(keep)).toEqual(['5:2', '6:2']);
    expect([keep.firstIndex, keep.termAt(4), keep.termAt(5)]).toEqual([5, undefined, 2]);

    const conflict = new LogTracker(true, 0);
    conflict.append(entries(1, 6, 1));
    conflict.snapshot(4, 2);
    expect(shape(conflict)).toEqual([]);
    expect(conflict.lastIndex).toBe(4);
    conflict.append(entries(5, 5, 2));
    expect(shape(conflict)).toEqual(['5:2']);

    const shorter = new LogTracker(true, 0);
    shorter.append(entries(1, 2, 1));
    shorter.snapshot(9, 1);
    expect([shorter.isEmpty, shorter.lastIndex]).toEqual([true, 9]);
  });

  it('replays a suffix whose start is unknown (oldest segments compacted away)', () => {
    const t = new LogTracker(true, null);
    t.snapshot(50, 1); // an old marker before any entries: says nothing about where the log is
    t.append(entries(101, 105, 1));
    t.truncate(90); // removes everything held; the log continues at 90
    t.append(entries(90, 92, 2));
    expect(shape(t)).toEqual(['90:2', '91:2', '92:2']);
  });

  it('a writer-side clone tracks the shape without entries and leaves the original alone', () => {
    const t = new LogTracker(false, 10);
    t.append(entries(11, 12, 1));
    const c = t.clone();
    c.truncate(12);
    expect([t.lastIndex, c.lastIndex]).toEqual([12, 11]);
    expect(() => t.heldEntries()).toThrow(/keepEntries/);
  });
});
