/**
 * A node never dies of its input (issue 9): every input that would break an invariant is
 * refused BEFORE it touches any state (RaftInputError) or ignored, and counted per reason.
 * Each case here killed, bricked or stalled a node before (noted per test).
 */
import { describe, expect, it } from 'vitest';
import { MAX_TERM, RaftInputError, RaftNode, crc32 } from '../../../src/raft';
import type { Entry, Message, Outputs, RefusalReason } from '../../../src/raft';
import { Network, ent, enc, makeConfig } from './helpers';

function follower(entries: Entry[] = [], commit = 0, term = 3, voters = [1, 2, 3]): RaftNode {
  return new RaftNode(makeConfig(2, voters), { hardState: { term, vote: 0, commit }, entries });
}

const append = (prevIndex: number, prevTerm: number, entries: Entry[], term = 3, from = 1): Message => ({
  type: 'append', from, to: 2, term, prevIndex, prevTerm, entries, commit: 0, seq: 1,
});

function snapshot(index: number, term: number, data: Uint8Array, checksum = crc32(data), msgTerm = 3): Message {
  return { type: 'snapshot', from: 1, to: 2, term: msgTerm, snapshot: { meta: { index, term, config: { voters: [1, 2, 3] } }, data }, checksum };
}

/** Steps `message` into `node`, expects a RaftInputError for `reason`, and the node unchanged. */
function expectRefused(node: RaftNode, message: Message, reason: RefusalReason): void {
  const before = node.status();
  const counted = node.counters().refused[reason];
  let error: unknown;
  try {
    node.step({ type: 'message', message });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RaftInputError);
  expect((error as RaftInputError).reason).toBe(reason);
  expect(node.status()).toEqual(before);
  expect(node.counters().refused[reason]).toBe(counted + 1);
}

/** Steps `message`, expects it ignored (no output at all), the node unchanged, and counted. */
function expectIgnored(node: RaftNode, message: Message, reason: RefusalReason): void {
  const before = node.status();
  const counted = node.counters().refused[reason];
  const out: Outputs = node.step({ type: 'message', message });
  expect(out).toEqual({ entries: [], messages: [], committed: [], results: [], events: [] });
  expect(node.status()).toEqual(before);
  expect(node.counters().refused[reason]).toBe(counted + 1);
}

describe('AppendEntries that would break the log (§5.3)', () => {
  it('refuses entries that are not at prevIndex + 1 + i (this was a fatal RaftInvariantError, exit 70)', () => {
    const node = follower([ent(1, 1)], 1);
    expectRefused(node, append(1, 1, [ent(3, 3)]), 'entries_not_contiguous');
    expectRefused(node, append(1, 1, [ent(2, 3), ent(2, 3)]), 'entries_not_contiguous');
  });

  it('refuses decreasing entry terms (they were persisted, then refused at every restart)', () => {
    const node = follower([ent(1, 1)], 1);
    expectRefused(node, append(1, 1, [ent(2, 3), ent(3, 2)]), 'entry_term_invalid');
    expectRefused(node, append(1, 2, [ent(2, 1)]), 'entry_term_invalid'); // below prevTerm
  });

  it('refuses entry terms above the message term, and a prevTerm above it', () => {
    const node = follower([ent(1, 1)], 1);
    expectRefused(node, append(1, 1, [ent(2, 4)]), 'entry_term_invalid');
    expectRefused(node, append(1, 4, []), 'entry_term_invalid');
  });

  it('refuses malformed configuration entries (§6)', () => {
    const node = follower([ent(1, 1)], 1);
    const config = (c: unknown): Entry => ({ index: 2, term: 3, kind: 'config', data: new Uint8Array(0), config: c as Entry['config'] });
    expectRefused(node, append(1, 1, [config({ voters: [] })]), 'config_entry_invalid');
    expectRefused(node, append(1, 1, [config({ voters: [1, 1, 2] })]), 'config_entry_invalid');
    expectRefused(node, append(1, 1, [config({ voters: [1, 2], outgoing: [0] })]), 'config_entry_invalid');
    expectRefused(node, append(1, 1, [config(undefined)]), 'config_entry_invalid');
  });

  it('refuses an entry that is not an entry', () => {
    const node = follower([ent(1, 1)], 1);
    expectRefused(node, append(1, 1, [{ index: 2, term: 3, kind: 'command', data: 'x' as unknown as Uint8Array }]), 'malformed');
    expectRefused(node, append(1, 1, [{ index: 2, term: 3, kind: 'blob' as Entry['kind'], data: enc('x') }]), 'malformed');
  });

  it('still accepts the same AppendEntries once it is well formed', () => {
    const node = follower([ent(1, 1)], 1);
    const out = node.step({ type: 'message', message: append(1, 1, [ent(2, 3), ent(3, 3)]) });
    expect(out.entries.map((e) => e.index)).toEqual([2, 3]);
    expect(node.counters().refused).toEqual(expect.objectContaining({ entries_not_contiguous: 0, entry_term_invalid: 0 }));
  });
});

