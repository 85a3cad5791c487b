/** report.html's flight-recorder section: message rate by type, and each node's final log (issue 10 part 4). */
import { describe, expect, it } from 'vitest';
import { journalSection, messageRate, termsSpanned } from '../../../src/lab/export/report/journalSection';
import type { RunMessages } from '../../../src/lab/export/messageExports';
import type { CoreStateView } from '../../../src/replay/coreState';
import type { RunTimelines } from '../../../src/lab/export/report/timelines';

const msg = (type: 'vote' | 'append', sentAt: number) => ({ id: `${type}-${sentAt}`, type, from: 1, to: 2, term: 1, sentAt, receivedAt: [sentAt + 1], fields: {} });
const tl = { start: 0, end: 6000, nodes: [1, 2], roles: new Map(), process: new Map(), term: new Map(), commit: new Map(), faults: [], removedAt: new Map(), bucketMs: 1000, ops: [] } as unknown as RunTimelines;

function state(over: Partial<CoreStateView['log']> & { terms: number[] }): CoreStateView {
  const { terms, ...log } = over;
  return {
    node: 1, incarnation: 2, step: 9, globalStep: 20, t: 0, role: 'leader', preCandidate: false, term: 4, vote: 1, leader: 1, commit: 7, applied: 7, persistedIndex: 8,
    log: { snapshotIndex: 0, snapshotTerm: 0, lastIndex: terms.length, lastTerm: terms.at(-1) ?? 0, entries: terms.map((term, i) => ({ index: i + 1, term, kind: 'command', size: 3 })), ...log },
    config: { voters: [1, 2] }, configIndex: 1, timers: { electionElapsed: 0, electionTimeout: 10, heartbeatElapsed: 0, heartbeatTimeout: 1, leaderContactElapsed: 0 },
    votes: {}, followers: {}, reads: { pending: 0, heartbeatSeq: 0 }, transfer: { target: null, elapsed: 0 },
  };
}

describe('messageRate', () => {
  it('counts sends per type per bucket as messages per second', () => {
    const m: RunMessages = { messages: [msg('vote', 10), msg('vote', 20), msg('append', 150), msg('append', 5950)], mismatches: 0, nodes: [1, 2] };
    const r = messageRate(m, 0, 6000);
    expect(r.bucketMs).toBe(100); // 60 buckets over 6 s
    expect(r.perType.get('vote')![0]).toEqual([0, 20]); // 2 in 0.1 s
    expect(r.perType.get('append')![1]).toEqual([100, 10]);
    expect(r.perType.get('append')![59]).toEqual([5900, 10]);
    expect(r.total).toBe(4);
  });
});

describe('termsSpanned', () => {
  it('from the snapshot term to the last entry term, with the count', () => {
    expect(termsSpanned(state({ terms: [1, 1, 3, 4] }))).toBe('1–4 (3 terms)');
    expect(termsSpanned(state({ terms: [5], snapshotIndex: 9, snapshotTerm: 2 }))).toBe('2–5 (2 terms)');
    expect(termsSpanned(state({ terms: [2, 2] }))).toBe('2');
    expect(termsSpanned(state({ terms: [] }))).toBe('–');
  });
});

describe('journalSection', () => {
  it('draws the rate chart and one row per node, saying why a node has no state', () => {
    const out = journalSection(
      { messages: { messages: [msg('vote', 10)], mismatches: 0, nodes: [1, 2] }, logs: [{ node: 1, state: state({ terms: [1, 2] }) }, { node: 2, state: null, unavailable: "recorded at level 'messages'" }] },
      tl,
    ).markup;
    expect(out).toContain('Message rate');
    expect(out).toContain('RequestVote');
    expect(out).toMatch(/<td>1<\/td><td>leader, term 4<\/td><td class="num">2<\/td><td class="num">7<\/td><td class="num">7<\/td>/);
    expect(out).toContain('1–2 (2 terms)');
    expect(out).toContain('recorded at level &#39;messages&#39;');
  });
  it('a run without journals says so', () => {
    expect(journalSection({ messages: null, logs: null }, tl).markup).toContain('has no journal');
  });
});
