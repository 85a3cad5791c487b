/**
 * The debugger's client request on a real cluster (issue 11: "submit a client request" while
 * frozen; docs/debugger.md). Three real node processes, frozen: a put submitted to the leader
 * is appended by it at once, its AppendEntries are held at the followers, and the entry commits
 * only when one of them, and that follower's answer, are delivered (a majority of 3, §5.3). The
 * put's outcome goes to the history; a put to a follower is refused (not the leader, §8); the
 * run records both and replays with 0 mismatches, and a saved session repeats them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HeldMessage } from '../../src/contract/debug';
import type { RunEvent } from '../../src/contract/runEvents';
import { sessionScenario } from '../../src/lab/debug/sessionScenario';
import { readRun } from '../../src/lab/recorder/readRun';
import { useClusterTeardown } from './helpers/lifecycle';
import { openTestLab } from './helpers/testLab';
import { expectExactReplay } from './helpers/replay';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

describe("the debugger's client request", () => {
  it('commits a put submitted while frozen only once a follower and its answer are delivered (§5.3)', async () => {
    const { lab, runsDir } = await openTestLab('debugger-put');
    await lab.handle('cluster:start', {
      options: {
        nodes: 3, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 50, preVote: false, checkQuorum: false,
        fsync: 'never', transport: 'tcp', seed: 12, dataDir: join(runsDir, 'data'), snapshotThreshold: 10_000, recording: 'full',
        workload: { clients: 0, rate: 0, mix: { get: 1, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 2000 },
      },
    });
    const cluster = lab.current!;
    const leader = await waitFor(() => cluster.leader(), { timeoutMs: 20_000, what: 'a leader' });
    const [near, far] = [1, 2, 3].filter((n) => n !== leader);
    // Every follower has caught up with the leader's first entry of its term before the freeze.
    await waitFor(() => [1, 2, 3].every((n) => (lab.state().nodes.find((x) => x.id === n)?.commit ?? 0) >= 1), { timeoutMs: 10_000, what: 'every node committing the leader\'s first entry' });

    let view = await lab.handle('debug:freeze', {});
    const stateOf = (n: number) => lab.state().debug!.nodes.find((x) => x.node === n)!;
    const before = view.nodes.find((n) => n.node === leader)!;

    // A follower refuses a client write (§8: clients talk to the leader); the answer goes to the history.
    await lab.handle('debug:put', { node: near, key: 'k', value: 'to-a-follower' });
    view = await lab.handle('debug:put', { node: leader, key: 'k', value: 'frozen' });
    // The frozen leader steps the request at once: one more entry in its log, not committed.
    await waitFor(() => stateOf(leader).lastIndex === before.lastIndex + 1, { timeoutMs: 5000, what: "the leader's log growing by the put" });
    expect(stateOf(leader).commit).toBe(before.commit);

    const heldAt = (node: number, type: string, from: number): HeldMessage | undefined => stateOf(node).held.find((h) => h.type === type && h.from === from);
    const appendNear = await waitFor(() => heldAt(near, 'append', leader), { timeoutMs: 5000, what: `the AppendEntries held at node ${near}` });
    await waitFor(() => heldAt(far, 'append', leader), { timeoutMs: 5000, what: `the AppendEntries held at node ${far}` });
    view = await lab.handle('debug:release', { node: near, holds: [appendNear.hold], action: 'deliver' });
    expect(view.nodes.find((n) => n.node === near)!.lastIndex).toBe(before.lastIndex + 1);
    expect(stateOf(leader).commit, 'no majority has answered yet').toBe(before.commit);

    // The follower's success, delivered: with the leader that is 2 of 3, and the entry commits (§5.3).
    const ack = await waitFor(() => heldAt(leader, 'appendResp', near), { timeoutMs: 5000, what: `node ${near}'s answer held at the leader` });
    view = await lab.handle('debug:release', { node: leader, holds: [ack.hold], action: 'deliver' });
    expect(view.nodes.find((n) => n.node === leader)!.commit).toBe(before.lastIndex + 1);

    await lab.handle('debug:resume', {});
    await waitFor(() => (lab.state().nodes.find((x) => x.id === far)?.commit ?? 0) >= before.lastIndex + 1, { timeoutMs: 10_000, what: `node ${far} catching up after the resume` });
    const { runDir } = await lab.handle('cluster:stop', {});
    expect(expectExactReplay(runDir!).mismatches).toEqual([]);

    // The history: the leader's answer (ok, the value written) and the follower's refusal.
    const history = readRun(runDir!).history.filter((op) => op.key === 'k');
    expect(history.map((op) => [op.value, op.status, op.output, op.error ?? null])).toEqual(
      expect.arrayContaining([
        ['to-a-follower', 'fail', null, 'not_leader'],
        ['frozen', 'ok', 'frozen', null],
      ]),
    );
    expect(history).toHaveLength(2);
    expect(new Set(history.map((op) => op.client)).size, 'each put is its own client').toBe(2);

    // The run records both puts as debugger actions; a saved session repeats them.
    const events = (await lab.handle('run:open', { path: runDir! })).events as RunEvent[];
    expect(events.flatMap((e) => (e.type === 'debug' ? [e.action] : []))).toEqual(['freeze', 'put', 'put', 'release', 'release', 'resume']);
    const saved = sessionScenario(events);
    expect(saved.yaml).toMatch(new RegExp(`put:\\s*\\n\\s+node: ${leader}\\n\\s+key: k\\n\\s+value: frozen`));
  }, 90_000);
});
