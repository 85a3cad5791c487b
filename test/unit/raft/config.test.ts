/** Configuration validation, the seeded RNG and input checking. */
import { describe, expect, it } from 'vitest';
import { RaftConfigError, RaftInputError, RaftNode, SeededRng, validateRaftConfig } from '../../../src/raft';
import type { Input, RaftConfig } from '../../../src/raft';
import { makeConfig } from './helpers';

function problemsOf(overrides: Partial<RaftConfig>): string[] {
  try {
    validateRaftConfig({ ...makeConfig(1, [1, 2, 3]), ...overrides });
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(RaftConfigError);
    return (e as RaftConfigError).problems;
  }
}

describe('validateRaftConfig', () => {
  it('accepts a sensible config', () => {
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ initialVoters: [] })).toEqual([]);
    expect(problemsOf({ snapshotThreshold: 0, heartbeatTicks: 5, electionTicksMin: 10 })).toEqual([]);
  });

  const broken: [string, Partial<RaftConfig>, RegExp][] = [
    ['electionTicksMin >= 1', { electionTicksMin: 0 }, /electionTicksMin/],
    ['electionTicksMin < electionTicksMax', { electionTicksMin: 10, electionTicksMax: 10 }, /electionTicksMax/],
    ['heartbeatTicks >= 1', { heartbeatTicks: 0 }, /heartbeatTicks/],
    ['heartbeatTicks <= electionTicksMin / 2', { heartbeatTicks: 6, electionTicksMin: 10 }, /electionTicksMin \/ 2/],
    ['maxEntriesPerMsg > 0', { maxEntriesPerMsg: 0 }, /maxEntriesPerMsg/],
    ['maxBytesPerMsg > 0', { maxBytesPerMsg: 0 }, /maxBytesPerMsg/],
    ['maxInflight > 0', { maxInflight: 0 }, /maxInflight/],
    ['snapshotThreshold >= 0', { snapshotThreshold: -1 }, /snapshotThreshold/],
    ['id a positive integer', { id: 0 }, /id must be/],
    ['id an integer', { id: 1.5 }, /id must be/],
    ['voters positive integers', { initialVoters: [1, -2] }, /initialVoters/],
    ['voters without duplicates', { initialVoters: [1, 2, 2] }, /twice/],
    ['seed an integer', { seed: 0.5 }, /seed/],
  ];
  for (const [rule, overrides, message] of broken) {
    it(`enforces ${rule}`, () => {
      const problems = problemsOf(overrides);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.join('\n')).toMatch(message);
    });
  }

  it('lists every problem at once, in a readable message', () => {
    try {
      validateRaftConfig({ ...makeConfig(1, [1]), maxInflight: 0, seed: Number.NaN, electionTicksMin: 0 });
      expect.unreachable();
    } catch (e) {
      const err = e as RaftConfigError;
      expect(err.name).toBe('RaftConfigError');
      // electionTicksMin, heartbeatTicks > electionTicksMin / 2, maxInflight, seed
      expect(err.problems).toHaveLength(4);
      expect(err.message).toMatch(/^invalid Raft config: /);
    }
  });

  it('the constructor validates', () => {
    expect(() => new RaftNode({ ...makeConfig(1, [1]), heartbeatTicks: 100 })).toThrow(RaftConfigError);
  });
});

describe('SeededRng', () => {
  it('is deterministic per seed and stays in range', () => {
    const a = new SeededRng(123);
    const b = new SeededRng(123);
    const c = new SeededRng(124);
    const xs = Array.from({ length: 100 }, () => a.nextInt(5, 9));
    expect(Array.from({ length: 100 }, () => b.nextInt(5, 9))).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextInt(5, 9))).not.toEqual(xs);
    expect(xs.every((x) => x >= 5 && x < 9 && Number.isInteger(x))).toBe(true);
    expect(new Set(xs)).toEqual(new Set([5, 6, 7, 8]));
  });
});

describe('input checking', () => {
  it('rejects inputs that break the step contract without changing the node', () => {
    const node = new RaftNode(makeConfig(1, [1, 2, 3]));
    const before = node.status();
    const bad: unknown[] = [
      null,
      { type: 'nonsense' },
      { type: 'message', message: { type: 'heartbeat', from: 2, to: 3, term: 1, commit: 0, seq: 1 } }, // not for us
      { type: 'message', message: { type: 'heartbeat', from: 1, to: 1, term: 1, commit: 0, seq: 1 } }, // from ourselves
      { type: 'message', message: { type: 'heartbeat', from: 2, to: 1, term: -1, commit: 0, seq: 1 } },
      { type: 'persisted', index: 'x', term: 1 },
    ];
    for (const input of bad) expect(() => node.step(input as Input)).toThrow(RaftInputError);
    expect(node.status()).toEqual(before);
  });

  it('answers an unknown admin request with invalid_request', () => {
    const node = new RaftNode(makeConfig(1, [1, 2, 3]));
    const out = node.step({ type: 'admin', id: 1, request: { type: 'reboot' } as never });
    expect(out.results[0]).toMatchObject({ type: 'error', error: { code: 'invalid_request' } });
  });
});
