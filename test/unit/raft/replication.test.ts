/** Log replication (§5.3): consistency check, conflicts, fast backtracking, batching, pipelining, heartbeats. */
import { describe, expect, it } from 'vitest';
import { RaftInputError, RaftNode } from '../../../src/raft';
import type { AppendRequest, AppendResponse, Entry, Heartbeat, Message, PersistedState } from '../../../src/raft';
import { Network, ent, enc, makeConfig } from './helpers';

function follower(entries: Entry[], commit = 0, term = 1): RaftNode {
  return new RaftNode(makeConfig(2, [1, 2, 3]), { hardState: { term, vote: 0, commit }, entries });
}

function append(prevIndex: number, prevTerm: number, entries: Entry[], commit = 0, term = 1): Message {
  return { type: 'append', from: 1, to: 2, term, prevIndex, prevTerm, entries, commit };
}

const terms = (entries: readonly Entry[]): string => entries.map((e) => `${e.index}:${e.term}`).join(' ');

function logOf(net: Network, id: number): string {
  return terms(net.disk(id).entries());
}

describe('follower consistency check (§5.3)', () => {
  it('appends entries that follow a matching prevIndex/prevTerm and commits min(leaderCommit, last new entry)', () => {
    // Reference: Figure 2 AppendEntries receiver 5 "set commitIndex = min(leaderCommit, index of last new entry)".
    const node = follower([]);
    const out = node.step({ type: 'message', message: append(0, 0, [ent(1, 1), ent(2, 1), ent(3, 1)], 7) });
    expect(terms(out.entries)).toBe('1:1 2:1 3:1');
    expect(out.messages[0]).toMatchObject({ type: 'appendResp', success: true, matchIndex: 3 });
    expect(node.status().commit).toBe(3);
    expect(out.committed.map((e) => e.index)).toEqual([1, 2, 3]);
    expect(out.hardState).toMatchObject({ commit: 3 });
  });

  it('does not learn a commit index beyond what the message vouches for', () => {
    // Entries past the message may be stale leftovers from an old leader: don't commit them.
    const node = follower([ent(1, 1), ent(2, 1), ent(3, 1)]);
    node.step({ type: 'message', message: append(1, 1, [], 3) });
    expect(node.status().commit).toBe(1);
  });

  it('rejects when it lacks prevIndex, hinting its log length', () => {
    // Reference: Figure 2 AppendEntries receiver 2 "Reply false if log doesn't contain an entry at prevLogIndex".
    const node = follower([ent(1, 1), ent(2, 1)]);
    const out = node.step({ type: 'message', message: append(5, 1, [ent(6, 1)]) });
    expect(out.entries).toEqual([]);
    expect(out.messages[0]).toMatchObject({ success: false, rejectIndex: 5, hintTerm: 0, hintIndex: 3 });
  });

  it('rejects a term mismatch at prevIndex, hinting the conflicting term and its first index', () => {
    // Reference: §5.3 "the follower can include the term of the conflicting entry and the first index it stores for that term".
    const node = follower([ent(1, 1), ent(2, 2), ent(3, 2), ent(4, 2)], 0, 2);
    const out = node.step({ type: 'message', message: append(4, 3, [ent(5, 3)], 0, 3) });
    expect(out.messages[0]).toMatchObject({ success: false, rejectIndex: 4, hintTerm: 2, hintIndex: 2 });
  });

  it('deletes a conflicting suffix and appends the leader\'s entries', () => {
    // Reference: Figure 2 AppendEntries receiver 3 "If an existing entry conflicts with a new one (same index but
    // different terms), delete the existing entry and all that follow it".
    const node = follower([ent(1, 1), ent(2, 1), ent(3, 2), ent(4, 2)], 2, 2);
    const out = node.step({ type: 'message', message: append(2, 1, [ent(3, 3, 'new')], 2, 3) });
    expect(out.truncateFrom).toBe(3);
    expect(terms(out.entries)).toBe('3:3');
    expect(node.status()).toMatchObject({ lastIndex: 3, lastTerm: 3 });
  });

  it('duplicated and reordered appends change nothing and never truncate', () => {
    // Reference: Figure 2 AppendEntries receiver 4 "Append any new entries not already in the log".
    const node = follower([]);
    const first = append(0, 0, [ent(1, 1), ent(2, 1)], 0);
    const second = append(2, 1, [ent(3, 1), ent(4, 1)], 2);
    node.step({ type: 'message', message: first });
    node.step({ type: 'message', message: second });
    // The first arrives again, late: it covers a prefix we hold.
    const dup = node.step({ type: 'message', message: first });
    expect(dup.truncateFrom).toBeUndefined();
    expect(dup.entries).toEqual([]);
    expect(dup.messages[0]).toMatchObject({ success: true, matchIndex: 2 });
    expect(node.status()).toMatchObject({ lastIndex: 4, commit: 2 });
    // A message that overlaps and extends appends only the new part.
    const overlap = node.step({ type: 'message', message: append(1, 1, [ent(2, 1), ent(3, 1), ent(4, 1), ent(5, 1)], 4) });
    expect(overlap.truncateFrom).toBeUndefined();
    expect(terms(overlap.entries)).toBe('5:1');
    expect(node.status()).toMatchObject({ lastIndex: 5, commit: 4 });
  });

  it('refuses to overwrite a committed entry (a leader that does so violates Leader Completeness), and survives', () => {
    // Reference: §5.4 Leader Completeness: a committed entry is in every later leader's log.
    // Such a message is refused before anything changes (it used to raise the fatal RaftInvariantError).
    const node = follower([ent(1, 1), ent(2, 1)], 2);
    const before = node.status();
    expect(() => node.step({ type: 'message', message: append(1, 1, [ent(2, 2)], 2, 2) })).toThrow(RaftInputError);
    expect(node.status()).toEqual(before);
    expect(node.counters().refused.conflicts_committed).toBe(1);
  });
});