describe('terms bounded far below 2^53', () => {
  it('refuses a term of 2^53 - 1 (it was persisted and ended elections for good)', () => {
    const node = follower();
    const heartbeat: Message = { type: 'heartbeat', from: 1, to: 2, term: Number.MAX_SAFE_INTEGER, commit: 0, seq: 1 };
    expectRefused(node, heartbeat, 'term_out_of_range');
    expectRefused(node, { ...heartbeat, term: MAX_TERM + 1 }, 'term_out_of_range');
    expect(node.status().term).toBe(3);
  });

  it('accepts MAX_TERM itself, and a node at MAX_TERM stops campaigning instead of asking for MAX_TERM + 1', () => {
    const net = new Network([1, 2, 3]);
    net.step(1, { type: 'message', message: { type: 'heartbeat', from: 2, to: 1, term: MAX_TERM, commit: 0, seq: 1 } });
    expect(net.node(1).status().term).toBe(MAX_TERM);
    net.tick(1, 100);
    expect(net.eventsOf(1, 'electionStarted')).toEqual([]);
    expect(net.node(1).status()).toMatchObject({ role: 'follower', term: MAX_TERM });
  });
});

describe('senders (§6)', () => {
  it('ignores a message from a node in no configuration it knows', () => {
    const node = follower();
    const vote: Message = { type: 'vote', from: 9, to: 2, term: 7, lastLogIndex: 5, lastLogTerm: 3, preVote: false, transfer: false };
    expectIgnored(node, vote, 'unknown_sender');
  });

  it('a joining node (no configuration yet) accepts its first AppendEntries from any leader', () => {
    const node = new RaftNode(makeConfig(4, []));
    const out = node.step({ type: 'message', message: { ...append(0, 0, [ent(1, 1)], 1, 1), to: 4 } as Message });
    expect(out.entries).toHaveLength(1);
    expect(node.status()).toMatchObject({ leader: 1, lastIndex: 1 });
  });

  it('keeps accepting a removed server that its log still names (§6: it must hear its removal)', () => {
    const node = follower([{ index: 1, term: 1, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2] } }], 0, 3, [1, 2, 3]);
    const vote: Message = { type: 'vote', from: 3, to: 2, term: 3, lastLogIndex: 0, lastLogTerm: 0, preVote: false, transfer: false };
    const out = node.step({ type: 'message', message: vote });
    expect(out.messages).toEqual([expect.objectContaining({ type: 'voteResp', to: 3, granted: false })]);
  });
});

describe('TimeoutNow only from the current leader of the current term (thesis §3.10)', () => {
  it('ignores TimeoutNow from a non-member, from a member that is not the leader, and for a later term', () => {
    const net = new Network([1, 2, 3]);
    const term = net.elect(1);
    const node = net.node(2);
    expectIgnored(node, { type: 'timeoutNow', from: 9, to: 2, term }, 'unknown_sender');
    expectIgnored(node, { type: 'timeoutNow', from: 3, to: 2, term }, 'timeout_now_not_from_leader');
    expectIgnored(node, { type: 'timeoutNow', from: 1, to: 2, term: term + 5 }, 'timeout_now_not_from_leader');
  });

  it('still campaigns at once on TimeoutNow from its leader', () => {
    const net = new Network([1, 2, 3]);
    const term = net.elect(1);
    const out = net.step(2, { type: 'message', message: { type: 'timeoutNow', from: 1, to: 2, term } });
    expect(out.events).toContainEqual({ type: 'electionStarted', term: term + 1, preVote: false, transfer: true });
  });
});

