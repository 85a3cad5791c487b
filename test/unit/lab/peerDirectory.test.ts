/**
 * The lab's record of who knows whose endpoints (src/lab/cluster/peerDirectory.ts): nodes
 * bind wildcard ports and report them in 'ready'; every node is told, by setPeer, exactly
 * what it does not know yet, including a restarted node's new port.
 */
import { describe, expect, it } from 'vitest';
import { PeerDirectory, type PeerUpdate } from '../../../src/lab/cluster/peerDirectory';

const ends = (port: number) => ({ peerAddress: `tcp://127.0.0.1:${port}`, clientAddress: `tcp://127.0.0.1:${port + 1}` });
const pairs = (updates: PeerUpdate[]) => updates.map((u) => [u.target, u.peer, u.endpoints.peerAddress]);

describe('PeerDirectory', () => {
  it('at a start nobody knows anybody; each ready makes the node known to the others, once', () => {
    const d = new PeerDirectory();
    for (const id of [1, 2, 3]) d.starting(id, {});
    expect(d.updatesFor(1, [1, 2, 3])).toEqual([]);
    d.learn(1, ends(5000));
    d.learn(2, ends(5100));
    expect(pairs(d.updatesFor(3, [1, 2, 3]))).toEqual([
      [3, 1, 'tcp://127.0.0.1:5000'],
      [3, 2, 'tcp://127.0.0.1:5100'],
    ]);
    for (const u of d.updatesFor(3, [1, 2, 3])) d.acknowledged(u);
    expect(d.updatesFor(3, [1, 2, 3])).toEqual([]);
  });

  it('what a config already told is not told again; an unacknowledged update is offered again', () => {
    const d = new PeerDirectory();
    d.learn(1, ends(5000));
    d.starting(2, { 1: { peerAddress: 'tcp://127.0.0.1:5000' } });
    expect(d.updatesFor(2, [1, 2])).toEqual([]);
    d.learn(2, ends(5100));
    const toOne = d.updatesFor(1, [1, 2]);
    expect(pairs(toOne)).toEqual([[1, 2, 'tcp://127.0.0.1:5100']]);
    // Not acknowledged (the node was paused): the next sync offers it again.
    expect(pairs(d.updatesFor(1, [1, 2]))).toEqual(pairs(toOne));
  });

  it('a restart forgets the old endpoints until the new ready, then every peer is told the new port', () => {
    const d = new PeerDirectory();
    for (const id of [1, 2]) d.starting(id, {});
    d.learn(1, ends(5000));
    d.learn(2, ends(5100));
    for (const u of [...d.updatesFor(1, [1, 2]), ...d.updatesFor(2, [1, 2])]) d.acknowledged(u);
    d.starting(2, { 1: ends(5000) });
    expect(d.known(2)).toBeUndefined();
    expect(d.updatesFor(1, [1, 2])).toEqual([]);
    d.learn(2, ends(6100));
    expect(pairs(d.updatesFor(1, [1, 2]))).toEqual([[1, 2, 'tcp://127.0.0.1:6100']]);
  });

  it('nobody is told of a forgotten node', () => {
    const d = new PeerDirectory();
    d.learn(1, ends(5000));
    d.learn(2, ends(5100));
    d.forget(2);
    expect(d.updatesFor(1, [1, 2])).toEqual([]);
    expect(d.known(2)).toBeUndefined();
  });
});