describe('leader backtracking (§5.3)', () => {
  it('skips a whole conflicting term the leader does not have (hintIndex)', () => {
    // Follower 2 holds 50 uncommitted entries of term 2 that the new leader never saw.
    const leaderLog = [ent(1, 1), ...Array.from({ length: 10 }, (_, i) => ent(i + 2, 3))];
    const stale = [ent(1, 1), ...Array.from({ length: 50 }, (_, i) => ent(i + 2, 2))];
    const net = new Network([]);
    const ps = (entries: Entry[]): PersistedState => ({ hardState: { term: 3, vote: 0, commit: 1 }, entries });
    net.add(makeConfig(1, [1, 2, 3]), ps(leaderLog));
    net.add(makeConfig(2, [1, 2, 3]), ps(stale));
    net.add(makeConfig(3, [1, 2, 3]), ps(leaderLog));
    net.elect(1);
    net.tickAll(2);
    const rejections = net.sent.filter((m) => m.type === 'appendResp' && m.from === 2 && !m.success);
    expect(rejections.length).toBeLessThanOrEqual(2);
    expect(logOf(net, 2)).toBe(logOf(net, 1));
    expect(net.node(2).status().commit).toBe(12);
  });

  it('jumps to the end of the follower\'s conflicting term when the leader has that term', () => {
    // Leader: terms 1 2 2 3 3 5 5 5 5; follower: 1 2 2 3 3 3 3 3 3 3 (term-3 leftovers past index 5).
    const leaderTerms = [1, 2, 2, 3, 3, 5, 5, 5, 5];
    const followerTerms = [1, 2, 2, 3, 3, 3, 3, 3, 3, 3];
    const net = new Network([]);
    const ps = (ts: number[]): PersistedState => ({ hardState: { term: 5, vote: 0, commit: 1 }, entries: ts.map((t, i) => ent(i + 1, t)) });
    net.add(makeConfig(1, [1, 2, 3]), ps(leaderTerms));
    net.add(makeConfig(2, [1, 2, 3]), ps(followerTerms));
    net.add(makeConfig(3, [1, 2, 3]), ps(leaderTerms));
    net.crash(3); // so the leader must win node 2's vote... node 2's last term 3 < 5, it grants
    net.elect(1);
    const toTwo = net.sent.filter((m): m is AppendRequest => m.type === 'append' && m.to === 2);
    const rejected = net.sent.filter((m): m is AppendResponse => m.type === 'appendResp' && m.from === 2 && !m.success);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ rejectIndex: 9, hintTerm: 3, hintIndex: 4 });
    // The next probe starts right after the leader's last term-3 entry (index 5).
    expect(toTwo[1].prevIndex).toBe(5);
    expect(logOf(net, 2)).toBe(logOf(net, 1));
  });
});

