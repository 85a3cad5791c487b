/**
 * Determinism: the same config, seed and inputs give identical outputs. The randomized runs
 * double as a small soak: the network helper checks Election Safety and State Machine Safety
 * on every step.
 */
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../src/raft';
import type { Outputs } from '../../../src/raft';
import { Network, enc } from './helpers';

const ids = [1, 2, 3, 4, 5];

/** Drive a 5-node cluster through drops, partitions, crashes, proposals and reads, all chosen by `chaosSeed`. */
function chaos(raftSeed: number, chaosSeed: number, ticks = 300): Network {
  const net = new Network(ids, { seed: raftSeed, preVote: true, checkQuorum: true, snapshotThreshold: 20 }, { autoSnapshot: true });
  const rng = new SeededRng(chaosSeed);
  const chance = (p: number): boolean => rng.nextUint32() / 2 ** 32 < p;
  const crashed = new Set<number>();
  let reqs = 0;
  net.setDropFilter(() => chance(0.05));
  for (let t = 0; t < ticks; t++) {
    if (chance(0.02)) {
      const a = ids.filter(() => chance(0.5));
      net.partition(a, ids.filter((x) => !a.includes(x)));
    }
    if (chance(0.03)) net.heal();
    if (chance(0.01) && crashed.size < 2) {
      const victim = ids[rng.nextInt(0, ids.length)];
      if (!crashed.has(victim)) {
        net.crash(victim);
        crashed.add(victim);
      }
    }
    if (chance(0.02) && crashed.size > 0) {
      const back = [...crashed][0];
      crashed.delete(back);
      net.restart(back);
    }
    const leader = net.leader();
    if (leader !== null && chance(0.5)) {
      net.step(leader, { type: 'propose', id: ++reqs, commands: [enc(`r${raftSeed}-${t}`)] });
    }
    if (leader !== null && chance(0.1)) net.step(leader, { type: 'read', id: ++reqs });
    net.tickAll();
  }
  return net;
}

function fingerprint(net: Network): string {
  return JSON.stringify(
    net.trace.map(({ id, out }) => [id, out] as [number, Outputs]),
    (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v),
  );
}

describe('determinism', () => {
  it('the same seeds and inputs produce byte-identical outputs', () => {
    const a = fingerprint(chaos(7, 99, 200));
    const b = fingerprint(chaos(7, 99, 200));
    expect(a.length).toBeGreaterThan(10_000);
    expect(a).toBe(b);
  });

  it('a different Raft seed changes the run (election timeouts differ)', () => {
    expect(fingerprint(chaos(7, 99, 200))).not.toBe(fingerprint(chaos(8, 99, 200)));
  });

  it('randomized runs stay safe and converge once the network heals', () => {
    let leadersSeen = 0;
    let snapshotsInstalled = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const net = chaos(seed, seed * 31);
      net.setDropFilter(null);
      net.heal();
      for (const id of ids) if (net.isDown(id)) net.restart(id);
      net.runUntil(() => net.leader() !== null, 500, `a leader (seed ${seed})`);
      net.propose(net.leader()!, 'final');
      net.tickAll(30);
      const reference = net.appliedCommands(net.leader()!);
      expect(reference.at(-1), `seed ${seed}`).toBe('final');
      expect(reference.length, `seed ${seed}`).toBeGreaterThan(20);
      for (const id of ids) expect(net.appliedCommands(id), `seed ${seed} node ${id}`).toEqual(reference);
      for (const id of ids) {
        leadersSeen += net.eventsOf(id, 'electionWon').length;
        snapshotsInstalled += net.eventsOf(id, 'snapshotInstalled').length;
      }
    }
    // The runs really did exercise failover and snapshot transfer.
    expect(leadersSeen).toBeGreaterThan(24);
    expect(snapshotsInstalled).toBeGreaterThan(0);
  });
});