describe('InstallSnapshot verified before it is persisted (§7)', () => {
  it('refuses snapshot data that does not match its checksum (garbage was persisted, and failed every restart)', () => {
    const node = follower();
    const data = enc('{"applied":[],"lastIndex":5}');
    const garbage = enc('\u0000\u00ff garbage');
    expectRefused(node, snapshot(5, 2, garbage, crc32(data)), 'snapshot_checksum');
    const flipped = data.slice();
    flipped[3] ^= 1;
    expectRefused(node, snapshot(5, 2, flipped, crc32(data)), 'snapshot_checksum');
    const out = node.step({ type: 'message', message: snapshot(5, 2, data) });
    expect(out.snapshot?.meta).toMatchObject({ index: 5, term: 2 });
  });

  it('refuses insane snapshot metadata', () => {
    const node = follower([ent(1, 1), ent(2, 3)], 2);
    const data = enc('s');
    expectRefused(node, snapshot(0, 1, data), 'snapshot_invalid');
    expectRefused(node, snapshot(5, 4, data), 'snapshot_invalid'); // term above the message term
    expectRefused(node, snapshot(5, 2, data), 'snapshot_invalid'); // ends in a term older than our committed entry 2/3
    const badConfig: Message = { type: 'snapshot', from: 1, to: 2, term: 3, snapshot: { meta: { index: 5, term: 3, config: { voters: [] } }, data }, checksum: crc32(data) };
    expectRefused(node, badConfig, 'config_entry_invalid');
  });

  it('a leader stamps every snapshot it sends with the CRC-32 of its data, and a follower installs it', () => {
    const net = new Network([1, 2, 3], { snapshotThreshold: 3 }, { autoSnapshot: true });
    net.elect(1);
    net.isolate(3);
    for (let i = 0; i < 6; i++) net.propose(1, `v${i}`);
    net.heal();
    net.runUntil(() => net.node(3).status().snapshotIndex > 0, 200, 'snapshot installed on 3');
    const sent = net.sent.filter((m) => m.type === 'snapshot' && m.to === 3);
    expect(sent.length).toBeGreaterThan(0);
    for (const m of sent) if (m.type === 'snapshot') expect(m.checksum).toBe(crc32(m.snapshot.data));
  });
});

describe('CRC-32', () => {
  it('matches the standard check value', () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('counters', () => {
  it('lists a count for every refusal reason, starting at zero, and hands out copies', () => {
    const node = follower();
    const c = node.counters();
    expect(Object.values(c.refused).every((v) => v === 0)).toBe(true);
    expect(Object.keys(c.refused)).toContain('snapshot_checksum');
    c.refused.malformed = 99;
    expect(node.counters().refused.malformed).toBe(0);
  });

  it('counts a refused local input too (caller contract)', () => {
    const node = follower();
    expect(() => node.step({ type: 'snapshotTaken', index: 9, data: enc('x') })).toThrow(RaftInputError);
    expect(node.counters().refused.caller_contract).toBe(1);
  });
});

describe('a leader the node cannot know yet (§6, thesis §4.2.1)', () => {
  it('a node that fell behind hears a leader added in a configuration it has not received; a second leader in a followed term stays refused', () => {
    // Node 2 knows {1,2,3}; the cluster since added 9 (a learner promoted) which now leads in a later term.
    const node = follower();
    const term = node.status().term;
    const later: Message = { type: 'heartbeat', from: 9, to: 2, term: term + 1, commit: 0, seq: 1 };
    const out = node.step({ type: 'message', message: later });
    expect(out.messages).toEqual([expect.objectContaining({ type: 'heartbeatResp', to: 9 })]);
    expect(node.status()).toMatchObject({ leader: 9, term: term + 1 });
    // It keeps hearing that leader (and would answer an older term with its own, node.ts).
    const again = node.step({ type: 'message', message: { ...later, seq: 2 } });
    expect(again.messages).toEqual([expect.objectContaining({ type: 'heartbeatResp', to: 9, seq: 2 })]);
    // Now following 9 in term + 1: another unknown "leader" of that same term is a forgery (§5.2 Election Safety).
    expectIgnored(node, { type: 'heartbeat', from: 8, to: 2, term: term + 1, commit: 0, seq: 1 }, 'unknown_sender');
    // Not a leader's message: still refused from an unknown sender.
    expectIgnored(node, { type: 'appendResp', from: 8, to: 2, term: term + 1, success: true, matchIndex: 0, rejectIndex: 0, hintTerm: 0, hintIndex: 0, seq: 0 }, 'unknown_sender');
  });
});
