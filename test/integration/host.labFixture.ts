/**
 * A lab as its own process for host.processes.test.ts: starts a cluster with the real
 * Cluster class (temporary data folder, so the lab owns it), prints one JSON line
 * {"pids": [...], "runDir": ...} once every node is ready, and on SIGINT (a terminal's
 * Ctrl+C) stops the cluster in order and prints {"stopped": [process states...]}.
 *
 *   node host.labFixture.mjs --node-script out/node/main.mjs --dir <dir> [--no-setpriv]
 */
import { join } from 'node:path';
import { DEFAULT_WORKLOAD, withDefaults } from '../../src/contract/clusterOptions';
import type { RunEvent } from '../../src/contract/runEvents';
import { Cluster } from '../../src/lab/cluster';
import { LocalLauncher } from '../../src/lab/nodeLauncher';

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) {
    console.error(`usage: host.labFixture.mjs --node-script <main.mjs> --dir <dir> [--no-setpriv]; missing ${name}`);
    process.exit(2);
  }
  return value;
}

const dir = arg('--dir');
const states: Array<{ node: number | null; state: string }> = [];
const cluster = await Cluster.start(withDefaults({ nodes: 3, dataDir: '', workload: { ...DEFAULT_WORKLOAD, clients: 0 } }), {
  runDir: join(dir, 'runs', 'run-1'),
  runId: `host-fixture-${process.pid}`,
  nodeScript: arg('--node-script'),
  execPath: process.execPath,
  readyTimeoutMs: 20_000,
  launcher: new LocalLauncher({ useSetpriv: !process.argv.includes('--no-setpriv') }),
  onEvent: (ev: RunEvent) => {
    if (ev.type === 'process') states.push({ node: ev.node, state: ev.state });
  },
});
process.on('SIGINT', () => {
  const before = states.length;
  void cluster.stop().then(() => {
    process.stdout.write(`${JSON.stringify({ stopped: states.slice(before) })}\n`);
    process.exit(0);
  });
});
process.stdout.write(`${JSON.stringify({ pids: cluster.nodes().map((v) => v.pid), runDir: cluster.runDir, dataDir: cluster.dataDirectory })}\n`);
setInterval(() => undefined, 1 << 30);
