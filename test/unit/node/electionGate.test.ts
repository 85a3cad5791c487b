import { describe, expect, it } from 'vitest';
import { knowsElectionQuorum } from '../../../src/node/electionGate';

const knowing = (...ids: number[]) => (peer: number) => ids.includes(peer);

describe('knowsElectionQuorum (§5.2: a vote needs a majority; §6: of both configurations when joint)', () => {
  it('a single-node cluster is its own quorum', () => {
    expect(knowsElectionQuorum({ voters: [1] }, 1, knowing())).toBe(true);
  });

  it('counts itself: 3 voters need one known peer, 5 need two, 25 need twelve', () => {
    expect(knowsElectionQuorum({ voters: [1, 2, 3] }, 1, knowing())).toBe(false);
    expect(knowsElectionQuorum({ voters: [1, 2, 3] }, 1, knowing(3))).toBe(true);
    expect(knowsElectionQuorum({ voters: [1, 2, 3, 4, 5] }, 1, knowing(2))).toBe(false);
    expect(knowsElectionQuorum({ voters: [1, 2, 3, 4, 5] }, 1, knowing(2, 5))).toBe(true);
    const voters = Array.from({ length: 25 }, (_, i) => i + 1);
    expect(knowsElectionQuorum({ voters }, 1, knowing(...voters.slice(1, 12)))).toBe(false);
    expect(knowsElectionQuorum({ voters }, 1, knowing(...voters.slice(1, 13)))).toBe(true);
  });

  it('a node outside the voters needs a majority of them known', () => {
    expect(knowsElectionQuorum({ voters: [1, 2, 3], learners: [4] }, 4, knowing(1))).toBe(false);
    expect(knowsElectionQuorum({ voters: [1, 2, 3], learners: [4] }, 4, knowing(1, 2))).toBe(true);
  });

  it('in joint consensus both majorities must be known', () => {
    const joint = { voters: [1, 4, 5], outgoing: [1, 2, 3] };
    expect(knowsElectionQuorum(joint, 1, knowing(4))).toBe(false);
    expect(knowsElectionQuorum(joint, 1, knowing(2))).toBe(false);
    expect(knowsElectionQuorum(joint, 1, knowing(2, 4))).toBe(true);
  });
});
