/**
 * Slow motion on real nodes (issue 11 item 3, docs/aimed-faults.md): at speed 0.1 a real
 * 3-node cluster's clocks tick ten times slower, so the leader's heartbeats (one per follower
 * every heartbeatMs of lab time, §5.2) come about ten times less often in real time, and
 * nothing else changes: the same leader, no election. The heartbeats are counted from the
 * leader's own metrics (heartbeatsSent) over a window at 1x and one at 0.1x.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/contract/runEvents';
import { useClusterTeardown } from './helpers/lifecycle';
import { waitFor } from './helpers/waitFor';
import { openTestLab } from './helpers/testLab';

useClusterTeardown();

type Metrics = Extract<RunEvent, { type: 'metrics' }>;

/** heartbeatsSent per second of real time between the leader's metrics samples nearest `from` and `to`. */
function heartbeatRate(samples: readonly Metrics[], from: number, to: number): { rate: number; count: number } {
  const first = samples.find((s) => s.t >= from)!;
  const last = [...samples].reverse().find((s) => s.t <= to)!;
  const count = last.heartbeatsSent - first.heartbeatsSent;
  return { rate: (count * 1000) / (last.t - first.t), count };
}

describe('slow motion on a real cluster', () => {
  it('at speed 0.1 the leader sends about a tenth as many heartbeats per second, and keeps leading', async () => {
    const { lab, runsDir } = await openTestLab('slow');
    await lab.handle('cluster:start', {
      options: {
        nodes: 3, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 50, preVote: true, checkQuorum: true,
        fsync: 'never', transport: 'tcp', seed: 5, dataDir: join(runsDir, 'data'), snapshotThreshold: 10_000, recording: 'off',
        workload: { clients: 0, rate: 0, mix: { get: 1, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 1000 },
      },
    });
    const cluster = lab.current!;
    await waitFor(() => cluster.leader() !== null, { timeoutMs: 20_000, what: 'a leader' });
    const leader = cluster.leader()!;

    // A window of 2 s at real time; the wait is the measurement, not a synchronisation.
    const fastFrom = cluster.now();
    await new Promise((r) => setTimeout(r, 2000));
    const fastTo = cluster.now();
    const state = await lab.handle('cluster:speed', { speed: 0.1 });
    expect(state.speed).toBe(0.1);
    // Heartbeat timers already armed fire on the old schedule: leave them one heartbeat of lab time at 1x.
    const slowFrom = cluster.now() + 200;
    await new Promise((r) => setTimeout(r, 4200));
    const slowTo = cluster.now();
    expect(cluster.leader(), 'the same leader: timeouts slowed down with the heartbeats').toBe(leader);

    const { runDir } = await lab.handle('cluster:stop', {});
    const events = (await lab.handle('run:open', { path: runDir! })).events as RunEvent[];
    const samples = events.filter((e): e is Metrics => e.type === 'metrics' && e.node === leader);
    const fast = heartbeatRate(samples, fastFrom, fastTo);
    const slow = heartbeatRate(samples, slowFrom, slowTo);
    // 2 followers × one heartbeat per 50 ms = 40/s at 1x, 4/s at 0.1x. The bounds leave room
    // for a busy machine (late timers catch up in the node's clock, so rates hold) without
    // admitting "no slowdown" (ratio 1) or "stopped" (0 heartbeats).
    expect(fast.rate).toBeGreaterThan(20);
    expect(fast.rate).toBeLessThan(60);
    expect(slow.count).toBeGreaterThan(0);
    const ratio = fast.rate / slow.rate;
    console.log(`[slow motion] heartbeats/s at 1x ${fast.rate.toFixed(1)} (${fast.count}), at 0.1x ${slow.rate.toFixed(1)} (${slow.count}); ratio ${ratio.toFixed(1)}`);
    expect(ratio).toBeGreaterThan(5);
    expect(ratio).toBeLessThan(20);

    // The run records the change, and every node reports the speed in force.
    expect(events.filter((e) => e.type === 'speed').map((e) => (e.type === 'speed' ? e.speed : null))).toEqual([0.1]);
    for (const node of [1, 2, 3]) {
      const reports = events.filter((e) => e.type === 'faultRules' && e.node === node);
      const last = reports[reports.length - 1];
      expect(last?.type === 'faultRules' ? last.speed : null, `node ${node} at 0.1x`).toBe(0.1);
    }
    const elections = events.filter((e) => e.type === 'election' && e.phase === 'started' && e.t > fastFrom);
    expect(elections, 'no election in slow motion').toEqual([]);
  }, 60_000);

  it('a speed change while frozen leaves the clocks stopped: only the lab steps them (docs/debugger.md)', async () => {
    const { lab, runsDir } = await openTestLab('slow-frozen');
    await lab.handle('cluster:start', {
      options: {
        nodes: 3, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 50, preVote: true, checkQuorum: true,
        fsync: 'never', transport: 'tcp', seed: 6, dataDir: join(runsDir, 'data'), snapshotThreshold: 10_000, recording: 'off',
        workload: { clients: 0, rate: 0, mix: { get: 1, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 1000 },
      },
    });
    const cluster = lab.current!;
    await waitFor(() => cluster.leader() !== null, { timeoutMs: 20_000, what: 'a leader' });
    const follower = [1, 2, 3].find((n) => n !== cluster.leader())!;
    await lab.handle('debug:freeze', {});
    const elapsed = async () => (await lab.handle('debug:advance', { node: follower, ticks: 1 })).nodes.find((n) => n.node === follower)!.electionElapsed;
    const before = await elapsed();
    await lab.handle('cluster:speed', { speed: 0.5 });
    await lab.handle('cluster:speed', { speed: 1 });
    // 1 s is 100 ticks of a running 10 ms clock; the wait is the measurement of "nothing ticked".
    await new Promise((r) => setTimeout(r, 1000));
    expect(await elapsed(), 'exactly the one tick the lab stepped').toBe(before + 1);
    await lab.handle('debug:resume', {});
    await waitFor(() => cluster.leader() !== null, { timeoutMs: 20_000, what: 'a leader after resuming' });
  }, 60_000);
});
