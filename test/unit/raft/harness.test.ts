/**
 * The raft tests' one harness (helpers.ts) itself: it hosts nodes on the simulator's hosts
 * and sink, so the simulator's safety checker sees what the tests do, and a crash can fall
 * just before one effect of a step, as the core's executor orders them (src/raft/execute.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Input, NodeId } from '../../../src/raft';
import { ViolationError } from '../../../src/sim/violations';
import { ent, makeConfig, Network } from './helpers';

describe('the harness', () => {
  it('hands every effect to the safety checker: a forged log that breaks Log Matching (§5.3) is refused', () => {
    const net = new Network([]);
    net.add(makeConfig(1, [1, 2]), { hardState: { term: 1, vote: 0, commit: 0 }, entries: [ent(1, 1, 'a'), ent(2, 1, 'b')] });
    expect(() => net.add(makeConfig(2, [1, 2]), { hardState: { term: 1, vote: 0, commit: 0 }, entries: [ent(1, 1, 'z'), ent(2, 1, 'b')] })).toThrow(ViolationError);
  });

  it('the checker follows commits as nodes apply them', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'x', 'y');
    net.tickAll(2);
    expect(net.checker.committedIndex).toBe(3);
    for (const id of [1, 2, 3]) expect(net.appliedCommands(id)).toEqual(['x', 'y']);
  });

  it('a crash armed before an effect strikes there: replication left first (§10.2.1), the write is durable, nothing after it ran', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.clearRecords();
    net.crash(1, { before: 'acknowledge' });
    net.step(1, { type: 'propose', id: net.nextRequestId(), commands: [new TextEncoder().encode('c')] });
    expect(net.isDown(1)).toBe(true);
    expect(net.takeQueued().map((m) => [m.type, m.to])).toEqual([['append', 2], ['append', 3]]);
    expect(net.results.get(1)).toEqual([]); // the 'proposed' result came after the crash point
    expect(net.disk(1).lastIndex).toBe(2);
    expect(net.restart(1).status().lastIndex).toBe(2);
  });

  it('tells onStep of every step, the storage acknowledgements included, and of the crash that ends one', () => {
    const seen: Array<[NodeId, Input['type'], boolean]> = [];
    const net = new Network([1], {}, { onStep: (id, input, _out, crashed) => seen.push([id, input.type, crashed]) });
    net.elect(1);
    expect(seen.some(([, type]) => type === 'persisted')).toBe(true);
    seen.length = 0;
    net.crash(1, { before: 'appendEntries' });
    net.step(1, { type: 'propose', id: net.nextRequestId(), commands: [new TextEncoder().encode('c')] });
    expect(seen).toEqual([[1, 'propose', true]]);
    expect(net.disk(1).lastIndex).toBe(1); // only the election's no-op reached the disk
  });

  it('a restart recovers the durable term and vote, as a follower', () => {
    const net = new Network([1, 2, 3]);
    const term = net.elect(2);
    net.crash(2);
    const node = net.restart(2);
    expect(node.status()).toMatchObject({ term, vote: 2, role: 'follower' });
  });
});
