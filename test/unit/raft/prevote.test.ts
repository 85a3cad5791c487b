/** PreVote (thesis §9.6), CheckQuorum and the leader lease (thesis §6.2, §4.2.3). */
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/raft';
import type { Message, VoteRequest } from '../../../src/raft';
import { Network, ent, makeConfig } from './helpers';

const voteReq = (from: number, to: number, term: number, extra: Partial<VoteRequest> = {}): Message => ({
  type: 'vote', from, to, term, lastLogIndex: 0, lastLogTerm: 0, preVote: false, transfer: false, ...extra,
});

describe('PreVote (thesis §9.6)', () => {
  it('a pre-candidate asks for term + 1 without changing its own term or vote', () => {
    // Reference: thesis §9.6 "a candidate would first ask other servers whether its log was up-to-date enough
    // to get their vote ... the candidate does not increment its term".
    const node = new RaftNode(makeConfig(1, [1, 2, 3], { preVote: true }));
    let out;
    do out = node.step({ type: 'tick' });
    while (!out.events.some((e) => e.type === 'electionStarted'));
    expect(out.events).toContainEqual({ type: 'electionStarted', term: 1, preVote: true, transfer: false });
    expect(out.hardState).toBeUndefined();
    expect(node.status()).toMatchObject({ role: 'candidate', preCandidate: true, term: 0, vote: 0 });
    expect(out.messages.map((m) => m.type === 'vote' && m.preVote && m.term)).toEqual([1, 1]);
    expect(node.counters().electionsStarted).toBe(0);

    // A majority of pre-votes turns into the real election at term 1.
    const real = node.step({ type: 'message', message: { type: 'voteResp', from: 2, to: 1, term: 1, granted: true, preVote: true } });
    expect(node.status()).toMatchObject({ role: 'candidate', preCandidate: false, term: 1, vote: 1 });
    expect(real.hardState).toMatchObject({ term: 1, vote: 1 });
    expect(real.messages.every((m) => m.type === 'vote' && !m.preVote && m.term === 1)).toBe(true);
  });

  it('tells the lab a pre-candidate apart from a candidate in its role events', () => {
    // Thesis §9.6: a pre-candidate is not a candidate yet (its term is unchanged); the lab shows
    // "pre-candidate (PreVote)", so the role event says so, and a change of that alone is an event.
    const node = new RaftNode(makeConfig(1, [1, 2, 3], { preVote: true }));
    const roles = () => {
      const events = [];
      for (let i = 0; i < 200; i++) {
        const out = node.step({ type: 'tick' });
        events.push(...out.events.filter((e) => e.type === 'role'));
        if (events.length > 0) return events;
      }
      return events;
    };
    expect(roles()).toEqual([{ type: 'role', role: 'candidate', preCandidate: true, term: 0, leader: null }]);
    const real = node.step({ type: 'message', message: { type: 'voteResp', from: 2, to: 1, term: 1, granted: true, preVote: true } });
    expect(real.events).toContainEqual({ type: 'role', role: 'candidate', preCandidate: false, term: 1, leader: null });
    // The real election times out: a new pre-vote at the same term is a new role event.
    expect(roles()).toEqual([{ type: 'role', role: 'candidate', preCandidate: true, term: 1, leader: null }]);
  });

  it('granting a pre-vote records nothing: no term change, no vote', () => {
    const node = new RaftNode(makeConfig(3, [1, 2, 3]), { hardState: { term: 2, vote: 2, commit: 0 }, entries: [] });
    const out = node.step({ type: 'message', message: voteReq(1, 3, 3, { preVote: true }) });
    expect(out.messages[0]).toMatchObject({ type: 'voteResp', granted: true, preVote: true, term: 3 });
    expect(out.hardState).toBeUndefined();
    expect(node.status()).toMatchObject({ term: 2, vote: 2 });
  });

  it('refuses a pre-vote while it hears from a leader, and for a stale log', () => {
    // Reference: thesis §9.6 "... and it has not received heartbeats from a valid leader for at least a baseline election timeout".
    const node = new RaftNode(makeConfig(3, [1, 2, 3], { electionTicksMin: 10, electionTicksMax: 20 }));
    node.step({ type: 'message', message: { type: 'append', from: 1, to: 3, term: 1, prevIndex: 0, prevTerm: 0, entries: [ent(1, 1)], commit: 0 } });
    const recent = node.step({ type: 'message', message: voteReq(2, 3, 2, { preVote: true, lastLogIndex: 1, lastLogTerm: 1 }) });
    expect(recent.messages[0]).toMatchObject({ granted: false, term: 1 });
    expect(recent.events.find((e) => e.type === 'voteRefused')).toMatchObject({ reason: 'leader_recently_heard' });

    for (let i = 0; i < 10; i++) node.step({ type: 'tick' });
    const behind = node.step({ type: 'message', message: voteReq(2, 3, 2, { preVote: true, lastLogIndex: 0, lastLogTerm: 0 }) });
    expect(behind.events.find((e) => e.type === 'voteRefused')).toMatchObject({ reason: 'candidate_log_behind' });
    const ok = node.step({ type: 'message', message: voteReq(2, 3, 2, { preVote: true, lastLogIndex: 1, lastLogTerm: 1 }) });
    expect(ok.messages[0]).toMatchObject({ granted: true, term: 2 });
  });

  for (const preVote of [true, false]) {
    it(`a partitioned node rejoining ${preVote ? 'does not disrupt the leader (PreVote on)' : 'bumps the term (PreVote off)'}`, () => {
      const net = new Network([1, 2, 3], { preVote });
      const term = net.elect(1);
      net.propose(1, 'x');
      net.isolate(3);
      net.tickAll(100); // node 3 keeps timing out alone
      const t3 = net.node(3).status().term;
      if (preVote) expect(t3).toBe(term);
      else expect(t3).toBeGreaterThan(term + 2);
      net.heal();
      net.tickAll(60);
      expect(net.leader()).not.toBeNull();
      if (preVote) {
        expect(net.leader()).toBe(1);
        expect(net.node(1).status().term).toBe(term);
      } else {
        expect(net.node(net.leader()!).status().term).toBeGreaterThan(term);
      }
      for (const id of [1, 2, 3]) expect(net.appliedCommands(id)).toEqual(['x']);
    });
  }

  it('a cluster with PreVote still elects a leader after the leader crashes', () => {
    const net = new Network([1, 2, 3], { preVote: true });
    net.elect(1);
    net.crash(1);
    net.runUntil(() => net.leader() !== null && net.leader() !== 1, 300, 'a new leader');
  });
});

