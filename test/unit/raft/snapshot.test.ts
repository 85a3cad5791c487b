/** Snapshots and log compaction (§7). */
import { describe, expect, it } from 'vitest';
import { RaftInputError, RaftNode, crc32 } from '../../../src/raft';
import type { Entry, Message, Snapshot, SnapshotRequest } from '../../../src/raft';
import { Network, ent, enc, makeConfig } from './helpers';

const snapshotMsg = (index: number, term: number, voters = [1, 2, 3], msgTerm = 3): Message => {
  const data = enc(`state@${index}`);
  return { type: 'snapshot', from: 1, to: 2, term: msgTerm, snapshot: { meta: { index, term, config: { voters } }, data }, checksum: crc32(data) };
};

function follower(terms: number[], commit: number, term = 3): RaftNode {
  const entries: Entry[] = terms.map((t, i) => ent(i + 1, t));
  return new RaftNode(makeConfig(2, [1, 2, 3]), { hardState: { term, vote: 0, commit }, entries });
}

describe('asking for snapshots (§7)', () => {
  it('asks once applied - snapshotIndex reaches snapshotThreshold, and not again until answered', () => {
    const net = new Network([1, 2, 3], { snapshotThreshold: 5 });
    net.elect(1); // applied 1 (no-op)
    for (let i = 0; i < 8; i++) net.propose(1, `c${i}`);
    const wanted = net.trace.filter((t) => t.id === 1 && t.out.snapshotWanted !== undefined).map((t) => t.out.snapshotWanted);
    expect(wanted).toEqual([5]);
    // Answer it: the log is compacted and the next request comes 5 entries after the snapshot.
    const out = net.step(1, { type: 'snapshotTaken', index: 5, data: enc('s5') });
    expect(out.compactTo).toBe(5);
    expect(out.snapshotTaken).toEqual({ meta: { index: 5, term: 1, config: { voters: [1, 2, 3] } }, data: enc('s5') });
    expect(out.events).toContainEqual({ type: 'compacted', index: 5 });
    expect(net.node(1).status().snapshotIndex).toBe(5);
    const after = net.trace.length;
    net.propose(1, 'c8');
    const again = net.trace.slice(after).filter((t) => t.id === 1 && t.out.snapshotWanted !== undefined);
    expect(again.map((t) => t.out.snapshotWanted)).toEqual([10]);
  });

  it('snapshotThreshold 0 never asks', () => {
    const net = new Network([1, 2, 3], { snapshotThreshold: 0 });
    net.elect(1);
    for (let i = 0; i < 30; i++) net.propose(1, `c${i}`);
    expect(net.trace.some((t) => t.out.snapshotWanted !== undefined)).toBe(false);
  });

  it('an admin request asks now, whatever the threshold', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'a');
    const out = net.step(1, { type: 'admin', id: 3, request: { type: 'snapshot' } });
    expect(out.results).toEqual([{ type: 'admin', id: 3 }]);
    expect(out.snapshotWanted).toBe(2);
    net.step(1, { type: 'snapshotTaken', index: 2, data: enc('s') });
    const nothing = net.step(1, { type: 'admin', id: 4, request: { type: 'snapshot' } });
    expect(nothing.results[0]).toMatchObject({ type: 'error', error: { code: 'invalid_request' } });
  });

  it('rejects a snapshot of entries never handed out to apply', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    expect(() => net.node(1).step({ type: 'snapshotTaken', index: 50, data: enc('x') })).toThrow(RaftInputError);
    expect(net.node(1).status().snapshotIndex).toBe(0);
  });

  it('keeps the snapshot\'s term and configuration from the log, and still replicates after compaction', () => {
    const net = new Network([1, 2, 3], { snapshotThreshold: 3 }, { autoSnapshot: true });
    const term = net.elect(1);
    for (let i = 0; i < 6; i++) net.propose(1, `c${i}`);
    const st = net.node(1).status();
    expect(st.snapshotIndex).toBeGreaterThan(0);
    const snap = net.disk(1).snapshot!;
    expect(snap.meta).toEqual({ index: st.snapshotIndex, term, config: { voters: [1, 2, 3] } });
    net.propose(1, 'after');
    for (const id of [1, 2, 3]) expect(net.appliedCommands(id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'after']);
  });
});

