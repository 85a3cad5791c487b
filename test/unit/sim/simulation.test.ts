// The simulator end to end: seeds of the real core pass, runs replay exactly, and a core
// with a planted bug is caught and reported with a trace and the command that reproduces it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RaftNode } from '../../../src/raft';
import type { Input, Outputs } from '../../../src/raft/types';
import { formatFailure, runSeed, runSeedOnce, type SeedResult } from '../../../src/sim/runSeed';

/** Wraps every core step with `mutate`, planting a bug in the real core's outputs. */
function plantBug(mutate: (input: Input, out: Outputs) => void): void {
  const original = RaftNode.prototype.step;
  vi.spyOn(RaftNode.prototype, 'step').mockImplementation(function (this: RaftNode, input: Input) {
    const out = original.call(this, input);
    mutate(input, out);
    return out;
  });
}

/** Runs seeds until one fails (a planted bug must be found within a few seeds). */
function firstFailure(seeds: number, steps: number): SeedResult | undefined {
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runSeed({ seed, steps, traceLines: 40 });
    if (result.violation) return result;
  }
  return undefined;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('simulator with the real core', () => {
  it('passes a handful of seeds with mixed faults, exercising what it claims to', () => {
    const totals = { elections: 0, crashes: 0, partitions: 0, snapshots: 0, committed: 0 };
    for (let seed = 1; seed <= 8; seed++) {
      const result = runSeedOnce({ seed, steps: 1200 });
      expect(result.violation, `seed ${seed}: ${result.violation?.message}`).toBeUndefined();
      totals.elections += result.stats.electionsWon;
      totals.crashes += result.stats.crashes;
      totals.partitions += result.stats.partitions;
      totals.snapshots += result.stats.snapshotsInstalled;
      totals.committed += result.stats.committed;
    }
    // A simulator that quietly did nothing would pass too: require real activity.
    expect(totals.elections).toBeGreaterThan(8);
    expect(totals.crashes).toBeGreaterThan(0);
    expect(totals.partitions).toBeGreaterThan(0);
    expect(totals.snapshots).toBeGreaterThan(0);
    expect(totals.committed).toBeGreaterThan(1000);
  });

  it('crashes nodes before any effect of a step and between the writes of one save, and the seeds still pass', () => {
    const points: Record<string, number> = {};
    for (let seed = 1; seed <= 12; seed++) {
      const result = runSeedOnce({ seed, steps: 1500 });
      expect(result.violation, `seed ${seed}: ${result.violation?.message}`).toBeUndefined();
      for (const [where, n] of Object.entries(result.stats.crashPoints)) points[where] = (points[where] ?? 0) + n;
    }
    // Between the log records and the hard state of one save (issue 9, correctness bug 1),
    // before sending, and between steps.
    for (const where of ['before saveHardState', 'before send', 'between steps']) {
      expect(points[where] ?? 0, `${where} in ${JSON.stringify(points)}`).toBeGreaterThan(0);
    }
  });

  it('passes 3-node and 7-node clusters', () => {
    for (const nodes of [3, 7]) {
      const result = runSeedOnce({ seed: 11, nodes, steps: 800 });
      expect(result.violation, result.violation?.message).toBeUndefined();
      expect(result.scenario.nodes).toBe(nodes);
    }
  });

  it('replays a seed exactly', () => {
    const a = runSeedOnce({ seed: 5, steps: 600 });
    const b = runSeedOnce({ seed: 5, steps: 600 });
    expect(b.ticks).toBe(a.ticks);
    expect(b.coreSteps).toBe(a.coreSteps);
    expect(b.stats).toEqual(a.stats);
    const c = runSeedOnce({ seed: 6, steps: 600 });
    expect(c.coreSteps).not.toBe(a.coreSteps);
  });
});

describe('simulator catches a planted bug in the core', () => {
  it('Election Safety / Leader Completeness: voters that grant every vote', () => {
    plantBug((input, out) => {
      if (input.type !== 'message' || input.message.type !== 'vote') return;
      for (const m of out.messages) if (m.type === 'voteResp') m.granted = true;
    });
    const failure = firstFailure(10, 600);
    expect(failure).toBeDefined();
    expect(['Election Safety', 'Leader Completeness']).toContain(failure!.violation!.property);
    const report = formatFailure(failure!, { seed: failure!.seed, steps: 600 });
    expect(report).toContain(`FAILED: ${failure!.violation!.property}`);
    expect(report).toContain(`reproduce: npm run sim -- --seed ${failure!.seed} --steps 600`);
    // The trace shows the last steps before the failure, ending at the violation.
    expect(failure!.trace!.length).toBeGreaterThan(10);
    expect(failure!.trace!.some((line) => /^t=\d+ deliver \d+->\d+ vote term=\d+/.test(line))).toBe(true);
    expect(failure!.trace!.at(-1)).toContain('VIOLATION');
  });

  it('Linearizable Reads: a leader answering reads one index short', () => {
    plantBug((_input, out) => {
      for (const r of out.results) if (r.type === 'read' && r.index > 1) r.index -= 1;
    });
    const failure = firstFailure(10, 600);
    expect(failure?.violation?.property).toBe('Linearizable Reads');
  });

  it('Storage Contract: a core whose hard state leaves out its vote', () => {
    plantBug((_input, out) => {
      if (out.hardState) out.hardState = { ...out.hardState, vote: 0 };
    });
    const failure = firstFailure(3, 300);
    expect(failure?.violation?.property).toBe('Storage Contract');
    expect(failure!.violation!.message).toContain('vote');
  });

  it('State Machine Safety / Log Matching: followers that acknowledge more than they hold', () => {
    plantBug((input, out) => {
      if (input.type !== 'message' || input.message.type !== 'append') return;
      for (const m of out.messages) if (m.type === 'appendResp' && m.success) m.matchIndex += 1;
    });
    const failure = firstFailure(10, 600);
    expect(failure?.violation).toBeDefined();
  });

  it('Client Results: a leader reporting proposals one index off', () => {
    plantBug((_input, out) => {
      for (const r of out.results) {
        if (r.type === 'proposed') {
          r.firstIndex += 1;
          r.lastIndex += 1;
        }
      }
    });
    const failure = firstFailure(5, 400);
    expect(failure?.violation?.property).toBe('Client Results');
  });

  it('Liveness: a leader that never sends heartbeats or appends is caught after healing', () => {
    plantBug((_input, out) => {
      out.messages = out.messages.filter((m) => m.type !== 'heartbeat' && m.type !== 'append');
    });
    const result = runSeed({ seed: 3, steps: 200, traceLines: 20 });
    expect(result.violation?.property).toBe('Liveness');
  });
});