describe('batching and pipelining (§5.3)', () => {
  it('sends at most maxEntriesPerMsg entries per AppendEntries', () => {
    const net = new Network([1, 2, 3], { maxEntriesPerMsg: 3 });
    net.elect(1);
    const out = net.step(1, { type: 'propose', id: 1, commands: Array.from({ length: 10 }, (_, i) => enc(`c${i}`)) });
    const appends = out.messages.filter((m): m is AppendRequest => m.type === 'append' && m.to === 2);
    expect(appends.map((m) => m.entries.length)).toEqual([3, 3, 3, 1]);
    net.deliverAll();
    expect(net.appliedCommands(2)).toHaveLength(10);
  });

  it('keeps messages near maxBytesPerMsg, but always carries at least one entry', () => {
    const net = new Network([1, 2, 3], { maxBytesPerMsg: 150 });
    net.elect(1);
    const small = net.step(1, { type: 'propose', id: 1, commands: Array.from({ length: 4 }, () => new Uint8Array(40)) });
    const sizes = small.messages.filter((m): m is AppendRequest => m.type === 'append' && m.to === 2).map((m) => m.entries.length);
    expect(sizes).toEqual([2, 2]); // 2 x (40 + 24 overhead) = 128 <= 150
    net.deliverAll();
    const big = net.step(1, { type: 'propose', id: 2, commands: [new Uint8Array(1000)] });
    const bigAppend = big.messages.find((m): m is AppendRequest => m.type === 'append' && m.to === 2)!;
    expect(bigAppend.entries).toHaveLength(1);
  });

  it('pipelines up to maxInflight unacknowledged messages, then waits for acknowledgements', () => {
    const net = new Network([1, 2, 3], { maxEntriesPerMsg: 1, maxInflight: 3 });
    net.elect(1);
    expect(net.node(1).status().progress[2]).toMatchObject({ state: 'replicate', inflight: 0 });
    const out = net.step(1, { type: 'propose', id: 1, commands: Array.from({ length: 5 }, (_, i) => enc(`p${i}`)) });
    expect(out.messages.filter((m) => m.type === 'append' && m.to === 2)).toHaveLength(3);
    expect(net.node(1).status().progress[2]).toMatchObject({ state: 'replicate', inflight: 3, next: 5 });
    // More proposals while the window is full send nothing more to that follower.
    const more = net.step(1, { type: 'propose', id: 2, commands: [enc('p5')] });
    expect(more.messages.filter((m) => m.to === 2)).toEqual([]);
    net.deliverAll();
    expect(net.appliedCommands(2)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    expect(net.node(1).status().progress[2]).toMatchObject({ match: 7, inflight: 0 });
  });

  it('a lost message makes the follower reject the next one; the leader falls back to probe and repairs', () => {
    const net = new Network([1, 2, 3], { maxEntriesPerMsg: 1 });
    net.elect(1);
    net.step(1, { type: 'propose', id: 1, commands: [enc('a'), enc('b'), enc('c')] });
    const queued = net.takeQueued();
    const toTwo = queued.filter((m) => m.to === 2);
    // Lose the first append to node 2, deliver the rest, then feed node 2's rejection back by hand.
    const lost = toTwo[0] as AppendRequest;
    expect(lost.entries[0].index).toBe(2);
    net.deliver(toTwo[1]);
    const [reject] = net.takeQueued() as AppendResponse[];
    expect(reject).toMatchObject({ type: 'appendResp', success: false, rejectIndex: 2 });
    net.deliver(reject);
    expect(net.node(1).status().progress[2].state).toBe('probe');
    net.takeQueued(); // the probe itself is also lost
    for (const m of queued) if (m.to === 3 || m === toTwo[2]) net.deliver(m);
    net.deliverAll();
    net.tickAll(5); // heartbeat responses unblock the probe
    expect(net.appliedCommands(2)).toEqual(['a', 'b', 'c']);
    expect(net.node(1).status().progress[2].state).toBe('replicate');
  });
});

describe('heartbeats (§5.2)', () => {
  it('go out every heartbeatTicks with commit = min(commit, match) and a growing seq', () => {
    const net = new Network([1, 2, 3], { heartbeatTicks: 3 });
    net.elect(1);
    net.crash(3);
    net.propose(1, 'x');
    const beats: Heartbeat[] = [];
    for (let i = 0; i < 9; i++) {
      const out = net.step(1, { type: 'tick' });
      beats.push(...out.messages.filter((m): m is Heartbeat => m.type === 'heartbeat'));
    }
    expect(beats).toHaveLength(6); // 3 rounds x 2 peers
    const commit = net.node(1).status().commit;
    expect(commit).toBe(2);
    const match3 = net.node(1).status().progress[3].match;
    expect(match3).toBeLessThan(commit);
    for (const b of beats) expect(b.commit).toBe(b.to === 2 ? commit : match3);
    const seqs = beats.filter((b) => b.to === 2).map((b) => b.seq);
    expect(seqs[0]).toBeLessThan(seqs[1]);
    expect(seqs[1]).toBeLessThan(seqs[2]);
    expect(net.node(1).counters().heartbeatsSent).toBeGreaterThanOrEqual(6);
  });

  it('a heartbeat response from a lagging follower makes the leader send what it misses', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.setDropFilter((m) => m.type === 'append' && m.to === 3);
    net.propose(1, 'a', 'b');
    expect(net.appliedCommands(3)).toEqual([]);
    net.setDropFilter(null);
    net.tickAll(6); // no new proposals: only heartbeats can trigger the repair
    expect(net.appliedCommands(3)).toEqual(['a', 'b']);
    expect(net.node(3).counters().heartbeatsReceived).toBeGreaterThan(0);
  });

  it('followers learn the commit index even when no entries follow', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'only');
    net.tickAll(3);
    for (const id of [2, 3]) expect(net.node(id).status().commit).toBe(2);
  });
});
