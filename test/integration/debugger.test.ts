/**
 * The debugger on a real cluster (issue 11, docs/debugger.md): three real node processes over
 * ZeroMQ, frozen by the lab. A follower's clock is stepped until its election timer fires (§5.2),
 * its RequestVotes are held at their receivers and delivered one at a time, and the votes, terms
 * and roles that follow are asserted exactly; then real time resumes and the cluster commits again.
 * Every action is an ordinary core input, so the run replays with 0 mismatches, and the
 * journals pair each held message's send and receipt by its id.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DebugView, HeldMessage } from '../../src/contract/debug';
import type { RunEvent } from '../../src/contract/runEvents';
import { sessionScenario } from '../../src/lab/debug/sessionScenario';
import { useClusterTeardown } from './helpers/lifecycle';
import { openTestLab } from './helpers/testLab';
import { expectExactReplay } from './helpers/replay';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

describe('the debugger on a real cluster', () => {
  it('freezes, elects a leader one held RequestVote at a time, resumes, and replays exactly', async () => {
    const { lab, runsDir } = await openTestLab('debugger');
    await lab.handle('cluster:start', {
      options: {
        nodes: 3, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 50, preVote: false, checkQuorum: false,
        fsync: 'never', transport: 'tcp', seed: 11, dataDir: join(runsDir, 'data'), snapshotThreshold: 10_000, recording: 'full',
        workload: { clients: 1, rate: 20, mix: { get: 1, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 2000 },
      },
    });
    const cluster = lab.current!;
    await waitFor(() => cluster.leader() !== null && cluster.opsOk() >= 5, { timeoutMs: 20_000, what: 'a leader and 5 ops' });
    const leader = cluster.leader()!;
    const [candidate, voter] = [1, 2, 3].filter((n) => n !== leader);

    let view: DebugView = await lab.handle('debug:freeze', {});
    expect(view.frozen).toBe(true);
    expect(view.nodes.map((n) => [n.node, n.frozen])).toEqual([[1, true], [2, true], [3, true]]);
    expect(lab.state().workload?.clients).toBe(0); // the workload waits while frozen
    const term = view.nodes.find((n) => n.node === leader)!.term;

    // §5.2: the follower's election timer fires; it becomes a candidate of the next term and votes for itself.
    view = await lab.handle('debug:advance', { node: candidate, untilTimer: true });
    const c1 = view.nodes.find((n) => n.node === candidate)!;
    expect([c1.role, c1.term, c1.votedFor]).toEqual(['candidate', term + 1, candidate]);

    const heldAt = (node: number, type: string, from: number): HeldMessage | undefined =>
      lab.state().debug?.nodes.find((n) => n.node === node)?.held.find((h) => h.type === type && h.from === from && h.term === term + 1);
    const voteAtVoter = await waitFor(() => heldAt(voter, 'vote', candidate), { timeoutMs: 5000, what: `node ${candidate}'s RequestVote held at node ${voter}` });
    const voteAtLeader = await waitFor(() => heldAt(leader, 'vote', candidate), { timeoutMs: 5000, what: `node ${candidate}'s RequestVote held at node ${leader}` });
    expect(voteAtVoter.id).toMatch(new RegExp(`^${candidate}\\.\\d+\\.\\d+$`));

    // Delivered to the other follower only: it moves to the new term and grants its vote (§5.2, §5.4.1).
    view = await lab.handle('debug:release', { node: voter, holds: [voteAtVoter.hold], action: 'deliver' });
    const v1 = view.nodes.find((n) => n.node === voter)!;
    expect([v1.role, v1.term, v1.votedFor]).toEqual(['follower', term + 1, candidate]);
    expect(v1.held.some((h) => h.hold === voteAtVoter.hold)).toBe(false);
    // The old leader has not heard of the new term yet.
    expect(view.nodes.find((n) => n.node === leader)!).toMatchObject({ role: 'leader', term });

    // The granted vote is held at the candidate; delivered, it wins the election (2 of 3).
    const grant = await waitFor(() => heldAt(candidate, 'voteResp', voter), { timeoutMs: 5000, what: `node ${voter}'s vote held at node ${candidate}` });
    expect(grant.summary).toBe('granted');
    view = await lab.handle('debug:release', { node: candidate, holds: [grant.hold], action: 'deliver' });
    expect(view.nodes.find((n) => n.node === candidate)!).toMatchObject({ role: 'leader', term: term + 1 });

    // The old leader gets the RequestVote last: a higher term makes it a follower (§5.1).
    view = await lab.handle('debug:release', { node: leader, holds: [voteAtLeader.hold], action: 'deliver' });
    expect(view.nodes.find((n) => n.node === leader)!).toMatchObject({ role: 'follower', term: term + 1 });

    // A release of something not held is refused, naming it, and changes nothing.
    await expect(lab.handle('debug:release', { node: leader, holds: ['9.9.9'], action: 'drop' })).rejects.toThrow(/not held at node \d: 9\.9\.9/);

    view = await lab.handle('debug:resume', {});
    expect(view.frozen).toBe(false);
    expect(lab.state().workload?.clients).toBe(1);
    const okBefore = cluster.opsOk();
    await waitFor(() => cluster.leader() === candidate && cluster.opsOk() >= okBefore + 5, { timeoutMs: 20_000, what: `node ${candidate} leading and 5 more ops` });

    const { runDir } = await lab.handle('cluster:stop', {});
    const report = expectExactReplay(runDir!);
    expect(report.mismatches).toEqual([]);

    // The run records each action, in order, with a step a saved session repeats.
    const events = (await lab.handle('run:open', { path: runDir! })).events as RunEvent[];
    const actions = events.flatMap((e) => (e.type === 'debug' ? [e.action] : []));
    expect(actions).toEqual(['freeze', 'advance', 'release', 'release', 'release', 'resume']);
    const saved = sessionScenario(events);
    expect(saved.steps).toBe(6);
    expect(saved.yaml).toMatch(/freeze: true/);
    expect(saved.yaml).toMatch(/advance:\s*\n\s+node: \d\n\s+untilTimer: true/);

    // Message ids pair the held RequestVote's send with its one receipt, exactly.
    const listed = await lab.handle('run:messages', { runDir: runDir!, fromMs: 0, toMs: 1e9, maxItems: 20_000 });
    if (listed.detail !== 'messages') throw new Error(`expected messages, got ${listed.detail} (${listed.total})`);
    const vote = listed.messages.find((m) => m.id === voteAtVoter.id)!;
    expect(vote).toMatchObject({ type: 'vote', from: candidate, to: voter, term: term + 1 });
    expect(vote.receivedAt).toHaveLength(1);
  }, 90_000);
});
