/**
 * Recorded seeds replay: the repository has one seed derivation (deriveSeedWith in
 * src/raft/rng.ts) with a version per use, and these numbers were taken from the three
 * separate mixers it replaced (the simulator's, the node generator's and the fault streams'),
 * before the change. If one of them moves, a seed someone wrote down in a bug report no
 * longer replays the run they saw.
 */
import { describe, expect, it } from 'vitest';
import { deriveSeed, deriveSeedWith, rngForNode, SEED_MIX } from '../../../src/raft/rng';
import { runSimElectionTrials } from '../../../src/sim/electionTrials';
import { deriveSeed as simDeriveSeed } from '../../../src/sim/rng';
import { runSeedOnce } from '../../../src/sim/runSeed';

describe('one seed derivation, recorded seeds unchanged', () => {
  it('gives the numbers each of the replaced mixers gave', () => {
    const sim: Array<[number, number]> = [[1, 0], [7, 0xfa17], [42, 3], [0xffffffff, 0xc11e], [123456, 0x5ce0]];
    expect(sim.map(([s, p]) => simDeriveSeed(s, p))).toEqual([3891064802, 1517252169, 188152470, 1673403415, 1814070748]);
    expect(sim.map(([s, p]) => deriveSeedWith(SEED_MIX.sim1, s, p))).toEqual(sim.map(([s, p]) => simDeriveSeed(s, p)));
    expect([deriveSeed(1, 2), deriveSeed(1, 2, 0), deriveSeed(1), deriveSeed(99, 7, 3)]).toEqual([2782995144, 2679471276, 2339934983, 2108097906]);
    const nodes: Array<[number, number]> = [[1, 1], [1, 2], [42, 5], [0xdeadbeef, 3]];
    expect(nodes.map(([s, id]) => rngForNode(s, id).nextUint32())).toEqual([3471635726, 1629530835, 1685421160, 531064012]);
  });

  it('versions differ from each other, so none can stand in for another', () => {
    const of = (mix: (typeof SEED_MIX)[keyof typeof SEED_MIX]) => deriveSeedWith(mix, 5, 9);
    expect(new Set([of(SEED_MIX.sim1), of(SEED_MIX.node1), of(SEED_MIX.current)]).size).toBe(3);
  });

  it('simulator seed 7 runs the same chaos run as before', () => {
    const r = runSeedOnce({ seed: 7, steps: 400 });
    expect(r.violation).toBeUndefined();
    expect({ ticks: r.ticks, coreSteps: r.coreSteps, nodes: r.stats.nodes, committed: r.stats.committed, delivered: r.stats.messagesDelivered }).toEqual({
      ticks: 418,
      coreSteps: 6576,
      nodes: 4,
      committed: 345,
      delivered: 3927,
    });
    expect({ proposals: r.stats.proposals, reads: r.stats.reads, pauses: r.stats.pauses, electionsWon: r.stats.electionsWon, snapshotsTaken: r.stats.snapshotsTaken }).toEqual({
      proposals: 233,
      reads: 69,
      pauses: 1,
      electionsWon: 2,
      snapshotsTaken: 64,
    });
  });

  it('simulated election trials (seed 3) draw the same samples as before', () => {
    const v = runSimElectionTrials({ nodes: 5, range: { label: '150–155', minMs: 150, maxMs: 155 }, trials: 20, tickMs: 1, networkDelay: { delayMs: 7, jitterMs: 1 }, seed: 3 });
    expect(v.samples.slice(0, 6)).toEqual([1832.536, 1995.779, 635.64, 481.409, 969.927, 466.262]);
    expect(v.samples).toHaveLength(20);
  });
});
