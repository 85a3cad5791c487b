/**
 * `RaftNode.inspect()`: the read-only, plain-data view of the core's whole inner state that
 * replay shows (issue 10 part 2). It must agree with `status()`, carry what status leaves
 * out (timers, votes, followers' windows: Figure 2's nextIndex/matchIndex, §5.3), and hand
 * back copies that cannot change the core.
 */
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/raft';
import { Network, makeConfig } from './helpers';

describe('RaftNode.inspect', () => {
  it('a fresh follower: bootstrapped config, zeroed timers, an election timeout drawn from the range (§5.2)', () => {
    const node = new RaftNode(makeConfig(1, [1, 2, 3], { electionTicksMin: 10, electionTicksMax: 15, heartbeatTicks: 2 }));
    const v = node.inspect();
    expect(v).toMatchObject({ id: 1, role: 'follower', preCandidate: false, term: 0, vote: 0, leader: null, commit: 0, applied: 0 });
    expect(v.config.voters).toEqual([1, 2, 3]);
    expect(v.timers.electionElapsed).toBe(0);
    expect(v.timers.heartbeatTimeout).toBe(2);
    expect(v.timers.electionTimeout).toBeGreaterThanOrEqual(10);
    expect(v.timers.electionTimeout).toBeLessThan(15);
    expect(v.followers).toEqual({});
    node.step({ type: 'tick' });
    expect(node.inspect().timers.electionElapsed).toBe(1);
  });

  it('a leader: log entries with sizes, commit and each follower next/match agree with status()', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'hello', 'x');
    net.deliverAll();
    const v = net.node(1).inspect();
    const st = net.node(1).status();
    expect(v.role).toBe('leader');
    expect(v.term).toBe(st.term);
    expect(v.commit).toBe(st.commit);
    expect(v.log.lastIndex).toBe(st.lastIndex);
    expect(v.log.lastTerm).toBe(st.lastTerm);
    const commands = v.log.entries.filter((e) => e.kind === 'command');
    expect(commands.map((e) => e.size)).toEqual([5, 1]);
    expect(v.log.entries.map((e) => e.index)).toEqual(Array.from({ length: v.log.lastIndex }, (_, i) => i + 1));
    for (const id of [2, 3]) {
      expect(v.followers[id].match).toBe(st.progress[id].match);
      expect(v.followers[id].next).toBe(st.progress[id].next);
      expect(v.followers[id].ackedSeq).toBeGreaterThanOrEqual(0);
    }
  });

  it('a candidate shows its votes so far (§5.2)', () => {
    const node = new RaftNode(makeConfig(1, [1, 2, 3], { electionTicksMin: 10, electionTicksMax: 11 }));
    for (let i = 0; i < 20 && node.inspect().role !== 'candidate'; i++) node.step({ type: 'tick' });
    const v = node.inspect();
    expect(v.role).toBe('candidate');
    expect(v.vote).toBe(1);
    expect(v.votes[1]).toBe(true);
  });

  it('returns copies: changing the result changes nothing in the core', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const v = net.node(1).inspect();
    v.log.entries.length = 0;
    v.config.voters.push(9);
    v.followers[2].match = 999;
    const again = net.node(1).inspect();
    expect(again.log.entries.length).toBeGreaterThan(0);
    expect(again.config.voters).toEqual([1, 2, 3]);
    expect(again.followers[2].match).not.toBe(999);
  });
});
