/**
 * Refusals made visible (issue 9): an admitted member (it holds a member's CURVE keys, as in
 * fuzz.cluster.test.ts, since strangers are refused at the handshake) floods a node of a live
 * cluster with sealed AppendEntries whose entries are not contiguous (§5.3), which the core
 * refuses. Asserted: the node's metrics telemetry carries the count per reason; its log holds
 * at most one refusal line per reason per second, with a count of the lines held back; the
 * run's summary shows the refusals per node; the node is still running.
 */
import { describe, expect, it } from 'vitest';
import { Push } from 'zeromq';
import { encodeFrame } from '../../src/contract/codec';
import { computeSummary } from '../../src/lab/export/summary';
import { SealKeys } from '../../src/wire/frameSeal';
import type { Message } from '../../src/raft/types';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { delay, waitFor } from './helpers/waitFor';

useClusterTeardown();

const FRAMES = 400;

describe('refusals are visible', () => {
  it('counted per reason in the metrics and the summary, logged at most once per reason per second', async () => {
    const tc = await TestCluster.start({ label: 'refusals', options: { nodes: 3, fsync: 'never' } });
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const target = tc.ids().find((id) => id !== leader)!;
    const keys = tc.cluster.curveKeys!;
    // Speak as the leader (the seal binds the frame to it), in its term: only the entries are wrong.
    const own = keys.member(leader);
    const targetKey = keys.publicKeyOf(target)!;
    const sealer = new SealKeys(own).sealer(leader, targetKey);
    const push = new Push({ linger: 0, curveServerKey: targetKey, curvePublicKey: own.publicKey, curveSecretKey: own.secretKey });
    onCleanup(() => push.close());
    push.connect(tc.peerAddress(target));

    const started = Date.now();
    for (let i = 0; i < FRAMES; i++) {
      // Entry index prevIndex + 2: not contiguous (this was a fatal RaftInvariantError before issue 9).
      const bad: Message = {
        type: 'append',
        from: leader,
        to: target,
        term,
        prevIndex: 0,
        prevTerm: 0,
        commit: 0,
        seq: 1,
        entries: [{ index: 2, term, kind: 'command', data: new Uint8Array([1]) }],
      };
      await push.send(encodeFrame('raft', tc.clusterId, [bad], sealer));
      if (i % 50 === 49) await delay(1);
    }
    const sentMs = Date.now() - started;

    const refused = await waitFor(
      () => {
        const n = tc.latestMetrics(target)?.refused?.entries_not_contiguous ?? 0;
        return n >= FRAMES ? n : null;
      },
      { timeoutMs: 10_000, what: `node ${target} to report ${FRAMES} refusals in its metrics`, describe: () => JSON.stringify(tc.latestMetrics(target)?.refused) },
    );
    expect(refused).toBe(FRAMES);

    // The log: one line per reason per second at most (plus the first), each telling what it held back.
    const lines = tc.eventsOf('log', target).filter((e) => e.message.includes('refused input (entries_not_contiguous)'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(sentMs / 1000) + 2);
    // Another refusal a second later gets its line, with the count held back meanwhile.
    await delay(1100);
    await push.send(
      encodeFrame('raft', tc.clusterId, [{ type: 'append', from: leader, to: target, term, prevIndex: 0, prevTerm: 0, commit: 0, seq: 1, entries: [{ index: 3, term, kind: 'noop', data: new Uint8Array(0) }] }], sealer),
    );
    await waitFor(() => tc.eventsOf('log', target).some((e) => /entries_not_contiguous.*more entries_not_contiguous refusals since the last line/.test(e.message)), {
      timeoutMs: 5_000,
      what: 'a refusal line with the count held back',
      describe: () => JSON.stringify(tc.eventsOf('log', target).map((e) => e.message)),
    });

    // The summary shows the refusals per node; the node did not die of its input.
    const summary = computeSummary(tc.events, [], { checkBudgetMs: 100 });
    expect(summary.refusals?.[String(target)]?.entries_not_contiguous).toBeGreaterThanOrEqual(FRAMES);
    expect(tc.view(target).process).toBe('started');
    expect(tc.violations()).toEqual([]);
  });
});
