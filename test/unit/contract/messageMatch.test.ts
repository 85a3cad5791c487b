import { describe, expect, it } from 'vitest';
import { checkMessageMatch, checkOccurrence, messageIndexRange, messageMatches, occurrenceSelects } from '../../../src/contract/messageMatch';
import type { Message } from '../../../src/raft/types';

const append = (prevIndex: number, n: number, term = 2): Message => ({
  type: 'append', from: 1, to: 2, term, prevIndex, prevTerm: 1, commit: 0,
  entries: Array.from({ length: n }, (_, i) => ({ index: prevIndex + 1 + i, term, kind: 'command' as const, data: new Uint8Array(0) })),
});
const heartbeat: Message = { type: 'heartbeat', from: 1, to: 3, term: 2, commit: 0, seq: 1 };
const vote: Message = { type: 'vote', from: 3, to: 1, term: 4, lastLogIndex: 7, lastLogTerm: 3, preVote: false, transfer: false };

describe('messageMatch (issue 11: which messages an aimed rule or a breakpoint means)', () => {
  it('matches type, sender, receiver and term range together', () => {
    expect(messageMatches({}, heartbeat)).toBe(true);
    expect(messageMatches({ types: ['append'] }, heartbeat)).toBe(false);
    expect(messageMatches({ types: ['append'], to: 2 }, append(0, 1))).toBe(true);
    expect(messageMatches({ types: ['append'], to: 3 }, append(0, 1))).toBe(false);
    expect(messageMatches({ from: 3, termMin: 4, termMax: 4 }, vote)).toBe(true);
    expect(messageMatches({ termMin: 5 }, vote)).toBe(false);
  });

  it('matches an index range against the entries an AppendEntries carries, or its prevIndex for a probe (§5.3)', () => {
    expect(messageIndexRange(append(4, 3))).toEqual([5, 7]);
    expect(messageIndexRange(append(4, 0))).toEqual([4, 4]);
    expect(messageIndexRange(vote)).toEqual([7, 7]);
    expect(messageIndexRange(heartbeat)).toBeNull();
    expect(messageMatches({ indexMin: 7, indexMax: 9 }, append(4, 3))).toBe(true);
    expect(messageMatches({ indexMin: 8 }, append(4, 3))).toBe(false);
    expect(messageMatches({ indexMax: 4 }, append(4, 3))).toBe(false);
    // A message without an index never matches an index range.
    expect(messageMatches({ indexMin: 0 }, heartbeat)).toBe(false);
  });

  it('tells AppendEntries carrying entries from empty ones (a probe or a commit update, §5.3); other types never match', () => {
    expect(messageMatches({ hasEntries: true }, append(4, 2))).toBe(true);
    expect(messageMatches({ hasEntries: true }, append(4, 0))).toBe(false);
    expect(messageMatches({ hasEntries: false }, append(4, 0))).toBe(true);
    expect(messageMatches({ hasEntries: false }, append(4, 1))).toBe(false);
    expect(messageMatches({ hasEntries: false }, heartbeat)).toBe(false);
    expect(messageMatches({ hasEntries: true }, vote)).toBe(false);
  });

  it('selects the nth, every kth or the first k matching messages', () => {
    const picked = (o: Parameters<typeof occurrenceSelects>[0]) => [1, 2, 3, 4, 5, 6].filter((n) => occurrenceSelects(o, n));
    expect(picked(undefined)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(picked({ kind: 'nth', n: 3 })).toEqual([3]);
    expect(picked({ kind: 'every', k: 2 })).toEqual([2, 4, 6]);
    expect(picked({ kind: 'first', k: 2 })).toEqual([1, 2]);
  });

  it('refuses bad declarations with a reason that names the field', () => {
    expect(checkMessageMatch({ types: ['append'], termMin: 1 })).toEqual({ types: ['append'], termMin: 1 });
    expect(() => checkMessageMatch({ types: ['gossip'] })).toThrow(/types/);
    expect(() => checkMessageMatch({ types: [] })).toThrow(/types/);
    expect(() => checkMessageMatch({ from: 0 })).toThrow(/from/);
    expect(() => checkMessageMatch({ hasEntries: 'yes' })).toThrow(/hasEntries/);
    expect(() => checkOccurrence({ kind: 'nth', n: 0 })).toThrow(/n/);
    expect(() => checkOccurrence({ kind: 'sometimes' })).toThrow();
  });
});
