/**
 * Figure 2: matchIndex only grows. A rejection the network duplicated or delayed must not
 * lower it (issue 9, correctness bug 3); only a follower that really lost acknowledged entries
 * (fsync 'never' and a crash, which breaks §5.1's assumption that persisted state survives)
 * makes the leader rebuild its log from where it really ends.
 */
import { describe, expect, it } from 'vitest';
import type { AppendRequest, AppendResponse, Message } from '../../../src/raft';
import { Network } from './helpers';

const matchOf = (net: Network, id: number): number => net.node(1).status().progress[id].match;

function deliverQueued(net: Network): void {
  for (const m of net.takeQueued()) net.deliver(m);
}

describe('stale AppendEntries rejections (§5.3, Figure 2)', () => {
  it('a duplicated old rejection of the same prevIndex does not lower matchIndex nor resend acknowledged entries', () => {
    const net = new Network([1, 2, 3], { maxEntriesPerMsg: 1 });
    net.elect(1);
    net.isolate(2);
    for (const v of ['a', 'b', 'c']) net.propose(1, v); // indexes 2..4, committed by 1 and 3
    net.heal();

    // Proposal 'd' (index 5) reaches 2, which lacks 2..4: it rejects prevIndex 4 (the rejection to duplicate).
    // The leader probes back, 2 acknowledges up to 4, and the resent entry 5 is lost.
    let fivesToTwo = 0;
    net.setDropFilter((m) => m.type === 'append' && m.to === 2 && m.entries[0]?.index === 5 && ++fivesToTwo > 1);
    net.step(1, { type: 'propose', id: net.nextRequestId(), commands: [new TextEncoder().encode('d')] });
    net.deliverAll();
    net.setDropFilter(null);
    const oldRejection = net.sent.find(
      (m): m is AppendResponse => m.type === 'appendResp' && m.from === 2 && !m.success && m.rejectIndex === 4,
    );
    expect(oldRejection).toBeDefined();
    expect(matchOf(net, 2)).toBe(4);

    // Proposal 'e' (index 6): 2 rejects prevIndex 5, so the leader probes at prevIndex 4 = match.
    net.step(1, { type: 'propose', id: net.nextRequestId(), commands: [new TextEncoder().encode('e')] });
    deliverQueued(net); // appends reach 2 and 3
    deliverQueued(net); // their answers reach the leader
    expect(net.node(1).status().progress[2]).toMatchObject({ state: 'probe', next: 5, match: 4 });

    // The network delivers the old rejection again.
    const sentBefore = net.sent.length;
    net.deliver(oldRejection as Message);
    expect(matchOf(net, 2)).toBe(4);
    const resent = net.sent.slice(sentBefore).filter((m): m is AppendRequest => m.type === 'append' && m.to === 2);
    expect(resent).toEqual([]);

    net.deliverAll();
    expect(matchOf(net, 2)).toBe(6);
    expect(net.sent.slice(sentBefore).filter((m) => m.type === 'append' && m.to === 2 && m.prevIndex < 4)).toEqual([]);
    expect(net.appliedCommands(2)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('every AppendEntries carries a fresh stamp, and the reply echoes it', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'x');
    const appends = net.sent.filter((m): m is AppendRequest => m.type === 'append');
    const stamps = appends.map((m) => m.seq);
    expect(new Set(stamps).size).toBe(stamps.length);
    for (const r of net.sent.filter((m): m is AppendResponse => m.type === 'appendResp')) {
      expect(appends.some((a) => a.seq === r.seq && a.to === r.from)).toBe(true);
    }
  });

  it('a follower that really lost acknowledged entries (fsync never + crash) is still rebuilt', () => {
    const net = new Network([1, 2, 3], { maxEntriesPerMsg: 2 });
    net.elect(1);
    for (const v of ['a', 'b', 'c', 'd']) net.propose(1, v); // indexes 2..5, acknowledged by 2
    expect(matchOf(net, 2)).toBe(5);
    net.crash(2);
    // Its disk kept only the first two entries: acknowledged writes that were never flushed.
    const disk = net.disk(2);
    disk.truncateFrom(3);
    disk.saveHardState({ ...disk.hardState, commit: 2 });
    net.restart(2);
    net.propose(1, 'e');
    net.runUntil(() => net.node(2).status().lastIndex === 6 && net.node(2).status().commit === 6, 200, 'node 2 rebuilt');
    expect(net.appliedCommands(2)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(matchOf(net, 2)).toBe(6);
  });
});
