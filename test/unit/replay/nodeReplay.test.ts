import { describe, expect, it } from 'vitest';
import { digestOutputs, encodeJournalRecord, frameJournalRecord, journalSegmentHeader, segmentFileName, type JournalRecord } from '../../../src/contract/journalFormat';
import { RaftNode } from '../../../src/raft';
import type { Input, Message, RaftConfig } from '../../../src/raft/types';
import { readNodeJournal } from '../../../src/replay/journalReader';
import { CHECKPOINT_EVERY, NodeReplay } from '../../../src/replay/nodeReplay';

const cfg = (id: number): RaftConfig => ({
  id, initialVoters: [1, 2, 3], electionTicksMin: 10, electionTicksMax: 20, heartbeatTicks: 2,
  preVote: true, checkQuorum: true, maxEntriesPerMsg: 64, maxBytesPerMsg: 1 << 20, maxInflight: 4, snapshotThreshold: 50, seed: 3,
});

/**
 * Three cores exchanging messages in memory, node 1's inputs journaled as the node runtime
 * journals them (persisted acks fed back as later inputs, snapshots answered), for `steps` rounds.
 */
function recordCluster(rounds: number): { records: JournalRecord[]; core: RaftNode } {
  const persisted = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
  const cores = [1, 2, 3].map((id) => new RaftNode(cfg(id), persisted));
  const records: JournalRecord[] = [{ kind: 'start', incarnation: 1, t: 0, level: 'full', config: cfg(1), persisted }];
  let t = 0;
  let step = 0;
  const inbox: Array<{ to: number; input: Input }> = [];
  const run = (id: number, input: Input) => {
    const out = cores[id - 1].step(input);
    if (id === 1) records.push({ kind: 'step', step: ++step, t: ++t, input, digest: digestOutputs(out) });
    if (out.entries.length > 0) inbox.push({ to: id, input: { type: 'persisted', index: out.entries[out.entries.length - 1].index, term: out.entries[out.entries.length - 1].term } });
    for (const m of out.messages) inbox.push({ to: m.to, input: { type: 'message', message: m as Message } });
    if (out.snapshotWanted !== undefined) inbox.push({ to: id, input: { type: 'snapshotTaken', index: out.snapshotWanted, data: new Uint8Array([1, 2, 3]) } });
  };
  let nextId = 1;
  for (let r = 0; r < rounds; r++) {
    for (const id of [1, 2, 3]) run(id, { type: 'tick' });
    if (r % 3 === 0) for (const id of [1, 2, 3]) run(id, { type: 'propose', id: nextId++, commands: [new Uint8Array([r & 255])] });
    while (inbox.length > 0) {
      const { to, input } = inbox.shift()!;
      run(to, input);
    }
  }
  return { records, core: cores[0] };
}

function segment(records: JournalRecord[]) {
  const parts = [journalSegmentHeader(), ...records.map((r) => frameJournalRecord(encodeJournalRecord(r)))];
  return [{ name: segmentFileName(1, 1), bytes: Buffer.concat(parts) }];
}

