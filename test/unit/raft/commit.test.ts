/** Commitment (§5.3, §5.4.2) and the Figure 8 scenario. */
import { describe, expect, it } from 'vitest';
import type { AppendRequest, Entry, PersistedState } from '../../../src/raft';
import { Network, ent, enc, makeConfig } from './helpers';

describe('commitment (§5.3)', () => {
  it('a new leader appends a no-op of its term (§5.4.2, §8)', () => {
    const net = new Network([1, 2, 3]);
    const term = net.elect(1);
    expect(net.disk(1).entries().map((e) => [e.index, e.term, e.kind])).toEqual([[1, term, 'noop']]);
    for (const id of [1, 2, 3]) expect(net.node(id).status().commit).toBe(1);
  });

  it('an entry commits once a majority stores it, and not before', () => {
    // Reference: §5.3 "A log entry is committed once the leader that created the entry has replicated it on a majority".
    const net = new Network([1, 2, 3, 4, 5]);
    net.elect(1);
    net.crash(4);
    net.crash(5);
    net.propose(1, 'three-of-five');
    expect(net.node(1).status().commit).toBe(2);
    net.crash(3);
    net.propose(1, 'two-of-five');
    expect(net.node(1).status().commit).toBe(2);
    expect(net.node(1).status().lastIndex).toBe(3);
    net.restart(3);
    net.tickAll(3);
    expect(net.node(1).status().commit).toBe(3);
    expect(net.appliedCommands(1)).toEqual(['three-of-five', 'two-of-five']);
  });

  it("the leader counts itself only once its own storage acknowledged the entries", () => {
    const net = new Network([1, 2, 3], {}, { deferPersist: [1] });
    net.crash(3);
    // Election: the no-op is not durable on the leader yet, so only node 2 holds it.
    net.elect(1);
    expect(net.node(1).status().commit).toBe(0);
    const out = net.ackPersisted(1)!;
    expect(net.node(1).status().commit).toBe(1);
    expect(out.committed.map((e) => e.kind)).toEqual(['noop']);
    net.deliverAll();
    net.propose(1, 'slow-disk');
    expect(net.node(2).status().lastIndex).toBe(2);
    expect(net.node(1).status().commit).toBe(1);
    net.ackPersisted(1);
    expect(net.node(1).status().commit).toBe(2);
  });

  it('a storage acknowledgement that does not match the log (stale or beyond it) does not count', () => {
    const net = new Network([1, 2, 3], {}, { deferPersist: [1] });
    net.crash(3);
    const term = net.elect(1);
    net.step(1, { type: 'persisted', index: 1, term: term - 1 }); // an ack for an entry since overwritten
    net.step(1, { type: 'persisted', index: 9, term }); // beyond the log
    expect(net.node(1).status().commit).toBe(0);
    net.ackPersisted(1);
    expect(net.node(1).status().commit).toBe(1);
  });

  it('followers apply committed entries in order, exactly once', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    for (let i = 0; i < 20; i++) net.propose(1, `c${i}`);
    net.tickAll(3);
    const expected = Array.from({ length: 20 }, (_, i) => `c${i}`);
    for (const id of [1, 2, 3]) expect(net.appliedCommands(id)).toEqual(expected);
    expect(net.node(2).status().applied).toBe(21);
  });

  it('proposing many commands in one step appends them all in one batch', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const out = net.step(1, { type: 'propose', id: 5, commands: ['a', 'b', 'c'].map(enc) });
    expect(out.results).toEqual([{ type: 'proposed', id: 5, term: 1, firstIndex: 2, lastIndex: 4 }]);
    expect(out.entries.map((e) => e.index)).toEqual([2, 3, 4]);
  });

  it('proposals on a follower fail with not_leader and name the leader', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const out = net.step(2, { type: 'propose', id: 9, commands: [enc('x')] });
    expect(out.results).toEqual([{ type: 'error', id: 9, request: 'propose', error: { code: 'not_leader', leader: 1 } }]);
    const fresh = new Network([1, 2, 3]);
    expect(fresh.step(1, { type: 'propose', id: 1, commands: [enc('x')] }).results[0]).toMatchObject({
      error: { code: 'not_leader', leader: null },
    });
    expect(net.step(1, { type: 'propose', id: 2, commands: [] }).results[0]).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe('Figure 8: never commit an earlier term by counting replicas (§5.4.2)', () => {
  /*
   * Figure 8 (index 1 = term 1 everywhere, omitted from the drawing):
   *  (a) S1 leads term 2 and writes index 2 to S1, S2.
   *  (b) S1 crashes; S5 leads term 3 with votes of S3, S4, S5 and writes index 2 (term 3) on itself.
   *  (c) S5 crashes; S1 comes back, leads term 4 and replicates index 2 (term 2) to S3: now on a majority.
   *  (d) If the term-2 entry counted as committed, S5 could still win term 5 (its last term 3 beats 2) and
   *      overwrite it everywhere: so it must NOT commit in (c).
   *  (e) Once S1 replicates an entry of its own term 4 to a majority, both commit and S5 can no longer win.
   */
  const ids = [1, 2, 3, 4, 5];
  function setupC(net: Network): void {
    const log = (...ts: number[]): Entry[] => ts.map((t, i) => ent(i + 1, t, `t${t}`));
    const state: Record<number, PersistedState> = {
      1: { hardState: { term: 3, vote: 0, commit: 1 }, entries: log(1, 2) },
      2: { hardState: { term: 3, vote: 0, commit: 1 }, entries: log(1, 2) },
      3: { hardState: { term: 3, vote: 5, commit: 1 }, entries: log(1) },
      4: { hardState: { term: 3, vote: 5, commit: 1 }, entries: log(1) },
      5: { hardState: { term: 3, vote: 5, commit: 1 }, entries: log(1, 3) },
    };
    for (const id of ids) {
      // One entry per message, so index 2 can travel without the new leader's no-op at index 3.
      net.add(makeConfig(id, ids, { maxEntriesPerMsg: 1 }), state[id]);
    }
  }

  it('(c)-(d): a term-2 entry on a majority is not committed, and a later leader may overwrite it safely', () => {
    const net = new Network([]);
    setupC(net);
    net.crash(5);
    // S1 may only ship index 2 (term 2), never index 3 (its term-4 no-op): strip it in transit.
    net.setRewrite((m) => (m.type === 'append' ? { ...m, entries: m.entries.filter((e) => e.index < 3) } : m));
    const term = net.elect(1);
    expect(term).toBe(4);
    net.tickAll(4);
    expect(net.disk(3).entries().map((e) => e.term)).toEqual([1, 2]); // index 2 is on S1, S2, S3
    expect(net.node(1).status().progress[3].match).toBe(2);
    expect(net.node(1).status().commit).toBe(1); // ... and still not committed
    expect(net.node(1).status().lastIndex).toBe(3);

    // (d) S1 crashes; S5 returns and wins term 5 with S2, S3, S4 (their last term 2 < 3).
    net.crash(1);
    net.setRewrite(null);
    net.restart(5);
    net.elect(5); // S5 times out first (in term 4 S2..S4 already voted; it wins term 5)
    expect(net.node(5).status().term).toBe(5);
    net.tickAll(4);
    for (const id of [2, 3, 4, 5]) {
      expect(net.disk(id).entries().slice(0, 2).map((e) => e.term)).toEqual([1, 3]);
    }
    // Safety checks in the helper saw no committed entry overwritten.
    expect(net.node(5).status().commit).toBeGreaterThanOrEqual(2);
  });

  it('(e): once an entry of the current term reaches a majority, it commits and carries index 2 with it', () => {
    const net = new Network([]);
    setupC(net);
    net.crash(5);
    net.elect(1);
    net.tickAll(4);
    expect(net.node(1).status().commit).toBe(3);
    for (const id of [1, 2, 3]) {
      expect(net.appliedCommands(id)).toEqual(['t1', 't2']);
      expect(net.machine(id).applied).toBe(3); // and the no-op at 3
    }
    // S5 can no longer win: a majority holds a term-4 entry, more up-to-date than its log.
    net.crash(1);
    net.restart(5);
    net.runUntil(() => net.leader() !== null, 300, 'a new leader');
    expect(net.leader()).not.toBe(5);
  });
});

describe('entries committed in one step are reported once', () => {
  it('emits a commit event and hard state with the new commit index', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const out = net.step(1, { type: 'propose', id: 1, commands: [enc('z')] });
    expect(out.committed).toEqual([]);
    const acks = net.takeQueued().filter((m): m is AppendRequest => m.type === 'append');
    net.deliver(acks[0]);
    const [resp] = net.takeQueued();
    const done = net.step(1, { type: 'message', message: resp });
    expect(done.committed.map((e) => e.index)).toEqual([2]);
    expect(done.events).toContainEqual({ type: 'commit', index: 2 });
    expect(done.hardState).toMatchObject({ commit: 2 });
  });
});
