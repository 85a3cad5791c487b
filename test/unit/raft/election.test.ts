/** Leader election: §5.1 terms, §5.2 elections, §5.4.1 election restriction. */
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/raft';
import type { Message, Outputs, VoteRequest, VoteResponse } from '../../../src/raft';
import { Network, ent, makeConfig } from './helpers';

function tickUntilCampaign(node: RaftNode, limit = 100): { ticks: number; out: Outputs } {
  for (let i = 1; i <= limit; i++) {
    const out = node.step({ type: 'tick' });
    if (out.events.some((e) => e.type === 'electionStarted')) return { ticks: i, out };
  }
  throw new Error('no election started');
}

const voteReq = (from: number, to: number, term: number, lastLogIndex: number, lastLogTerm: number, extra: Partial<VoteRequest> = {}): Message => ({
  type: 'vote', from, to, term, lastLogIndex, lastLogTerm, preVote: false, transfer: false, ...extra,
});

describe('election timer (§5.2)', () => {
  it('a follower that hears nothing starts an election within [electionTicksMin, electionTicksMax)', () => {
    // Reference: §5.2 "election timeouts are chosen randomly from a fixed interval".
    const seen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const node = new RaftNode(makeConfig(1, [1, 2, 3], { seed, electionTicksMin: 10, electionTicksMax: 15 }));
      const { ticks } = tickUntilCampaign(node);
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(15);
      seen.add(ticks);
    }
    expect([...seen].sort()).toEqual([10, 11, 12, 13, 14]);
  });

  it('nodes given the same seed still draw different timeouts', () => {
    // Identical timeouts would make every election a split vote (§5.2).
    const ticks = [1, 2, 3, 4, 5].map((id) => tickUntilCampaign(new RaftNode(makeConfig(id, [1, 2, 3, 4, 5], { electionTicksMax: 40 }))).ticks);
    expect(new Set(ticks).size).toBeGreaterThan(1);
  });

  it('a leader message resets the timer', () => {
    // Reference: §5.2 "If a follower receives no communication over a period of time...".
    const node = new RaftNode(makeConfig(2, [1, 2, 3], { electionTicksMin: 10, electionTicksMax: 11 }));
    for (let i = 0; i < 30; i++) {
      const out = node.step({ type: 'tick' });
      expect(out.events.some((e) => e.type === 'electionStarted')).toBe(false);
      node.step({ type: 'message', message: { type: 'heartbeat', from: 1, to: 2, term: 1, commit: 0, seq: i } });
    }
    expect(node.status().leader).toBe(1);
  });
});