describe('exact replay', () => {
  it('replays a journal with 0 mismatches and rebuilds the state at the end and at any step', () => {
    const { records, core } = recordCluster(1000);
    const replay = new NodeReplay(1, readNodeJournal(segment(records)));
    expect(replay.stepCount).toBeGreaterThan(CHECKPOINT_EVERY);
    const summary = replay.run();
    expect(summary.mismatches).toEqual([]);
    const end = replay.stateAtStep(replay.stepCount);
    const live = core.status();
    expect({ role: end.role, term: end.term, commit: end.commit, lastIndex: end.log.lastIndex, snapshotIndex: end.log.snapshotIndex })
      .toEqual({ role: live.role, term: live.term, commit: live.commit, lastIndex: live.lastIndex, snapshotIndex: live.snapshotIndex });
    expect(end.log.snapshotIndex).toBeGreaterThan(0); // snapshots were taken and compacted
    // A seek through a checkpoint lands on the same state as stepping from the start.
    const k = CHECKPOINT_EVERY + 17;
    const seeked = replay.stateAtStep(k);
    const again = new NodeReplay(1, readNodeJournal(segment(records.slice(0, k + 1)))).stateAtStep(k);
    expect(seeked).toEqual(again);
    expect(seeked.globalStep).toBe(k);
    if (end.role === 'leader') expect(Object.keys(end.followers).sort()).toEqual(['2', '3']);
  });

  it('reports a changed digest with the node, the step and the differing field', () => {
    const { records } = recordCluster(30);
    const i = records.findIndex((r) => r.kind === 'step' && r.digest !== null && r.digest[7] > 0);
    const tampered = records.map((r, j) => (j === i && r.kind === 'step' ? { ...r, digest: r.digest!.map((v, f) => (f === 7 ? v + 1 : v)) } : r));
    const summary = new NodeReplay(1, readNodeJournal(segment(tampered))).run();
    expect(summary.mismatches).toHaveLength(1);
    expect(summary.mismatches[0]).toMatchObject({ node: 1, step: (records[i] as { step: number }).step, field: 'messages.count' });
  });

  it('expects a refused input to be refused again, and reports it when replay accepts it', () => {
    const persisted = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
    const core = new RaftNode(cfg(1), persisted);
    let thrown = '';
    const bad: Input = { type: 'message', message: { type: 'heartbeat', from: 3, to: 2, term: 1, commit: 0, seq: 1 } };
    try {
      core.step(bad);
    } catch (err) {
      thrown = (err as Error).name;
    }
    expect(thrown).toBe('RaftInputError'); // a message for node 2 delivered to node 1
    const tick: Input = { type: 'tick' };
    const base: JournalRecord[] = [
      { kind: 'start', incarnation: 1, t: 0, level: 'full', config: cfg(1), persisted },
      { kind: 'step', step: 1, t: 1, input: bad, digest: null },
      { kind: 'step', step: 2, t: 2, input: tick, digest: digestOutputs(core.step(tick)) },
    ];
    expect(new NodeReplay(1, readNodeJournal(segment(base))).run().mismatches).toEqual([]);
    const wrong = base.map((r) => (r.kind === 'step' && r.step === 2 ? { ...r, digest: null } : r));
    expect(new NodeReplay(1, readNodeJournal(segment(wrong))).run().mismatches).toMatchObject([{ step: 2, field: 'refused' }]);
  });
});

describe('incremental replay of a growing journal (live time travel)', () => {
  it('extending steps only the new records and ends exactly where a replay from the start ends', () => {
    const { records } = recordCluster(1500);
    const cut = Math.floor(records.length * 0.9);
    const grown = new NodeReplay(1, readNodeJournal(segment(records.slice(0, cut))));
    let seen = 0;
    grown.run(() => seen++);
    expect(seen).toBe(cut - 1);

    // The journal grew: read again, extended, run: earlier steps are shown again from their kept outputs.
    expect(grown.extend(readNodeJournal(segment(records)))).toBe(true);
    const outsSeen: number[] = [];
    let t0 = performance.now();
    const summary = grown.run((s) => outsSeen.push(s.out?.messages.length ?? -1));
    const incrementalMs = performance.now() - t0;
    expect(summary.mismatches).toEqual([]);
    expect(outsSeen.length).toBe(records.length - 1);

    const fresh = new NodeReplay(1, readNodeJournal(segment(records)));
    const freshOuts: number[] = [];
    t0 = performance.now();
    fresh.run((s) => freshOuts.push(s.out?.messages.length ?? -1));
    const fullMs = performance.now() - t0;
    expect(outsSeen).toEqual(freshOuts);
    expect(grown.stateAtStep(grown.stepCount)).toEqual(fresh.stateAtStep(fresh.stepCount));
    expect(grown.stateAtStep(1234)).toEqual(fresh.stateAtStep(1234));
    console.log(`[bench replay incremental] ${records.length - 1} steps: replay from the start ${fullMs.toFixed(1)} ms; after ${records.length - cut} new steps, incremental ${incrementalMs.toFixed(1)} ms`);
  });

  it('a journal that does not extend the one read (another incarnation layout) is replayed again from the start', () => {
    const { records } = recordCluster(200);
    const r = new NodeReplay(1, readNodeJournal(segment(records)));
    r.run();
    expect(r.extend(readNodeJournal(segment(records.slice(0, 50))))).toBe(false);
    let n = 0;
    expect(r.run(() => n++).mismatches).toEqual([]);
    expect(n).toBe(49);
  });
});
