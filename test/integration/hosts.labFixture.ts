/**
 * A lab as its own process for hosts.cluster.netns.test.ts: starts a 3-node cluster on the
 * given hosts over ssh and prints {"pids": [...]} (the pids the nodes reported) once every
 * node is ready (after a 1 Mbit/s bandwidth limit on node N's host with `--bandwidth-node N`,
 * to leave one behind when it is killed); then waits to be killed.
 *
 *   node hosts.labFixture.mjs --node-script out/node/main.mjs --dir <dir> --ssh-config <file> --hosts <json> [--bandwidth-node N]
 */
import { join } from 'node:path';
import { DEFAULT_WORKLOAD, withDefaults, type HostEntry } from '../../src/contract/clusterOptions';
import { Cluster } from '../../src/lab/cluster';

function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) {
    console.error(`usage: hosts.labFixture.mjs --node-script <main.mjs> --dir <dir> --ssh-config <file> --hosts <json>; missing ${name}`);
    process.exit(2);
  }
  return value;
}

const dir = arg('--dir');
const cluster = await Cluster.start(
  withDefaults({ nodes: 3, fsync: 'never', hosts: JSON.parse(arg('--hosts')) as HostEntry[], workload: { ...DEFAULT_WORKLOAD, clients: 0 } }),
  {
    runDir: join(dir, 'runs', 'run-1'),
    runId: `hosts-fixture-${process.pid}`,
    nodeScript: arg('--node-script'),
    execPath: process.execPath,
    readyTimeoutMs: 60_000,
    hosts: { sshConfigFile: arg('--ssh-config') },
  },
);
const bandwidthNode = process.argv.indexOf('--bandwidth-node');
if (bandwidthNode >= 0) await cluster.applyFault({ kind: 'bandwidth', node: Number(process.argv[bandwidthNode + 1]), rateKbit: 1024 });
process.stdout.write(`${JSON.stringify({ pids: cluster.nodes().map((v) => v.pid) })}\n`);
setInterval(() => undefined, 1 << 30);
