/**
 * Live-cluster fuzz: random and mutated frames of every Raft message type (fuzz.frames.ts),
 * sent by an admitted member (with a member's CURVE keys, since strangers are refused at
 * the handshake) to every node of a live 3-node cluster that serves writes meanwhile.
 *
 * Asserted: no node exits; the lab's live checkers report no violation and no acknowledged
 * write is lost (safety, §5.2-§5.4); every frame the oracle says must be refused is
 * counted under its reason by the node it was sent to (the counters increase, exactly by
 * what was sent); the rest reached the core, which refused or ignored them (stale terms,
 * §5.1). Bounded in time (a few seconds of frames) to fit `npm test`; the longer version is
 * `npm run bench -- fuzz` (test/bench/fuzz.ts).
 */
import { describe, expect, it } from 'vitest';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';
import { WriteLoad } from './helpers/writeLoad';
import { prepareFuzz, sendFuzz, type FuzzRun } from './fuzz.run';

useClusterTeardown();

const FRAMES_PER_NODE = 1500;

describe('live-cluster fuzz', () => {
  it('an admitted member sending random and mutated frames of every type: no node exits, safety holds, every refusal is counted', async () => {
    const tc = await TestCluster.start({
      options: { nodes: 3, fsync: 'never', electionTimeoutMinMs: 600, electionTimeoutMaxMs: 1200, heartbeatMs: 100 },
      label: 'fuzz',
    });
    const load = new WriteLoad(kvTargetOf(tc), { writers: 1, prefix: 'fz' });
    onCleanup(() => load.stop());
    const run: FuzzRun = await prepareFuzz(tc, FRAMES_PER_NODE, 2026);
    onCleanup(() => run.close());
    load.start();
    await sendFuzz(run);

    // Every refusal counted by the node it was sent to, under the oracle's reason.
    for (const target of run.targets) {
      await waitFor(
        () => {
          const counted = peerCounters(tc.latestMetrics(target.node)?.rejectedFrames ?? {});
          return JSON.stringify(sorted(counted)) === JSON.stringify(sorted(target.expected.refusals)) ? counted : null;
        },
        {
          timeoutMs: 10_000,
          what: `node ${target.node} to count exactly the refusals sent to it`,
          describe: () => `counted ${JSON.stringify(sorted(peerCounters(tc.latestMetrics(target.node)?.rejectedFrames ?? {})))}, expected ${JSON.stringify(sorted(target.expected.refusals))}`,
        },
      );
      expect(Object.values(target.expected.refusals).reduce((a, b) => a + b, 0)).toBeGreaterThan(FRAMES_PER_NODE / 2);
      // A good share reached the core (stale terms: refused or ignored there, §5.1).
      expect(target.expected.delivered).toBeGreaterThan(100);
    }

    // No node exited, and the cluster kept committing.
    expect(tc.cluster.nodes().map((v) => v.process)).toEqual(['started', 'started', 'started']);
    const acked = load.acked.size;
    await load.waitForAcks(acked + 10, 15_000);
    await load.stop();
    const reader = new TestKvClient(kvTargetOf(tc));
    onCleanup(() => reader.close());
    expect(await load.lostWrites(reader)).toEqual([]);
    expect(tc.violations()).toEqual([]);
    expect(tc.cluster.nodes().map((v) => v.process)).toEqual(['started', 'started', 'started']);
  });
});

/** The peer socket's counters (the unprefixed keys of NodeMetrics.rejectedFrames). */
function peerCounters(all: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.includes('.')));
}

function sorted(r: Record<string, number>): Array<[string, number]> {
  return Object.entries(r)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b));
}