describe('InstallSnapshot (§7)', () => {
  it('a follower whose entries were compacted away receives the snapshot and catches up', () => {
    // Reference: §7 "the leader must occasionally send snapshots to followers that lag behind".
    const net = new Network([1, 2, 3], { snapshotThreshold: 4 }, { autoSnapshot: true });
    net.elect(1);
    net.propose(1, 'before');
    net.crash(3);
    for (let i = 0; i < 12; i++) net.propose(1, `c${i}`);
    expect(net.node(1).status().snapshotIndex).toBeGreaterThan(net.node(3).status().lastIndex);
    net.restart(3);
    net.tickAll(4);
    const sent = net.sent.filter((m): m is SnapshotRequest => m.type === 'snapshot' && m.to === 3);
    expect(sent.length).toBe(1);
    expect(net.eventsOf(3, 'snapshotInstalled')).toHaveLength(1);
    expect(net.appliedCommands(3)).toEqual(net.appliedCommands(1));
    expect(net.node(1).status().progress[3]).toMatchObject({ state: 'replicate', match: net.node(1).status().lastIndex });
    net.propose(1, 'later');
    expect(net.appliedCommands(3).at(-1)).toBe('later');
  });

  it('keeps the entries after the snapshot when its log holds the snapshot\'s last entry', () => {
    // Reference: §7 "If the follower receives a snapshot that describes a prefix of its log, log entries covered by
    // the snapshot are deleted but entries following the snapshot are still valid and must be retained."
    const node = follower([1, 1, 1, 1, 1, 1], 2);
    const out = node.step({ type: 'message', message: snapshotMsg(4, 1) });
    expect(out.snapshot?.meta.index).toBe(4);
    expect(out.truncateFrom).toBeUndefined();
    expect(out.compactTo).toBe(4);
    expect(node.status()).toMatchObject({ snapshotIndex: 4, lastIndex: 6, commit: 4, applied: 4 });
    expect(out.committed).toEqual([]); // the state machine restores from the snapshot instead
    expect(out.messages[0]).toMatchObject({ type: 'appendResp', success: true, matchIndex: 4 });
    expect(out.events).toContainEqual({ type: 'snapshotInstalled', index: 4, term: 1 });
  });

  it('discards a conflicting log entirely', () => {
    // Reference: §7 "Usually the snapshot will contain new information not already in the recipient's log.
    // In this case, the follower discards its entire log".
    const node = follower([1, 1, 2, 2, 2, 2], 2);
    const out = node.step({ type: 'message', message: snapshotMsg(4, 3) });
    expect(out.truncateFrom).toBe(5);
    expect(out.compactTo).toBe(4);
    expect(node.status()).toMatchObject({ snapshotIndex: 4, lastIndex: 4, lastTerm: 3, commit: 4 });
  });

  it('ignores a snapshot that is not newer than its commit index', () => {
    const node = follower([1, 1, 1, 1, 1], 5);
    const out = node.step({ type: 'message', message: snapshotMsg(3, 1) });
    expect(out.snapshot).toBeUndefined();
    expect(out.messages[0]).toMatchObject({ success: true, matchIndex: 5 });
    expect(node.status().snapshotIndex).toBe(0);
  });

  it('restores the configuration the snapshot carries', () => {
    const node = new RaftNode(makeConfig(2, []));
    node.step({ type: 'message', message: snapshotMsg(10, 2, [1, 2, 4]) });
    expect(node.status().config).toEqual({ voters: [1, 2, 4] });
  });

  it('a lost snapshot is sent again after an election timeout', () => {
    const net = new Network([1, 2, 3], { snapshotThreshold: 3 }, { autoSnapshot: true });
    net.elect(1);
    net.crash(3);
    for (let i = 0; i < 8; i++) net.propose(1, `c${i}`);
    net.restart(3);
    let dropped = 0;
    net.setDropFilter((m) => m.type === 'snapshot' && dropped++ === 0);
    net.tickAll(3);
    expect(dropped).toBeGreaterThan(0);
    expect(net.node(1).status().progress[3].state).toBe('snapshot');
    net.tickAll(25);
    expect(net.appliedCommands(3)).toEqual(net.appliedCommands(1));
  });
});

describe('restarting from storage with a snapshot', () => {
  it('a node restarts from its snapshot and entries, re-applies what was committed, and rejoins', () => {
    const net = new Network([1, 2, 3], { snapshotThreshold: 4 }, { autoSnapshot: true });
    net.elect(1);
    for (let i = 0; i < 10; i++) net.propose(1, `c${i}`);
    net.tickAll(2);
    const before = net.node(2).status();
    expect(before.snapshotIndex).toBeGreaterThan(0);
    net.crash(2);
    const node = net.restart(2);
    const st = node.status();
    expect(st).toMatchObject({ snapshotIndex: before.snapshotIndex, lastIndex: before.lastIndex, term: before.term });
    expect(st.applied).toBe(before.snapshotIndex);
    // The first step hands out the committed entries after the snapshot.
    net.tick(2);
    expect(net.appliedCommands(2)).toEqual(net.appliedCommands(1));
    net.propose(1, 'post-restart');
    expect(net.appliedCommands(2).at(-1)).toBe('post-restart');
  });

  it('rejects persisted entries that do not continue the snapshot', () => {
    const snapshot: Snapshot = { meta: { index: 5, term: 1, config: { voters: [1, 2, 3] } }, data: enc('') };
    expect(
      () => new RaftNode(makeConfig(1, [1, 2, 3]), { hardState: { term: 1, vote: 0, commit: 5 }, snapshot, entries: [ent(7, 1)] }),
    ).toThrow(/not contiguous/);
  });
});