describe('CheckQuorum (thesis §6.2)', () => {
  for (const checkQuorum of [true, false]) {
    it(`a leader cut off from its majority ${checkQuorum ? 'steps down' : 'stays leader (CheckQuorum off)'}`, () => {
      const net = new Network([1, 2, 3], { checkQuorum, electionTicksMin: 10, electionTicksMax: 20 });
      const term = net.elect(1);
      net.isolate(1);
      for (let i = 0; i < 21; i++) net.tick(1);
      const st = net.node(1).status();
      if (checkQuorum) {
        expect(st.role).toBe('follower');
        expect(net.eventsOf(1, 'quorumLost')).toEqual([{ type: 'quorumLost', term }]);
      } else {
        expect(st.role).toBe('leader');
        expect(net.eventsOf(1, 'quorumLost')).toEqual([]);
      }
    });
  }

  it('a leader that hears from a quorum keeps leading', () => {
    const net = new Network([1, 2, 3], { checkQuorum: true });
    net.elect(1);
    net.crash(3);
    net.tickAll(200);
    expect(net.leader()).toBe(1);
    expect(net.eventsOf(1, 'quorumLost')).toEqual([]);
  });

  it('lease: while it hears from a leader, a voter ignores a vote request of a higher term', () => {
    // Reference: thesis §4.2.3 "if a server receives a RequestVote request within the minimum election timeout of
    // hearing from a current leader, it does not update its term or grant its vote".
    const node = new RaftNode(makeConfig(3, [1, 2, 3], { checkQuorum: true }));
    node.step({ type: 'message', message: { type: 'heartbeat', from: 1, to: 3, term: 1, commit: 0, seq: 1 } });
    const out = node.step({ type: 'message', message: voteReq(2, 3, 5) });
    expect(out.messages).toEqual([]);
    expect(out.events.find((e) => e.type === 'voteRefused')).toMatchObject({ reason: 'leader_lease' });
    expect(node.status()).toMatchObject({ term: 1, leader: 1 });

    // A transfer election is the leader's own wish: the lease does not apply (thesis §3.10).
    const forced = node.step({ type: 'message', message: voteReq(2, 3, 5, { transfer: true }) });
    expect(forced.messages[0]).toMatchObject({ type: 'voteResp', granted: true, term: 5 });
  });

  it('without CheckQuorum there is no lease: a higher-term vote request is answered', () => {
    const node = new RaftNode(makeConfig(3, [1, 2, 3], { checkQuorum: false }));
    node.step({ type: 'message', message: { type: 'heartbeat', from: 1, to: 3, term: 1, commit: 0, seq: 1 } });
    const out = node.step({ type: 'message', message: voteReq(2, 3, 5) });
    expect(out.messages[0]).toMatchObject({ granted: true, term: 5 });
  });

  it('PreVote and CheckQuorum together: a minority partition cannot elect, the majority keeps working', () => {
    const net = new Network([1, 2, 3, 4, 5], { preVote: true, checkQuorum: true });
    const term = net.elect(1);
    net.partition([1, 2], [3, 4, 5]);
    net.runUntil(() => [3, 4, 5].some((id) => net.node(id).status().role === 'leader'), 300, 'majority leader');
    net.tickAll(30);
    // Node 1 stepped down (no quorum) and now only pre-campaigns: neither minority node's term moved.
    expect(net.eventsOf(1, 'quorumLost')).toHaveLength(1);
    expect(net.node(1).status().role).not.toBe('leader');
    for (const id of [1, 2]) expect(net.node(id).status().term).toBe(term);
    const newLeader = net.leader()!;
    expect(net.propose(newLeader, 'during-partition')).toMatchObject({ type: 'proposed' });
    net.heal();
    net.tickAll(30);
    for (const id of [1, 2, 3, 4, 5]) expect(net.appliedCommands(id)).toEqual(['during-partition']);
  });
});
