/** Linearizable reads with ReadIndex (§8, thesis §6.4). */
import { describe, expect, it } from 'vitest';
import type { Heartbeat } from '../../../src/raft';
import { Network } from './helpers';

function read(net: Network, id: number) {
  const reqId = net.nextRequestId();
  return { reqId, out: net.step(id, { type: 'read', id: reqId }) };
}

describe('ReadIndex (§8)', () => {
  it('answers with the commit index once a quorum acknowledged a heartbeat round, writing nothing to the log', () => {
    // Reference: §8 "a leader must check whether it has been deposed before processing a read-only request ...
    // by exchanging heartbeat messages with a majority of the cluster".
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'a', 'b');
    const lastIndex = net.node(1).status().lastIndex;
    const { reqId, out } = read(net, 1);
    expect(out.results).toEqual([]); // not yet confirmed
    expect(out.entries).toEqual([]);
    const beats = out.messages.filter((m): m is Heartbeat => m.type === 'heartbeat');
    expect(beats).toHaveLength(2);
    net.deliverAll();
    expect(net.results.get(1)).toContainEqual({ type: 'read', id: reqId, index: 3 });
    expect(net.node(1).status().lastIndex).toBe(lastIndex);
  });

  it('one acknowledgement plus the leader itself is a quorum of three', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.crash(3);
    const { reqId } = read(net, 1);
    net.deliverAll();
    expect(net.results.get(1)).toContainEqual({ type: 'read', id: reqId, index: 1 });
  });

  it('a leader cut off from its quorum cannot confirm reads; losing leadership fails them', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(1);
    const { reqId } = read(net, 1);
    net.deliverAll();
    net.tick(1, 3);
    expect(net.results.get(1)!.filter((r) => r.id === reqId)).toEqual([]);
    net.elect(2);
    net.heal();
    net.tickAll(2);
    // It learns of the new term from a rejection, which need not name the new leader.
    const failed = net.results.get(1)!.filter((r) => r.id === reqId);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ type: 'error', request: 'read', error: { code: 'leadership_lost' } });
  });

  it('a new leader waits until it has committed an entry of its own term (§8)', () => {
    const net = new Network([1, 2, 3], {}, { deferPersist: [1] });
    net.crash(3);
    net.elect(1); // the no-op is on node 2 but not yet durable on node 1: not committed
    expect(net.node(1).status().commit).toBe(0);
    const { reqId, out } = read(net, 1);
    expect(out.messages).toEqual([]); // parked: no round started yet
    net.deliverAll();
    expect(net.results.get(1)!.filter((r) => r.id === reqId)).toEqual([]);
    net.ackPersisted(1);
    net.deliverAll();
    expect(net.results.get(1)).toContainEqual({ type: 'read', id: reqId, index: 1 });
  });

  it('a follower refuses with not_leader and names the leader', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const { reqId, out } = read(net, 2);
    expect(out.results).toEqual([{ type: 'error', id: reqId, request: 'read', error: { code: 'not_leader', leader: 1 } }]);
  });

  it('a single-voter cluster answers at once', () => {
    const net = new Network([1]);
    net.elect(1);
    const { reqId, out } = read(net, 1);
    expect(out.results).toEqual([{ type: 'read', id: reqId, index: 1 }]);
  });

  it('many reads share rounds and are answered in order', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const ids = [read(net, 1).reqId, read(net, 1).reqId];
    net.propose(1, 'w');
    ids.push(read(net, 1).reqId);
    net.deliverAll();
    const answers = net.results.get(1)!.filter((r) => r.type === 'read');
    expect(answers).toEqual([
      { type: 'read', id: ids[0], index: 1 },
      { type: 'read', id: ids[1], index: 1 },
      { type: 'read', id: ids[2], index: 2 },
    ]);
  });
});
