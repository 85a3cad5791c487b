/** Leadership transfer (thesis §3.10). */
import { describe, expect, it } from 'vitest';
import type { TimeoutNow } from '../../../src/raft';
import { Network, enc, makeConfig } from './helpers';

function transfer(net: Network, from: number, to: number) {
  return net.step(from, { type: 'admin', id: net.nextRequestId(), request: { type: 'transferLeader', to } });
}

describe('leadership transfer (thesis §3.10)', () => {
  it('hands leadership to an up-to-date follower at once', () => {
    // Reference: thesis §3.10 "the prior leader sends a TimeoutNow request to the target server ... the target
    // server starts a new election".
    const net = new Network([1, 2, 3]);
    const term = net.elect(1);
    const out = transfer(net, 1, 2);
    expect(out.results[0]).toMatchObject({ type: 'admin' });
    expect(out.events).toContainEqual({ type: 'transferStarted', to: 2 });
    expect(out.messages).toContainEqual({ type: 'timeoutNow', from: 1, to: 2, term } satisfies TimeoutNow);
    expect(net.node(1).status().transferTarget).toBe(2);
    net.deliverAll();
    expect(net.leader()).toBe(2);
    expect(net.node(2).status().term).toBe(term + 1);
    expect(net.node(1).status()).toMatchObject({ role: 'follower', leader: 2, transferTarget: null });
    expect(net.eventsOf(2, 'electionStarted')).toContainEqual({ type: 'electionStarted', term: term + 1, preVote: false, transfer: true });
  });

  it('first brings a lagging target up to date, then sends TimeoutNow', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.setDropFilter((m) => m.to === 3);
    net.propose(1, 'a', 'b');
    net.setDropFilter(null);
    const out = transfer(net, 1, 3);
    expect(out.messages.some((m) => m.type === 'timeoutNow')).toBe(false);
    net.deliverAll();
    net.tickAll(4);
    expect(net.leader()).toBe(3);
    expect(net.appliedCommands(3)).toEqual(['a', 'b']);
    // TimeoutNow went out only after node 3 acknowledged the leader's whole log (index 3).
    const caughtUp = net.sent.findIndex((m) => m.type === 'appendResp' && m.from === 3 && m.success && m.matchIndex === 3);
    const timeoutNow = net.sent.findIndex((m) => m.type === 'timeoutNow');
    expect(caughtUp).toBeGreaterThanOrEqual(0);
    expect(timeoutNow).toBeGreaterThan(caughtUp);
    expect(net.appliedCommands(1)).toEqual(['a', 'b']);
  });

  it('refuses proposals and membership changes while a transfer is under way', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(2); // the transfer cannot complete
    transfer(net, 1, 2);
    const p = net.step(1, { type: 'propose', id: 50, commands: [enc('x')] });
    expect(p.results).toEqual([{ type: 'error', id: 50, request: 'propose', error: { code: 'transfer_in_progress', leader: 1 } }]);
    const c = net.step(1, { type: 'admin', id: 51, request: { type: 'changeMembership', voters: [1, 3] } });
    expect(c.results[0]).toMatchObject({ error: { code: 'transfer_in_progress' } });
    expect(transfer(net, 1, 3).results[0]).toMatchObject({ error: { code: 'transfer_in_progress' } });
  });

  it('gives up after an election timeout and accepts proposals again', () => {
    const net = new Network([1, 2, 3], { electionTicksMin: 10, electionTicksMax: 20 });
    net.elect(1);
    net.isolate(2);
    transfer(net, 1, 2);
    for (let i = 0; i < 9; i++) net.tick(1);
    expect(net.eventsOf(1, 'transferAborted')).toEqual([]);
    net.tick(1);
    expect(net.eventsOf(1, 'transferAborted')).toEqual([{ type: 'transferAborted', to: 2, reason: 'timeout' }]);
    expect(net.node(1).status()).toMatchObject({ role: 'leader', transferTarget: null });
    expect(net.step(1, { type: 'propose', id: 1, commands: [enc('y')] }).results[0]).toMatchObject({ type: 'proposed' });
  });

  it('rejects a transfer to itself, to a non-voter, or from a follower', () => {
    const net = new Network([1, 2, 3]);
    net.add(makeConfig(4, []));
    net.elect(1);
    expect(transfer(net, 1, 1).results[0]).toMatchObject({ error: { code: 'invalid_request' } });
    expect(transfer(net, 1, 4).results[0]).toMatchObject({ error: { code: 'invalid_request' } });
    expect(transfer(net, 2, 3).results[0]).toMatchObject({ error: { code: 'not_leader', leader: 1 } });
  });

  it('works with PreVote and CheckQuorum on: the target skips PreVote and voters ignore their lease', () => {
    const net = new Network([1, 2, 3], { preVote: true, checkQuorum: true });
    const term = net.elect(1);
    transfer(net, 1, 3);
    net.deliverAll();
    expect(net.leader()).toBe(3);
    expect(net.node(3).status().term).toBe(term + 1);
    expect(net.eventsOf(3, 'electionStarted').at(-1)).toMatchObject({ preVote: false, transfer: true });
  });
});
