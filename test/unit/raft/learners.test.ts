/**
 * Learners (Ongaro thesis §4.2.1): "the new servers join the cluster as non-voting members (the
 * leader replicates log entries to them, but they are not considered for majorities)", until
 * they have caught up; then an ordinary configuration change (§6) makes them voters.
 */
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/raft';
import type { AdminRequest, ClusterConfig, Result } from '../../../src/raft';
import { Network, makeConfig } from './helpers';

function admin(net: Network, leader: number, request: AdminRequest): Result {
  return net.step(leader, { type: 'admin', id: net.nextRequestId(), request }).results[0];
}

/** A 3-voter cluster led by 1, with node 4 added (empty) as a learner and caught up. */
function withLearner(overrides = {}, netOptions = {}): Network {
  const net = new Network([1, 2, 3], overrides, netOptions);
  net.add(makeConfig(4, [], overrides));
  net.elect(1);
  net.propose(1, 'before');
  expect(admin(net, 1, { type: 'changeMembership', voters: [1, 2, 3], learners: [4] })).toMatchObject({ type: 'admin' });
  net.deliverAll();
  net.tickAll(3);
  return net;
}

describe('learners (thesis §4.2.1)', () => {
  it('adding a learner is one configuration entry, replicated to it, with no joint step', () => {
    const net = withLearner();
    const expected: ClusterConfig = { voters: [1, 2, 3], learners: [4] };
    for (const id of [1, 2, 3, 4]) expect(net.node(id).status().config).toEqual(expected);
    // §4.2.1: the leader replicates entries to the learner.
    expect(net.appliedCommands(4)).toEqual(['before']);
    expect(net.node(1).status().progress[4]).toBeDefined();
    // One entry: learners count in no quorum, so C_old and C_new majorities cannot disagree.
    expect(net.eventsOf(4, 'config').map((e) => e.config)).toEqual([expected]);
  });

  it('a learner never counts toward commitment: two voters down stop commits though the learner acknowledges', () => {
    const net = withLearner();
    net.crash(2);
    net.crash(3);
    net.propose(1, 'needs-a-voter');
    net.tickAll(3);
    // The learner has the entry, but 1 + learner is not a majority of {1,2,3} (§5.3 counts voters only).
    expect(net.node(4).status().lastIndex).toBe(net.node(1).status().lastIndex);
    expect(net.appliedCommands(1)).toEqual(['before']);
    net.restart(2);
    net.tickAll(5);
    expect(net.appliedCommands(1)).toEqual(['before', 'needs-a-voter']);
  });

  it('a learner never campaigns, not on timeout and not on TimeoutNow; the leader refuses to transfer to it', () => {
    const net = withLearner();
    net.crash(1);
    net.tickAll(300);
    expect(net.node(4).counters().electionsStarted).toBe(0);
    expect(net.node(4).status().role).toBe('follower');
    // The voters elect among themselves; the learner follows the new leader.
    const leader = net.leader();
    expect([2, 3]).toContain(leader);
    net.tickAll(3);
    expect(net.node(4).status().leader).toBe(leader);
    const refused = admin(net, leader!, { type: 'transferLeader', to: 4 });
    expect(refused).toMatchObject({ type: 'error' });
    net.tickAll(50);
    expect(net.node(4).counters().electionsStarted).toBe(0);
  });

  it('a candidate does not ask a learner for a vote and does not count one', () => {
    const net = withLearner({ preVote: false });
    net.crash(1);
    const votesTo4: number[] = [];
    net.setDropFilter((m) => {
      if (m.type === 'vote' && m.to === 4) votesTo4.push(m.from);
      return false;
    });
    net.runUntil(() => net.leader() !== null && net.leader() !== 1, 500, 'a new leader');
    expect(votesTo4).toEqual([]);
  });

  it('CheckQuorum and ReadIndex ignore the learner: a leader with only the learner steps down and answers no read', () => {
    const net = withLearner({ checkQuorum: true });
    net.isolate(2);
    net.isolate(3);
    const readId = net.nextRequestId();
    net.step(1, { type: 'read', id: readId });
    net.tickAll(60);
    // Only the learner still answers heartbeats: that is no quorum of {1,2,3} (thesis §6.2, §8).
    expect(net.node(1).status().role).not.toBe('leader');
    expect(net.results.get(1)!.some((r) => r.type === 'read' && r.id === readId)).toBe(false);
  });

  it('promotion to voter is a joint change (§6) that then counts the new voter', () => {
    const net = withLearner();
    expect(admin(net, 1, { type: 'changeMembership', voters: [1, 2, 3, 4] })).toMatchObject({ type: 'admin' });
    expect(net.node(1).status().config).toEqual({ voters: [1, 2, 3, 4], outgoing: [1, 2, 3] });
    net.deliverAll();
    net.tickAll(3);
    for (const id of [1, 2, 3, 4]) expect(net.node(id).status().config).toEqual({ voters: [1, 2, 3, 4] });
    // Now a voter: with 2 and 3 down, {1,4} is not a majority of four, but {1,3,4} is.
    net.crash(2);
    net.propose(1, 'three-of-four');
    net.tickAll(3);
    expect(net.appliedCommands(4)).toEqual(['before', 'three-of-four']);
  });

  it('learners are carried through a joint change of the voters and survive leaving it', () => {
    const net = withLearner();
    net.add(makeConfig(5, []));
    expect(admin(net, 1, { type: 'changeMembership', voters: [1, 2, 3, 5] })).toMatchObject({ type: 'admin' });
    expect(net.node(1).status().config).toEqual({ voters: [1, 2, 3, 5], outgoing: [1, 2, 3], learners: [4] });
    net.deliverAll();
    net.tickAll(3);
    expect(net.node(4).status().config).toEqual({ voters: [1, 2, 3, 5], learners: [4] });
  });

  it('refuses a voter that is also a learner, and a voter demoted straight to learner', () => {
    const net = withLearner();
    expect(admin(net, 1, { type: 'changeMembership', voters: [1, 2, 3], learners: [3] })).toMatchObject({
      type: 'error',
      error: { code: 'invalid_request' },
    });
    expect(admin(net, 1, { type: 'changeMembership', voters: [1, 2], learners: [3, 4] })).toMatchObject({
      type: 'error',
      error: { code: 'invalid_request', message: expect.stringContaining('remove it before') },
    });
    expect(admin(net, 1, { type: 'changeMembership', voters: [1, 2, 3], learners: [4] })).toMatchObject({
      type: 'error',
      error: { code: 'invalid_request', message: expect.stringContaining('already') },
    });
  });

  it('a learner learns its place from a snapshot and keeps it across a restart', () => {
    const net = new Network([1, 2, 3], { snapshotThreshold: 3 }, { autoSnapshot: true });
    net.elect(1);
    for (let i = 0; i < 10; i++) net.propose(1, `c${i}`);
    net.add(makeConfig(4, [], { snapshotThreshold: 3 }));
    expect(admin(net, 1, { type: 'changeMembership', voters: [1, 2, 3], learners: [4] })).toMatchObject({ type: 'admin' });
    net.deliverAll();
    net.tickAll(3);
    for (let i = 0; i < 5; i++) net.propose(1, `d${i}`);
    net.tickAll(3);
    expect(net.eventsOf(4, 'snapshotInstalled').length).toBeGreaterThan(0);
    expect(net.node(4).status().config).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(net.appliedCommands(4)).toEqual(net.appliedCommands(1));
    const restarted: RaftNode = net.restart(4);
    expect(restarted.status().config).toEqual({ voters: [1, 2, 3], learners: [4] });
    net.tickAll(300);
    expect(restarted.counters().electionsStarted).toBe(0);
  });

  it('a learner still answers a vote request (it may have been promoted in an entry it lacks; etcd raft does the same)', () => {
    const net = withLearner({ preVote: false });
    const term = net.node(1).status().term;
    const out = net.step(4, {
      type: 'message',
      message: { type: 'vote', from: 2, to: 4, term: term + 1, lastLogIndex: 100, lastLogTerm: term, preVote: false, transfer: false },
    });
    // The ordinary §5.2 rules: 4 follows a leader in `term`, and the request is for term + 1.
    expect(out.messages).toContainEqual(expect.objectContaining({ type: 'voteResp', to: 2, granted: true }));
  });

  it('refuses a configuration entry naming a node as both learner and voter (validateInput)', () => {
    const net = withLearner();
    const s = net.node(4).status();
    const before = net.node(4).counters().refused.config_entry_invalid;
    expect(() =>
      net.node(4).step({
        type: 'message',
        message: {
          type: 'append',
          from: 1,
          to: 4,
          term: s.term,
          prevIndex: s.lastIndex,
          prevTerm: s.lastTerm,
          commit: s.commit,
          seq: 999,
          entries: [{ index: s.lastIndex + 1, term: s.term, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 3], learners: [3] } }],
        },
      }),
    ).toThrow(/both a learner and a voter/);
    expect(net.node(4).counters().refused.config_entry_invalid).toBe(before + 1);
    expect(net.node(4).status().lastIndex).toBe(s.lastIndex);
  });
});
