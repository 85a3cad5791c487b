/**
 * An aimed `hold` on real nodes (issue 11 items 1 and 5, docs/aimed-faults.md, docs/debugger.md):
 * three real node processes over real ZeroMQ, recording full, never frozen. An aimed rule at
 * a follower (the receiver) holds only the 3rd AppendEntries the leader sends it after the rule
 * is set. That one message, and no other, waits in the follower's debugger hold queue with the
 * rule as its reason and shows in the lab's debug state; meanwhile the follower refuses the next
 * AppendEntries past the gap and the leader resends (§5.3). Released with `deliver`, the held
 * message is stepped by the follower's core (a stale AppendEntries: it changes nothing, §5.3),
 * the release is recorded in the run, and replay reproduces every step (0 mismatches).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HeldMessage } from '../../src/contract/debug';
import type { RunEvent } from '../../src/contract/runEvents';
import { useClusterTeardown } from './helpers/lifecycle';
import { openTestLab } from './helpers/testLab';
import { expectExactReplay } from './helpers/replay';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

describe('an aimed hold on a real cluster', () => {
  it('holds exactly the 3rd AppendEntries at the follower, lists it in the debug state, and delivers it on release', async () => {
    const { lab, runsDir } = await openTestLab('aimed-hold');
    await lab.handle('cluster:start', {
      options: {
        nodes: 3, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 50, preVote: true, checkQuorum: false,
        fsync: 'never', transport: 'tcp', seed: 13, dataDir: join(runsDir, 'data'), snapshotThreshold: 10_000, recording: 'full',
        workload: { clients: 1, rate: 20, mix: { get: 0, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 2000 },
      },
    });
    const cluster = lab.current!;
    await waitFor(() => cluster.leader() !== null && cluster.opsOk() >= 5, { timeoutMs: 20_000, what: 'a leader and 5 writes' });
    const leader = cluster.leader()!;
    const follower = leader === 2 ? 3 : 2;
    expect(lab.state().debug, 'the debugger is not in use before anything is held').toBeUndefined();

    await lab.handle('fault:apply', {
      fault: { kind: 'aimed', from: leader, to: follower, side: 'receiver', match: { types: ['append'], hasEntries: true }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'hold' } },
    });
    const heldAt = (node: number): HeldMessage[] => lab.state().debug?.nodes.find((n) => n.node === node)?.held ?? [];
    const [held] = await waitFor(() => (heldAt(follower).length > 0 ? heldAt(follower) : undefined), { timeoutMs: 10_000, what: `an AppendEntries held at node ${follower}` });
    expect(held).toMatchObject({ type: 'append', from: leader, to: follower, reason: 'aimed rule 1: hold (nth 3)' });
    expect(held.id).toMatch(new RegExp(`^${leader}\\.\\d+\\.\\d+$`));

    // Only that one: 30 more writes go through (the follower repairs its gap, §5.3) and nothing else is held anywhere.
    const opsAtHold = cluster.opsOk();
    await waitFor(() => cluster.opsOk() >= opsAtHold + 30, { timeoutMs: 20_000, what: '30 more writes' });
    const target = cluster.nodes().find((n) => n.id === leader)!.commit;
    await waitFor(() => cluster.nodes().find((n) => n.id === follower)!.applied >= target, { timeoutMs: 20_000, what: `node ${follower} applying up to ${target}` });
    const debug = lab.state().debug!;
    expect(debug.frozen, 'an aimed hold does not freeze the cluster').toBe(false);
    expect(debug.nodes.filter((n) => n.heldCount > 0).map((n) => [n.node, n.heldCount])).toEqual([[follower, 1]]);
    expect(heldAt(follower).map((h) => h.hold)).toEqual([held.hold]);

    const released = await lab.handle('debug:release', { node: follower, holds: [held.hold], action: 'deliver' });
    expect(released.nodes.find((n) => n.node === follower)!.heldCount).toBe(0);
    expect(cluster.leader(), 'a stale AppendEntries delivered late changes nothing (§5.3)').toBe(leader);
    // Nothing more is held: the rule's 3rd message is behind it.
    const okAfter = cluster.opsOk();
    await waitFor(() => cluster.opsOk() >= okAfter + 10, { timeoutMs: 20_000, what: '10 more writes after the release' });
    expect(lab.state().debug!.nodes.every((n) => n.heldCount === 0)).toBe(true);

    const { runDir } = await lab.handle('cluster:stop', {});
    const report = expectExactReplay(runDir!);
    expect(report.mismatches).toEqual([]);

    // The held AppendEntries was received once, by the follower's core, after it was held.
    const listed = await lab.handle('run:messages', { runDir: runDir!, fromMs: 0, toMs: 1e9, maxItems: 50_000 });
    if (listed.detail !== 'messages') throw new Error(`expected messages, got ${listed.detail} (${listed.total})`);
    const message = listed.messages.find((m) => m.id === held.id)!;
    expect(message).toMatchObject({ type: 'append', from: leader, to: follower });
    expect(message.receivedAt).toHaveLength(1);
    expect(message.dropped).toBeUndefined();

    // The run records the aimed fault and the release, in that order.
    const events = (await lab.handle('run:open', { path: runDir! })).events as RunEvent[];
    const done = events.flatMap((e) => (e.type === 'fault' ? [`fault: ${e.description}`] : e.type === 'debug' ? [`debug ${e.action}: ${e.description}`] : []));
    expect(done).toEqual([`fault: aimed ${leader} → ${follower} at the receiver: hold the 3rd append with entries`, `debug release: node ${follower}: delivered ${held.hold}`]);
  }, 120_000);
});
