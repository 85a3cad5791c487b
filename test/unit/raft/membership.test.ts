/** Membership changes by joint consensus (§6). */
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/raft';
import type { AppendRequest, ClusterConfig, Entry, PersistedState } from '../../../src/raft';
import { Network, ent, makeConfig } from './helpers';

const configEntry = (index: number, term: number, config: ClusterConfig): Entry => ({
  index, term, kind: 'config', data: new Uint8Array(0), config,
});

function change(net: Network, leader: number, voters: number[]) {
  return net.step(leader, { type: 'admin', id: net.nextRequestId(), request: { type: 'changeMembership', voters } }).results[0];
}

describe('joint consensus (§6)', () => {
  it('adds a voter: C_old,new then C_new, while proposals keep committing', () => {
    // Reference: §6 "the cluster first switches to a transitional configuration we call joint consensus; once the
    // joint consensus has been committed, the system then transitions to the new configuration".
    const net = new Network([1, 2, 3]);
    net.add(makeConfig(4, [])); // a new, empty node: it just follows
    net.elect(1);
    net.propose(1, 'before');
    const out = net.step(1, { type: 'admin', id: 77, request: { type: 'changeMembership', voters: [1, 2, 3, 4] } });
    expect(out.results).toEqual([{ type: 'admin', id: 77 }]);
    expect(out.entries[0]).toMatchObject({ kind: 'config', config: { voters: [1, 2, 3, 4], outgoing: [1, 2, 3] } });
    // Takes effect at once on the leader (appended, not committed).
    expect(net.node(1).status().config).toEqual({ voters: [1, 2, 3, 4], outgoing: [1, 2, 3] });
    net.step(1, { type: 'propose', id: 1, commands: [new TextEncoder().encode('during')] });
    net.deliverAll();
    net.propose(1, 'after');
    net.tickAll(3);
    for (const id of [1, 2, 3, 4]) {
      expect(net.node(id).status().config).toEqual({ voters: [1, 2, 3, 4] });
      expect(net.appliedCommands(id)).toEqual(['before', 'during', 'after']);
    }
    const configs = net.eventsOf(4, 'config').map((e) => e.config);
    expect(configs).toEqual([{ voters: [1, 2, 3, 4], outgoing: [1, 2, 3] }, { voters: [1, 2, 3, 4] }]);
    // The new voter counts now: with 1 and 2 down, 3 and 4 are not a majority of four.
    net.crash(1);
    net.crash(2);
    net.tickAll(100);
    expect(net.leader()).toBeNull();
    net.restart(2);
    net.runUntil(() => net.leader() !== null, 300, 'a leader of {2,3,4}');
  });

  it('a new node far behind catches up through a snapshot and gets the configuration from it', () => {
    const net = new Network([1, 2, 3], { snapshotThreshold: 3 }, { autoSnapshot: true });
    net.elect(1);
    for (let i = 0; i < 10; i++) net.propose(1, `c${i}`);
    net.add(makeConfig(4, [], { snapshotThreshold: 3 }));
    expect(change(net, 1, [1, 2, 3, 4])).toMatchObject({ type: 'admin' });
    net.deliverAll();
    net.tickAll(5);
    expect(net.eventsOf(4, 'snapshotInstalled').length).toBeGreaterThan(0);
    expect(net.node(4).status().config).toEqual({ voters: [1, 2, 3, 4] });
    expect(net.appliedCommands(4)).toEqual(net.appliedCommands(1));
  });

  it('removes a follower; the removed node learns it and stops campaigning', () => {
    const net = new Network([1, 2, 3]);
    const term = net.elect(1);
    change(net, 1, [1, 2]);
    net.deliverAll();
    net.tickAll(3);
    expect(net.node(1).status().config).toEqual({ voters: [1, 2] });
    expect(net.node(3).status().config).toEqual({ voters: [1, 2] });
    expect(net.node(1).status().progress[3]).toBeUndefined();
    net.tickAll(200); // node 3 hears nothing more, but must not start elections
    expect(net.node(3).counters().electionsStarted).toBe(0);
    expect(net.node(1).status()).toMatchObject({ role: 'leader', term });
    net.crash(3);
    expect(net.propose(1, 'two-node')).toMatchObject({ type: 'proposed' });
    net.tickAll(2);
    expect(net.appliedCommands(2)).toEqual(['two-node']);
  });

  it('removes the leader: it manages the change, steps down once C_new commits, and the rest elect a leader', () => {
    // Reference: §6 "the leader ... steps down (returns to follower state) once it has committed the C_new log entry".
    const net = new Network([1, 2, 3]);
    net.elect(1);
    change(net, 1, [2, 3]);
    net.deliverAll();
    net.tickAll(2);
    const st1 = net.node(1).status();
    expect(st1.role).toBe('follower');
    expect(st1.config).toEqual({ voters: [2, 3] });
    net.runUntil(() => net.leader() !== null, 300, 'a leader among 2 and 3');
    const leader = net.leader()!;
    expect([2, 3]).toContain(leader);
    expect(net.propose(leader, 'without-1')).toMatchObject({ type: 'proposed' });
    net.tickAll(2);
    expect(net.appliedCommands(2)).toContain('without-1');
    expect(net.node(1).counters().electionsStarted).toBe(1); // only its original election
  });

  it('a joint configuration needs majorities of both the old and the new voters to commit', () => {
    // Reference: §6 "Agreement (for elections and entry commitment) requires separate majorities from both the old
    // and new configurations."
    const net = new Network([1, 2, 3]);
    net.add(makeConfig(4, []));
    net.add(makeConfig(5, []));
    net.elect(1);
    net.crash(4);
    net.crash(5);
    change(net, 1, [1, 4, 5]);
    net.deliverAll();
    net.tickAll(3);
    const st = net.node(1).status();
    expect(st.config).toEqual({ voters: [1, 4, 5], outgoing: [1, 2, 3] });
    expect(st.commit).toBe(1); // the joint entry (index 2) is on 1, 2, 3 but on no majority of {1, 4, 5}
    net.restart(4);
    net.tickAll(5);
    expect(net.node(1).status().config).toEqual({ voters: [1, 4, 5] });
    expect(net.node(1).status().commit).toBe(3);
  });

  it('... and the old voters\' majority is needed just as much', () => {
    const net = new Network([1, 2, 3]);
    net.add(makeConfig(4, []));
    net.add(makeConfig(5, []));
    net.elect(1);
    change(net, 1, [1, 4, 5]);
    // The joint entry reaches 4 and 5 (a majority of C_new) but neither 2 nor 3 (no majority of C_old).
    net.setDropFilter((m) => (m.to === 2 || m.to === 3) && m.type === 'append');
    net.deliverAll();
    net.tickAll(5);
    expect(net.node(4).status().lastIndex).toBe(2);
    expect(net.node(1).status().commit).toBe(1);
    expect(net.node(1).status().config).toEqual({ voters: [1, 4, 5], outgoing: [1, 2, 3] });
    net.setDropFilter(null);
    net.tickAll(5);
    expect(net.node(1).status().config).toEqual({ voters: [1, 4, 5] });
  });

  it('elections in a joint configuration need both majorities', () => {
    const joint = { voters: [1, 4, 5], outgoing: [1, 2, 3] };
    const persisted: PersistedState = { hardState: { term: 1, vote: 0, commit: 1 }, entries: [ent(1, 1), configEntry(2, 1, joint)] };
    const node = new RaftNode(makeConfig(1, [1, 2, 3]), persisted);
    let out;
    do out = node.step({ type: 'tick' });
    while (!out.events.some((e) => e.type === 'electionStarted'));
    expect(out.messages.map((m) => m.to).sort()).toEqual([2, 3, 4, 5]);
    const grant = (from: number) =>
      node.step({ type: 'message', message: { type: 'voteResp', from, to: 1, term: 2, granted: true, preVote: false } });
    grant(2);
    grant(3); // a majority of C_old, none of C_new yet
    expect(node.status().role).toBe('candidate');
    grant(4);
    expect(node.status().role).toBe('leader');
  });

  it('a majority of the new voters alone does not win a joint election', () => {
    const joint = { voters: [1, 4, 5], outgoing: [1, 2, 3] };
    const persisted: PersistedState = { hardState: { term: 1, vote: 0, commit: 1 }, entries: [ent(1, 1), configEntry(2, 1, joint)] };
    const node = new RaftNode(makeConfig(1, [1, 2, 3]), persisted);
    let out;
    do out = node.step({ type: 'tick' });
    while (!out.events.some((e) => e.type === 'electionStarted'));
    const vote = (from: number, granted: boolean) =>
      node.step({ type: 'message', message: { type: 'voteResp', from, to: 1, term: 2, granted, preVote: false } });
    vote(4, true);
    vote(5, true); // all of C_new
    expect(node.status().role).toBe('candidate');
    vote(2, false);
    vote(3, false); // C_old refuses: the election is lost
    expect(node.status().role).toBe('follower');
  });

  it('a configuration takes effect on append, before it commits', () => {
    const net = new Network([1, 2, 3]);
    net.add(makeConfig(4, []));
    net.elect(1);
    change(net, 1, [1, 2, 3, 4]);
    const toTwo = net.takeQueued().filter((m): m is AppendRequest => m.type === 'append' && m.to === 2);
    net.deliver(toTwo[0]);
    net.takeQueued(); // the acknowledgement is lost: nothing commits
    expect(net.node(2).status().commit).toBe(1);
    expect(net.node(2).status().config).toEqual({ voters: [1, 2, 3, 4], outgoing: [1, 2, 3] });
  });

  it('truncating a configuration entry reverts to the previous configuration', () => {
    const node = new RaftNode(makeConfig(2, [1, 2, 3]));
    const joint = { voters: [1, 2, 3, 4], outgoing: [1, 2, 3] };
    node.step({ type: 'message', message: { type: 'append', from: 1, to: 2, term: 1, prevIndex: 0, prevTerm: 0, entries: [ent(1, 1), configEntry(2, 1, joint)], commit: 1 } });
    expect(node.status().config).toEqual(joint);
    // A leader of term 2 never had it: its entry at index 2 replaces ours.
    const out = node.step({ type: 'message', message: { type: 'append', from: 3, to: 2, term: 2, prevIndex: 1, prevTerm: 1, entries: [ent(2, 2)], commit: 1 } });
    expect(out.truncateFrom).toBe(2);
    expect(node.status().config).toEqual({ voters: [1, 2, 3] });
    expect(out.events).toContainEqual({ type: 'config', config: { voters: [1, 2, 3] }, index: 0 });
  });

  it('one change at a time, on the leader only, with valid voters', () => {
    const net = new Network([1, 2, 3]);
    net.add(makeConfig(4, []));
    net.elect(1);
    expect(change(net, 2, [1, 2])).toMatchObject({ type: 'error', error: { code: 'not_leader', leader: 1 } });
    expect(change(net, 1, [])).toMatchObject({ error: { code: 'invalid_request' } });
    expect(change(net, 1, [1, 1, 2])).toMatchObject({ error: { code: 'invalid_request' } });
    expect(change(net, 1, [1, 0])).toMatchObject({ error: { code: 'invalid_request' } });
    expect(change(net, 1, [3, 2, 1])).toMatchObject({ error: { code: 'invalid_request' } });
    expect(change(net, 1, [1, 2, 3, 4])).toMatchObject({ type: 'admin' });
    expect(change(net, 1, [1, 2])).toMatchObject({ error: { code: 'config_change_in_progress', leader: 1 } });
    net.deliverAll();
    net.tickAll(3);
    expect(change(net, 1, [1, 2, 4])).toMatchObject({ type: 'admin' });
  });

  it('a node outside every configuration it knows never campaigns, even when it hears nothing', () => {
    const net = new Network([1, 2, 3]);
    net.add(makeConfig(9, []));
    net.elect(1);
    net.tickAll(300);
    expect(net.node(9).counters().electionsStarted).toBe(0);
    expect(net.sent.some((m) => m.from === 9)).toBe(false);
  });
});
