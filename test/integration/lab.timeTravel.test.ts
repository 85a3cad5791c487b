/**
 * Time travel through the Lab service (src/lab/timeTravel.ts, issue 10 part 3) on a real
 * recorded run: three real node processes, recording full, a leader kill. On the live run and
 * on the ended one, `run:stateAt` gives every node's replayed core state and `run:messages`
 * the candidates' RequestVotes after the kill (§5.2), or counts per bucket above maxItems.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/contract/runEvents';
import { cmdMessages } from '../../src/lab/cliReplay';
import { useClusterTeardown } from './helpers/lifecycle';
import { openTestLab } from './helpers/testLab';
import { expectExactReplay } from './helpers/replay';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

describe('time travel through the Lab service', () => {
  it('replays every node at a time and lists the messages of a window, live and after the run', async () => {
    const { lab, runsDir } = await openTestLab('timetravel');
    await lab.handle('cluster:start', {
      options: {
        nodes: 3, electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50, preVote: false, checkQuorum: true,
        fsync: 'never', transport: 'tcp', seed: 21, dataDir: join(runsDir, 'data'), snapshotThreshold: 10_000, recording: 'full',
        workload: { clients: 1, rate: 30, mix: { get: 1, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 1000 },
      },
    });
    const cluster = lab.current!;
    await waitFor(() => cluster.leader() !== null && cluster.opsOk() >= 10, { timeoutMs: 20_000, what: 'a leader and 10 ops' });
    const oldLeader = cluster.leader()!;

    // Live: the journals flushed so far are replayed.
    const live = await lab.handle('run:stateAt', { atMs: 1e9 });
    expect(live.timeline.nodes).toEqual([1, 2, 3]);
    expect(live.timeline.clockAlignment).toBe('run clock');
    const liveLeader = live.nodes.find((n) => n.ok && n.state.role === 'leader');
    expect(liveLeader?.node).toBe(oldLeader);

    await lab.handle('node:kill', { node: oldLeader });
    await waitFor(() => cluster.leader() !== null && cluster.leader() !== oldLeader, { timeoutMs: 20_000, what: 'a new leader after the kill' });
    const newLeader = cluster.leader()!;
    await waitFor(() => cluster.opsOk() >= 20, { timeoutMs: 20_000, what: '20 ops' });
    const { runDir } = await lab.handle('cluster:stop', {});
    const dir = runDir!;
    expectExactReplay(dir);

    const events = lab.handle('run:open', { path: dir }).then((r) => r.events as RunEvent[]);
    const killedAt = (await events).find((e) => e.type === 'process' && e.state === 'killed' && e.node === oldLeader)!.t;
    const leaderAt = (await events).find((e) => e.type === 'role' && e.node === newLeader && e.role === 'leader' && e.t > killedAt)!.t;

    // The ended run's timeline extended the live one's replayers (only the journals' new records
    // stepped): still exact, and the same as a replay from the start (expectExactReplay above).
    const ended = await lab.handle('run:stateAt', { runDir: dir, atMs: 1e9 });
    expect(ended.timeline.mismatches).toBe(0);
    expect(ended.timeline.steps).toBeGreaterThan(live.timeline.steps);

    // Just after the new leader won: it is leader with a view of each follower (§5.3).
    const after = await lab.handle('run:stateAt', { runDir: dir, atMs: leaderAt + 1 });
    const states = after.nodes.map((n) => {
      if (!n.ok) throw new Error(`node ${n.node}: ${n.error}`);
      return n;
    });
    const lead = states.find((n) => n.node === newLeader)!;
    expect(lead.state.role).toBe('leader');
    const dead = states.find((n) => n.node === oldLeader)!;
    expect(dead.down).toEqual({ since: killedAt, how: 'killed' });
    expect(dead.state.role, 'the state it went down with').toBe('leader');
    expect(Object.keys(lead.state.followers).map(Number).sort()).toEqual([1, 2, 3].filter((x) => x !== newLeader));
    for (const n of states) {
      expect(n.state.log.entries.length, `node ${n.node} holds entries`).toBeGreaterThan(0);
      expect(n.state.commit).toBeLessThanOrEqual(n.state.log.lastIndex);
      expect(n.state.t).toBeLessThanOrEqual(leaderAt + 1);
      expect(n.prevStepAt).not.toBeNull();
      if (n.nextStepAt !== null) expect(n.nextStepAt).toBeGreaterThan(leaderAt + 1);
    }
    // The replayed role change and the recorded one agree within a few ms once the clocks are tied.
    const replayedWin = after.timeline.roles.find((r) => r.node === newLeader && r.role === 'leader' && r.t > killedAt)!;
    expect(Math.abs(replayedWin.t - leaderAt)).toBeLessThan(5);

    // The election's RequestVotes (§5.2), sent by the new leader between the kill and its win.
    const window = await lab.handle('run:messages', { runDir: dir, fromMs: killedAt, toMs: leaderAt + 1, maxItems: 10_000 });
    if (window.detail !== 'messages') throw new Error('expected messages, got buckets');
    const votes = window.messages.filter((m) => m.type === 'vote' && m.from === newLeader && !m.fields.preVote);
    expect(votes.length).toBeGreaterThan(0);
    for (const v of votes) {
      expect(v.sentAt).toBeGreaterThanOrEqual(killedAt);
      // Sent to the dead leader: dropped or never received; to the live one: received.
      if (v.to !== oldLeader) expect(v.receivedAt.length).toBeGreaterThan(0);
    }

    // report.html draws the journals' message rate and each node's final log (issue 10 part 4).
    await lab.handle('run:export', { runDir: dir });
    const report = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(report).toContain('Message rate');
    expect(report).toContain("Each node's log at the end of its journal");
    for (const n of [1, 2, 3]) expect(report).toMatch(new RegExp(`<tr><td>${n}</td><td>(leader|follower|candidate), term \\d+</td><td class="num">[1-9]\\d*</td>`));

    // Level of detail: the whole run with room for 10 items comes back as counts per bucket.
    const whole = await lab.handle('run:messages', { runDir: dir, fromMs: after.timeline.fromMs, toMs: after.timeline.toMs, maxItems: 10 });
    if (whole.detail !== 'buckets') throw new Error('expected buckets');
    const counted = whole.buckets.reduce((s, b) => s + Object.values(b.counts).reduce((x, y) => x + (y ?? 0), 0), 0);
    expect(counted).toBe(whole.total);
    expect(whole.total).toBeGreaterThan(10);
  }, 90_000);

  it('a run recorded at level messages: receipts listed and drawn, core states plainly unavailable, raftlab messages lists them', async () => {
    const { lab, runsDir } = await openTestLab('timetravel-headers');
    await lab.handle('cluster:start', {
      options: {
        nodes: 3, electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50, preVote: false, checkQuorum: true,
        fsync: 'never', transport: 'tcp', seed: 22, dataDir: join(runsDir, 'data'), snapshotThreshold: 10_000, recording: 'messages',
        workload: { clients: 1, rate: 30, mix: { get: 1, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 1000 },
      },
    });
    const cluster = lab.current!;
    await waitFor(() => cluster.leader() !== null && cluster.opsOk() >= 10, { timeoutMs: 20_000, what: 'a leader and 10 ops' });
    const leader = cluster.leader()!;
    const { runDir } = await lab.handle('cluster:stop', {});
    const dir = runDir!;

    const at = await lab.handle('run:stateAt', { runDir: dir, atMs: 1e9 });
    expect(at.timeline.headerOnlyNodes).toEqual([1, 2, 3]);
    for (const n of at.nodes) {
      expect(n.ok).toBe(false);
      if (!n.ok) expect(n.error).toMatch(/level 'messages'/);
    }
    expect(at.timeline.toMs).toBeGreaterThan(at.timeline.fromMs);
    const window = await lab.handle('run:messages', { runDir: dir, fromMs: at.timeline.fromMs, toMs: at.timeline.toMs, maxItems: 1_000_000 });
    if (window.detail !== 'messages') throw new Error('expected messages');
    expect(window.messages.length).toBeGreaterThan(0);
    expect(window.messages.every((m) => m.fields.headerOnly === true && m.receivedAt[0] === m.sentAt)).toBe(true);
    // The leader's AppendEntries or heartbeats reached its followers (§5.2: heartbeats keep its authority).
    expect(window.messages.some((m) => m.from === leader && (m.type === 'heartbeat' || m.type === 'append'))).toBe(true);

    const lines: string[] = [];
    expect(cmdMessages(dir, { from: String(leader) }, (l) => lines.push(l))).toBe(0);
    expect(lines.some((l) => /received \(header only: level messages\)$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^nodes 1, 2, 3 recorded at level messages: receipts only/);
  }, 60_000);

  it('says so when a run has no journal', async () => {
    const { lab } = await openTestLab('timetravel-none');
    await expect(lab.handle('run:stateAt', { atMs: 0 })).rejects.toThrow(/no run to travel in/);
  });
});
