import { describe, expect, it } from 'vitest';
import { digestOutputs, encodeJournalRecord, frameJournalRecord, journalSegmentHeader, segmentFileName, type JournalRecord } from '../../../src/contract/journalFormat';
import { SHIVIZ_REGEX, toShivizLog } from '../../../src/lab/export/messageExports';
import { RaftNode } from '../../../src/raft';
import type { Input, RaftConfig } from '../../../src/raft/types';
import { readNodeJournal } from '../../../src/replay/journalReader';
import { collectMessages } from '../../../src/replay/messages';
import { NodeReplay } from '../../../src/replay/nodeReplay';

const cfg = (id: number): RaftConfig => ({
  id, initialVoters: [1, 2, 3], electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2,
  preVote: true, checkQuorum: true, maxEntriesPerMsg: 64, maxBytesPerMsg: 1 << 20, maxInflight: 4, snapshotThreshold: 0, seed: 5,
});

/** Three cores in memory, every node journaled; messages to node 3 after round 20 are dropped and journaled as such. */
function journals(rounds: number): NodeReplay[] {
  const persisted = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
  const cores = [1, 2, 3].map((id) => new RaftNode(cfg(id), persisted));
  const recs: JournalRecord[][] = [1, 2, 3].map((id) => [{ kind: 'start', incarnation: 1, t: 0, level: 'full', config: cfg(id), persisted }]);
  const steps = [0, 0, 0];
  let t = 0;
  const inbox: Array<{ to: number; input: Input }> = [];
  let cut = false;
  const run = (id: number, input: Input) => {
    const out = cores[id - 1].step(input);
    recs[id - 1].push({ kind: 'step', step: ++steps[id - 1], t: (t += 0.5), input, digest: digestOutputs(out) });
    const last = out.entries[out.entries.length - 1];
    if (last) inbox.push({ to: id, input: { type: 'persisted', index: last.index, term: last.term } });
    for (const m of out.messages) {
      if (cut && m.to === 3) recs[id - 1].push({ kind: 'dropped', t, header: { type: m.type, from: m.from, to: m.to, term: m.term }, reason: 'fault out: blocked' });
      else inbox.push({ to: m.to, input: { type: 'message', message: m } });
    }
  };
  for (let r = 0; r < rounds; r++) {
    cut = r >= 20;
    for (const id of [1, 2, 3]) run(id, { type: 'tick' });
    if (r % 4 === 0) for (const id of [1, 2, 3]) run(id, { type: 'propose', id: r + 1, commands: [new Uint8Array([r & 255])] });
    while (inbox.length > 0) {
      const { to, input } = inbox.shift()!;
      run(to, input);
    }
  }
  return recs.map((rs, i) => new NodeReplay(i + 1, readNodeJournal([{ name: segmentFileName(1, 1), bytes: Buffer.concat([journalSegmentHeader(), ...rs.map((r) => frameJournalRecord(encodeJournalRecord(r)))]) }])));
}

describe('messages from the journals', () => {
  it('pairs every receipt with one send, after it, and marks journaled drops with their reason', () => {
    const { messages, mismatches } = collectMessages(journals(60));
    expect(mismatches).toBe(0);
    expect(messages.length).toBeGreaterThan(50);
    const received = messages.filter((m) => m.receivedAt.length > 0);
    for (const m of received) for (const r of m.receivedAt) expect(r).toBeGreaterThanOrEqual(m.sentAt);
    // In memory nothing is lost: every message not to the cut-off node 3 arrives exactly once.
    for (const m of messages) {
      if (m.dropped) expect(m.to).toBe(3);
      else expect(m.receivedAt).toHaveLength(1);
    }
    expect(messages.filter((m) => m.dropped === 'fault out: blocked').length).toBeGreaterThan(0);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    expect(messages.some((m) => m.type === 'vote') && messages.some((m) => m.type === 'append')).toBe(true);
  });

  it('writes a ShiViz log whose lines parse with the regex and whose clocks only grow', () => {
    const { messages } = collectMessages(journals(30));
    const log = toShivizLog({ messages, mismatches: 0, nodes: [1, 2, 3] });
    const re = new RegExp(SHIVIZ_REGEX, 'g');
    const last = new Map<string, number>();
    let n = 0;
    for (const m of log.text.matchAll(re)) {
      n++;
      const host = m.groups!.host;
      const clock = JSON.parse(m.groups!.clock) as Record<string, number>;
      expect(clock[host]).toBe((last.get(host) ?? 0) + 1);
      last.set(host, clock[host]);
    }
    expect(n).toBe(log.events);
  });
});