describe('candidates (§5.2)', () => {
  it('increments its term, votes for itself and asks every peer, persisting before sending', () => {
    // Reference: §5.2 "a follower increments its current term ... votes for itself and issues RequestVote RPCs".
    const node = new RaftNode(makeConfig(1, [1, 2, 3]));
    const { out } = tickUntilCampaign(node);
    expect(node.status().role).toBe('candidate');
    expect(out.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    const reqs = out.messages as VoteRequest[];
    expect(reqs.map((m) => m.to).sort()).toEqual([2, 3]);
    for (const m of reqs) expect(m).toMatchObject({ type: 'vote', term: 1, lastLogIndex: 0, lastLogTerm: 0, preVote: false });
    expect(node.counters().electionsStarted).toBe(1);
  });

  it('wins with a majority, becomes leader and appends a no-op of its term', () => {
    const node = new RaftNode(makeConfig(1, [1, 2, 3, 4, 5]));
    tickUntilCampaign(node);
    const grant = (from: number): Outputs =>
      node.step({ type: 'message', message: { type: 'voteResp', from, to: 1, term: 1, granted: true, preVote: false } });
    expect(grant(2).events.some((e) => e.type === 'electionWon')).toBe(false);
    const out = grant(3);
    expect(node.status().role).toBe('leader');
    expect(out.events).toContainEqual({ type: 'electionWon', term: 1 });
    expect(out.entries).toEqual([{ index: 1, term: 1, kind: 'noop', data: new Uint8Array(0) }]);
    expect(out.messages.filter((m) => m.type === 'append').map((m) => m.to).sort()).toEqual([2, 3, 4, 5]);
    expect(node.counters()).toMatchObject({ electionsWon: 1, electionsStarted: 1, stateChanges: 2, ticksSinceLeaderContact: 0 });
    expect(node.status().progress[2]).toMatchObject({ match: 0, next: 1, state: 'probe' });
  });

  it('loses once a majority refuses and returns to follower', () => {
    const node = new RaftNode(makeConfig(1, [1, 2, 3]));
    tickUntilCampaign(node);
    node.step({ type: 'message', message: { type: 'voteResp', from: 2, to: 1, term: 1, granted: false, preVote: false } });
    const out = node.step({ type: 'message', message: { type: 'voteResp', from: 3, to: 1, term: 1, granted: false, preVote: false } });
    expect(node.status().role).toBe('follower');
    expect(out.events).toContainEqual({ type: 'electionLost', term: 1, reason: 'votes_refused' });
  });

  it('a split vote times out into a new election with a higher term', () => {
    // Reference: §5.2 "each candidate will time out and start a new election by incrementing its term".
    const node = new RaftNode(makeConfig(1, [1, 2, 3]));
    tickUntilCampaign(node);
    const { out } = tickUntilCampaign(node);
    expect(out.events).toContainEqual({ type: 'electionLost', term: 1, reason: 'timeout' });
    expect(node.status().term).toBe(2);
  });

  it('steps down when a leader of its term appears', () => {
    // Reference: §5.2 "If the leader's term is at least as large as the candidate's current term ... returns to follower state".
    const node = new RaftNode(makeConfig(1, [1, 2, 3]));
    tickUntilCampaign(node);
    node.step({ type: 'message', message: { type: 'heartbeat', from: 2, to: 1, term: 1, commit: 0, seq: 1 } });
    expect(node.status()).toMatchObject({ role: 'follower', leader: 2, term: 1 });
  });

  it('a three-node cluster elects exactly one leader and all agree on it', () => {
    const net = new Network([1, 2, 3]);
    net.runUntil(() => net.leader() !== null, 300, 'a leader');
    net.tickAll(5);
    const leader = net.leader()!;
    for (const id of [1, 2, 3]) expect(net.node(id).status().leader).toBe(leader);
  });

  it('a single-voter cluster elects itself at once', () => {
    const net = new Network([1]);
    net.runUntil(() => net.leader() === 1, 50, 'self-election');
    expect(net.node(1).status().term).toBe(1);
  });
});

describe('voting (§5.2, §5.4.1)', () => {
  it('grants at most one vote per term, and the vote is persisted with the reply', () => {
    // Reference: §5.2 "each server will vote for at most one candidate in a given term".
    const node = new RaftNode(makeConfig(3, [1, 2, 3]));
    const out1 = node.step({ type: 'message', message: voteReq(1, 3, 5, 0, 0) });
    const resp1 = out1.messages[0] as VoteResponse;
    expect(resp1).toMatchObject({ type: 'voteResp', to: 1, term: 5, granted: true });
    expect(out1.hardState).toEqual({ term: 5, vote: 1, commit: 0 });
    expect(node.counters().votesGranted).toBe(1);

    const out2 = node.step({ type: 'message', message: voteReq(2, 3, 5, 0, 0) });
    expect(out2.messages[0]).toMatchObject({ type: 'voteResp', to: 2, term: 5, granted: false });
    expect(out2.events.find((e) => e.type === 'voteRefused')).toMatchObject({ reason: 'already_voted_for_1' });
    expect(out2.hardState).toBeUndefined();

    // The same candidate asking again (a retransmission) gets the same answer.
    const out3 = node.step({ type: 'message', message: voteReq(1, 3, 5, 0, 0) });
    expect(out3.messages[0]).toMatchObject({ granted: true });
  });

  it('refuses a candidate whose log is less up-to-date (election restriction)', () => {
    // Reference: §5.4.1 "If the logs have last entries with different terms, then the log with the later term
    // is more up-to-date. If the logs end with the same term, then whichever log is longer is more up-to-date."
    const persisted = { hardState: { term: 3, vote: 0, commit: 0 }, entries: [ent(1, 1), ent(2, 3), ent(3, 3)] };
    const cases: [number, number, boolean][] = [
      [3, 2, false], // older last term
      [99, 2, false], // longer but older term
      [2, 3, false], // same term, shorter
      [3, 3, true], // identical
      [4, 3, true], // same term, longer
      [1, 4, true], // later term, shorter
    ];
    for (const [lastIndex, lastTerm, granted] of cases) {
      const node = new RaftNode(makeConfig(3, [1, 2, 3]), persisted);
      const out = node.step({ type: 'message', message: voteReq(1, 3, 4, lastIndex, lastTerm) });
      expect(out.messages[0], `candidate log (${lastIndex}, ${lastTerm})`).toMatchObject({ granted });
      if (!granted) expect(out.events.find((e) => e.type === 'voteRefused')).toMatchObject({ reason: 'candidate_log_behind' });
    }
  });

  it('refuses a vote request from an older term, telling the candidate the newer term', () => {
    // Reference: Figure 2 RequestVote "Reply false if term < currentTerm".
    const node = new RaftNode(makeConfig(3, [1, 2, 3]), { hardState: { term: 7, vote: 0, commit: 0 }, entries: [] });
    const out = node.step({ type: 'message', message: voteReq(1, 3, 6, 10, 6) });
    expect(out.messages[0]).toMatchObject({ type: 'voteResp', granted: false, term: 7 });
    expect(node.status().term).toBe(7);
  });

  it('granting a vote restarts the election timer', () => {
    const node = new RaftNode(makeConfig(3, [1, 2, 3], { electionTicksMin: 10, electionTicksMax: 11 }));
    for (let i = 0; i < 9; i++) node.step({ type: 'tick' });
    node.step({ type: 'message', message: voteReq(1, 3, 1, 0, 0) });
    for (let i = 0; i < 9; i++) {
      expect(node.step({ type: 'tick' }).events.some((e) => e.type === 'electionStarted')).toBe(false);
    }
  });
});

describe('terms (§5.1)', () => {
  it('any message with a higher term turns a leader into a follower of that term', () => {
    // Reference: §5.1 "If a candidate or leader discovers that its term is out of date, it immediately reverts to follower state."
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const out = net.step(1, {
      type: 'message',
      message: { type: 'appendResp', from: 2, to: 1, term: 9, success: false, matchIndex: 0, rejectIndex: 0, hintTerm: 0, hintIndex: 0, seq: 0 },
    });
    expect(net.node(1).status()).toMatchObject({ role: 'follower', term: 9, vote: 0, leader: null });
    expect(out.hardState).toMatchObject({ term: 9, vote: 0 });
    expect(out.events).toContainEqual({ type: 'role', role: 'follower', preCandidate: false, term: 9, leader: null });
  });

  it('rejects an AppendEntries from a stale leader and tells it the current term', () => {
    // Reference: Figure 2 AppendEntries "Reply false if term < currentTerm".
    const node = new RaftNode(makeConfig(2, [1, 2, 3]), { hardState: { term: 5, vote: 0, commit: 0 }, entries: [] });
    const out = node.step({
      type: 'message',
      message: { type: 'append', from: 1, to: 2, term: 4, prevIndex: 0, prevTerm: 0, entries: [ent(1, 4)], commit: 0 },
    });
    expect(out.entries).toEqual([]);
    expect(out.messages[0]).toMatchObject({ type: 'appendResp', success: false, term: 5 });
    expect(node.status().lastIndex).toBe(0);
  });

  it('a stale leader learns the new term from the rejection and steps down', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(1);
    net.elect(2);
    net.heal();
    net.tickAll(3);
    expect(net.node(1).status()).toMatchObject({ role: 'follower', leader: 2 });
    expect(net.leader()).toBe(2);
  });

  it('late replies from an earlier term are ignored', () => {
    const node = new RaftNode(makeConfig(1, [1, 2, 3]));
    tickUntilCampaign(node); // term 1
    tickUntilCampaign(node); // term 2
    node.step({ type: 'message', message: { type: 'voteResp', from: 2, to: 1, term: 1, granted: true, preVote: false } });
    node.step({ type: 'message', message: { type: 'voteResp', from: 3, to: 1, term: 1, granted: true, preVote: false } });
    expect(node.status().role).toBe('candidate');
  });
});

describe('who may campaign (§6)', () => {
  it('a node that is not a voter of its configuration never starts an election', () => {
    const node = new RaftNode(makeConfig(4, []));
    for (let i = 0; i < 500; i++) {
      const out = node.step({ type: 'tick' });
      expect(out.messages).toEqual([]);
    }
    expect(node.status()).toMatchObject({ role: 'follower', term: 0 });
    expect(node.counters().ticksSinceLeaderContact).toBe(500);
  });
});
