/**
 * `npm run bench -- ticks`: what fine timer resolution costs. A 5-node idle cluster (no
 * workload, the paper's basic Raft: no PreVote, no CheckQuorum, heartbeat 75 ms as in
 * Figure 16's 150-300 ms range) runs for a while at each tick length, side by side in one
 * run, and the node processes' CPU time (utime + stime from /proc/PID/stat) is read before
 * and after: the cost per node of ticking every 1 ms (docs/network-emulation.md, "tickMs").
 * Linux only (/proc).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDefaults } from '../../src/contract/clusterOptions';
import { Cluster } from '../../src/lab/cluster';
import { defaultNodeScript } from '../../src/lab/lab';
import { waitFor } from '../integration/helpers/waitFor';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux for x86 and arm). */
const USER_HZ = 100;
const MEASURE_MS = 8000;

function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

async function measure(tickMs: number): Promise<{ tickMs: number; cpuPercentPerNode: number; wallMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), `raftlab-bench-ticks-${tickMs}-`));
  let cluster: Cluster | null = null;
  try {
    cluster = await Cluster.start(
      withDefaults({ nodes: 5, electionTimeoutMinMs: 150, electionTimeoutMaxMs: 301, heartbeatMs: 75, tickMs, preVote: false, checkQuorum: false, workload: { clients: 0 }, dataDir: join(dir, 'data') }),
      { runDir: join(dir, 'run'), runId: `bench-ticks-${tickMs}`, nodeScript: defaultNodeScript(), execPath: process.execPath, readyTimeoutMs: 30_000, record: false },
    );
    const c = cluster;
    await waitFor(() => c.leader(), { timeoutMs: 20_000, what: 'a leader' });
    const pids = c.nodes().map((n) => n.pid).filter((p): p is number => p !== null);
    const before = pids.map(cpuMs);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const wallMs = performance.now() - t0;
    const used = pids.map((p, i) => cpuMs(p) - before[i]);
    const mean = used.reduce((s, v) => s + v, 0) / used.length;
    return { tickMs, cpuPercentPerNode: (mean / wallMs) * 100, wallMs };
  } finally {
    await cluster?.stop({ linearizabilityBudgetMs: 500 });
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchTicks(): Promise<void> {
  console.log(`5 idle nodes, heartbeat 75 ms, ${MEASURE_MS / 1000} s per tick length; CPU time of the node processes (% of one core, mean per node)`);
  for (const tickMs of [10, 5, 2, 1]) {
    const r = await measure(tickMs);
    console.log(`tick ${String(r.tickMs).padStart(2)} ms: ${r.cpuPercentPerNode.toFixed(2)}% of a core per node`);
  }
}
