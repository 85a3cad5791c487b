/**
 * Figure 16's trial loop (§9.3) on real node processes (src/lab/experiments/electionTrials.ts):
 * kill the leader, time the next election, restart the killed node, repeat. With an emulated
 * one-way network delay of 20 ms (docs/network-emulation.md), no election can finish sooner
 * than a follower's timeout after its last heartbeat (at least the minimum timeout minus one
 * heartbeat interval, minus one 1 ms tick of phase) plus a RequestVote round trip (2 × 20 ms):
 * samples below that bound would mean the delay is not applied, or the kill is timed wrongly.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/contract/runEvents';
import { runRealElectionTrials } from '../../src/lab/experiments/electionTrials';
import { nodeScript } from './helpers/nodeBuild';

const dir = mkdtempSync(join(tmpdir(), 'raftlab-fig16-it-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('election trials on real processes', () => {
  it('measures kill -> new leader for each trial, with the network delay in every election, and records the run', async () => {
    const trials = 4;
    const progress: number[] = [];
    const r = await runRealElectionTrials({
      range: { label: '150–300', minMs: 150, maxMs: 300 },
      trials,
      nodes: 5,
      tickMs: 1,
      networkDelay: { delayMs: 20, jitterMs: 0 },
      seed: 5,
      runsDir: dir,
      nodeScript: await nodeScript(),
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(r.variant.samples.length + r.variant.unresolved).toBe(trials);
    expect(r.variant.unresolved).toBe(0);
    // Timeout >= 149 ms after the last heartbeat (1 ms tick phase), heartbeat 75 ms, round trip 40 ms.
    const bound = 149 - 75 + 2 * 20;
    for (const s of r.variant.samples) expect(s).toBeGreaterThanOrEqual(bound);
    for (const s of r.variant.samples) expect(s).toBeLessThan(5000);
    expect(r.variant.timeoutRandomness).toMatch(/\[150, 301\) ms in 1 ms ticks/);

    // The run is a recording like any other: its summary counts every kill as a fault (the
    // restarts are recorded as heals) and states the effective randomness.
    const summary = JSON.parse(readFileSync(join(r.runDir, 'summary.json'), 'utf8')) as Summary;
    expect(summary.violations).toEqual([]);
    expect(summary.faults).toBe(trials);
    expect(summary.timeoutRandomness).toMatch(/149-300 ms after its reset/);
    expect(summary.options?.networkDelay).toEqual({ delayMs: 20, jitterMs: 0 });
  }, 120_000);
});
