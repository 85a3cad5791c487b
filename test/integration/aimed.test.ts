/**
 * Aimed faults on real nodes (issue 11 item 5, docs/aimed-faults.md): three real node
 * processes over real ZeroMQ, recording full. An aimed rule on the leader drops only the 3rd
 * AppendEntries carrying entries it sends to one follower after the rule is set (an empty one,
 * a commit update, would leave no gap). The journal's Dropped records
 * show exactly that one message, named by the rule; the follower then rejects the next
 * AppendEntries (its log has a gap: the consistency check of §5.3), the leader backs off and
 * resends, and the follower catches up. Replay reproduces every step (0 mismatches).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/contract/runEvents';
import { collectMessages } from '../../src/replay/messages';
import { loadRunReplays } from '../../src/replay/runReplay';
import { useClusterTeardown } from './helpers/lifecycle';
import { openTestLab } from './helpers/testLab';
import { expectExactReplay } from './helpers/replay';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

describe('aimed faults on a real cluster', () => {
  it('drops exactly the 3rd AppendEntries to a follower, and the leader retries until it catches up (§5.3)', async () => {
    const { lab, runsDir } = await openTestLab('aimed');
    await lab.handle('cluster:start', {
      options: {
        nodes: 3, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 50, preVote: true, checkQuorum: false,
        fsync: 'never', transport: 'tcp', seed: 11, dataDir: join(runsDir, 'data'), snapshotThreshold: 10_000, recording: 'full',
        workload: { clients: 1, rate: 20, mix: { get: 0, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 2000 },
      },
    });
    const cluster = lab.current!;
    await waitFor(() => cluster.leader() !== null && cluster.opsOk() >= 5, { timeoutMs: 20_000, what: 'a leader and 5 writes' });
    const leader = cluster.leader()!;
    // "node 2" when it follows; otherwise the other follower.
    const follower = leader === 2 ? 3 : 2;

    const state = await lab.handle('fault:apply', {
      fault: { kind: 'aimed', from: leader, to: follower, match: { types: ['append'], hasEntries: true }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } },
    });
    expect(state.faults?.map((f) => f.id)).toEqual([`aimed:${leader}>${follower}`]);
    const opsAtRule = cluster.opsOk();
    // Enough writes after the rule for the 3rd AppendEntries to go out and the repair to follow.
    await waitFor(() => cluster.opsOk() >= opsAtRule + 30, { timeoutMs: 20_000, what: '30 more writes' });
    const leaderView = () => cluster.nodes().find((n) => n.id === leader)!;
    const followerView = () => cluster.nodes().find((n) => n.id === follower)!;
    const target = leaderView().commit;
    await waitFor(() => followerView().applied >= target, { timeoutMs: 20_000, what: `node ${follower} applying up to ${target}` });
    expect(cluster.leader(), 'no election: one lost message is repaired, not a failure').toBe(leader);
    // The faults in force say how often the rule acted, from the leader's report (at most 200 ms late).
    await waitFor(async () => (await lab.handle('lab:state', {})).faults?.[0]?.description.endsWith('drop the 3rd append with entries (acted 1×)'), {
      timeoutMs: 5_000,
      what: 'the faults in force counting one hit',
    });

    const { runDir } = await lab.handle('cluster:stop', {});
    const dir = runDir!;
    const report = expectExactReplay(dir);
    expect(report.mismatches).toEqual([]);

    // The journals' Dropped records by a fault: exactly one, on the leader, the aimed
    // AppendEntries. The transport may drop others on its own (a frame its link could not
    // send while the loaded machine stalled a connection: 'unreachable'); those are not the
    // rule's, and the retry path repairs them the same way.
    const { replays } = loadRunReplays(dir);
    // Faults drop only what the rule took; the real transport may also lose a frame to a peer
    // not connected yet on a loaded machine ('unreachable'), which is no fault.
    const all = replays.flatMap((r) => r.drops.map((d) => ({ node: r.node, ...d })));
    expect(all.filter((d) => !d.reason.startsWith('fault')).every((d) => d.reason === 'unreachable' || d.reason === 'queueOverflow'), JSON.stringify(all.map((d) => d.reason))).toBe(true);
    const drops = all.filter((d) => d.reason.startsWith('fault'));
    expect(drops.map((d) => ({ node: d.node, type: d.header.type, from: d.header.from, to: d.header.to, reason: d.reason }))).toEqual([
      { node: leader, type: 'append', from: leader, to: follower, reason: 'fault out: aimed rule 1: drop (nth 3)' },
    ]);

    // The messages on the link: the dropped one never arrived, every other AppendEntries did,
    // and after the drop the follower refused one (the gap) and the leader resent from it.
    const { messages } = collectMessages(loadRunReplays(dir).replays);
    const dropT = drops[0].t;
    const appends = messages.filter((m) => m.type === 'append' && m.from === leader && m.to === follower);
    const lost = appends.filter((m) => m.receivedAt.length === 0 && m.sentAt <= dropT);
    expect(lost.length, 'one AppendEntries to the follower lost').toBeGreaterThanOrEqual(1);
    const rejected = messages.filter((m) => m.type === 'appendResp' && m.from === follower && m.to === leader && m.sentAt > dropT && m.fields.success === false);
    expect(rejected.length, 'the follower refused an AppendEntries past the gap (§5.3)').toBeGreaterThanOrEqual(1);
    const resent = appends.filter((m) => m.sentAt > rejected[0].sentAt && m.receivedAt.length > 0 && (m.fields.prevIndex as number) < (rejected[0].fields.rejectIndex as number));
    expect(resent.length, 'the leader backed off and resent from before the gap').toBeGreaterThanOrEqual(1);

    // The run records the fault, and the leader's telemetry counts the rule's one hit.
    const events = (await lab.handle('run:open', { path: dir })).events as RunEvent[];
    const faults = events.filter((e) => e.type === 'fault');
    expect(faults.map((e) => (e.type === 'fault' ? e.description : ''))).toEqual([`aimed ${leader} → ${follower} at the sender: drop the 3rd append with entries`]);
    const reports = events.filter((e) => e.type === 'faultRules' && e.node === leader);
    const last = reports[reports.length - 1];
    expect(last?.type === 'faultRules' ? last.aimed?.map((a) => a.hits) : null).toEqual([1]);
  }, 90_000);
});
