/**
 * The longer live-cluster fuzz (`npm run bench -- fuzz`): the frames of
 * test/integration/fuzz.frames.ts, by the tens of thousands, against a live 3-node cluster
 * serving writes, from an admitted member's keys. Prints frames tried, refused and
 * delivered per family and message type, refusals per reason, and whether the cluster
 * came through: every node up, every refusal counted by the node it was sent to, no
 * violation, no lost write.
 *
 * Options (environment): RAFTLAB_FUZZ_FRAMES=<frames per node and round> (default 10000),
 * RAFTLAB_FUZZ_ROUNDS=<rounds, each with a new seed and a fresh term> (default 3),
 * RAFTLAB_FUZZ_SEED=<first seed> (default 1).
 */
import { fuzzTable, prepareFuzz, sendFuzz } from '../integration/fuzz.run';
import { kvTargetOf, TestKvClient } from '../integration/helpers/kvClient';
import { TestCluster } from '../integration/helpers/testCluster';
import { waitFor } from '../integration/helpers/waitFor';
import { WriteLoad } from '../integration/helpers/writeLoad';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export async function benchFuzz(): Promise<Record<string, number | string>> {
  const framesPerNode = envNumber('RAFTLAB_FUZZ_FRAMES', 10_000);
  const rounds = envNumber('RAFTLAB_FUZZ_ROUNDS', 3);
  const seed = envNumber('RAFTLAB_FUZZ_SEED', 1);
  const tc = await TestCluster.start({
    options: { nodes: 3, fsync: 'never', electionTimeoutMinMs: 600, electionTimeoutMaxMs: 1200, heartbeatMs: 100 },
    label: 'bench-fuzz',
  });
  const out: Record<string, number | string> = {};
  const totals: Record<string, { tried: number; refused: number; delivered: number }> = {};
  const reasons: Record<string, number> = {};
  let skipped = 0;
  let mismatches = 0;
  const load = new WriteLoad(kvTargetOf(tc), { writers: 1, prefix: 'bf' });
  try {
    load.start();
    const started = performance.now();
    for (let round = 0; round < rounds; round++) {
      const run = await prepareFuzz(tc, framesPerNode, seed + round * 101);
      try {
        const before = new Map(run.targets.map((t) => [t.node, peerCounters(tc.latestMetrics(t.node)?.rejectedFrames ?? {})]));
        await sendFuzz(run);
        for (const t of run.targets) {
          skipped += t.skipped;
          // The node's counters grew by exactly what the oracle expects.
          await waitFor(
            () => {
              const now = peerCounters(tc.latestMetrics(t.node)?.rejectedFrames ?? {});
              const base = before.get(t.node)!;
              return Object.entries(t.expected.refusals).every(([k, n]) => (now[k] ?? 0) - (base[k] ?? 0) === n) ? true : null;
            },
            { timeoutMs: 15_000, what: `node ${t.node} to count round ${round}'s refusals` },
          ).catch((err: Error) => {
            mismatches++;
            console.error(`[fuzz] ${err.message}`);
          });
        }
        for (const [key, row] of Object.entries(fuzzTable(run))) {
          const total = (totals[key] ??= { tried: 0, refused: 0, delivered: 0 });
          total.tried += row.tried;
          total.refused += row.refused;
          total.delivered += row.delivered;
          for (const [r, n] of Object.entries(row.reasons)) reasons[r] = (reasons[r] ?? 0) + n;
        }
      } finally {
        run.close();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const acked = load.acked.size;
    await load.waitForAcks(acked + 10, 15_000);
    await load.stop();
    const reader = new TestKvClient(kvTargetOf(tc));
    try {
      out['lostWrites'] = (await load.lostWrites(reader)).length;
    } finally {
      await reader.close();
    }
    const tried = Object.values(totals).reduce((n, r) => n + r.tried, 0);
    out['framesTried'] = tried;
    out['framesPerSec'] = Math.round(tried / seconds);
    out['skippedCurrentTerm'] = skipped;
    out['counterMismatches'] = mismatches;
    out['nodesUp'] = tc.cluster.nodes().filter((v) => v.process === 'started').length;
    out['violations'] = tc.violations().length;
    out['writesAcked'] = load.acked.size;
    for (const [key, row] of Object.entries(totals).sort()) out[`type.${key}`] = `tried ${row.tried}, refused ${row.refused}, reached the core ${row.delivered}`;
    for (const [reason, n] of Object.entries(reasons).sort()) out[`refusals.${reason}`] = n;
  } finally {
    await load.stop().catch(() => undefined);
    await tc.dispose({ keep: false });
  }
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(32)} ${v}`);
  const failed = out.nodesUp !== 3 || out.violations !== 0 || out.lostWrites !== 0 || mismatches > 0;
  if (failed) throw new Error('the cluster did not come through the fuzz (see the figures above)');
  return out;
}

/** The peer socket's counters (the unprefixed keys of NodeMetrics.rejectedFrames). */
function peerCounters(all: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.includes('.')));
}
