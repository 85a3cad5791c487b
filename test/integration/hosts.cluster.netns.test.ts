/**
 * A cluster across hosts (issue 13; docs/multi-host.md), on test hosts that are network
 * namespaces with their own sshd (test/support/netns): the lab reaches each host with the
 * system ssh, copies the node there, starts nodes with their config on stdin, and the nodes
 * talk over the namespaces' bridge with CURVE.
 *   - a 3-node cluster, one node per host, elects a leader (§5.2) and commits; each node runs
 *     in its host's namespace and binds its host's address; the figures (time to first
 *     leader, commit round trip) are printed next to a loopback cluster's;
 *   - kill -9 of the remote leader goes over ssh to the pid it reported; the others elect;
 *   - a SIGKILLed lab leaves no remote node alive.
 * Skips, saying why, where namespaces cannot be made (not root, no sshd, no CAP_SYS_ADMIN).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterOptions } from '../../src/contract/clusterOptions';
import { NODE_V8_FLAGS } from '../../src/lab/supervisor';
import { canMakeNamespaces, createTestHosts, type TestHosts } from '../support/netns/testHosts';
import { tryCommand } from '../support/netns/commands';
import { bundleFixture } from './helpers/bundle';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { nodeScript, repoRoot } from './helpers/nodeBuild';
import { killSurvivors, pidAlive, waitForPidsGone } from './helpers/processes';
import { TestCluster } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

const support = canMakeNamespaces();
const OPTIONS = { nodes: 3, fsync: 'never' as const, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 50 };

/** The network namespace a process runs in (`ip netns identify`), '' for the root one. */
function namespaceOf(pid: number): string {
  return tryCommand(['ip', 'netns', 'identify', String(pid)]).stdout.trim();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Starts a cluster, measures ms to its first leader and the round trip of `writes` sequential puts. */
async function measure(label: string, options: Partial<ClusterOptions>, hosts?: TestHosts, writes = 40) {
  const tc = await TestCluster.start({ label, options, hosts: hosts ? { sshConfigFile: hosts.sshConfigPath } : undefined, readyTimeoutMs: 60_000 });
  await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
  // On the run clock (ms since the run started, host preparation included).
  const readyMs = Math.max(...tc.eventsOf('ready').map((e) => e.t));
  const leaderMs = tc.eventsOf('role').find((e) => e.role === 'leader')!.t;
  const client = new TestKvClient(kvTargetOf(tc), { clientId: label });
  onCleanup(() => client.close());
  const rtts: number[] = [];
  for (let i = 0; i < writes; i++) {
    const t = performance.now();
    const r = await client.put(`k${i}`, `v${i}`, { timeoutMs: 10_000 });
    expect(r.status).toBe('ok');
    rtts.push(performance.now() - t);
  }
  // The first write also finds the leader: the steady state is the rest.
  const steady = rtts.slice(1);
  return { tc, readyMs, leaderMs, commitP50Ms: median(steady), commitMaxMs: Math.max(...steady) };
}

describe.skipIf(!support.ok)(`a cluster across netns hosts over ssh${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let hosts: TestHosts;
  const hostList = () => hosts.hosts.map((h) => ({ ssh: h.name, address: h.address }));

  beforeAll(async () => {
    hosts = await createTestHosts({ count: 3 });
  }, 60_000);

  afterAll(async () => {
    await hosts?.destroy();
  });

  it('elects a leader and commits, each node in its host namespace on its host address; figures vs loopback', async () => {
    // The first start copies the node to each host; the second finds it cached.
    const cold = await measure('hosts-cold', { ...OPTIONS, hosts: hostList() }, hosts);
    await cold.tc.stop();
    const remote = await measure('hosts-elect', { ...OPTIONS, hosts: hostList() }, hosts);
    const { tc } = remote;
    for (const id of tc.ids()) {
      const h = hosts.hosts[id - 1];
      expect(tc.peerAddress(id)).toMatch(new RegExp(`^tcp://${h.address.replaceAll('.', '\\.')}:\\d+$`));
      expect(namespaceOf(tc.view(id).pid!)).toBe(h.namespace);
      // The config went on stdin: the node's command line names no key.
      const cmdline = tryCommand(['cat', `/proc/${tc.view(id).pid}/cmdline`]).stdout.split('\0');
      expect(cmdline).toContain('--config-stdin');
      // The V8 flags a local node starts with (src/lab/supervisor.ts NODE_V8_FLAGS) reach it too.
      for (const flag of NODE_V8_FLAGS) expect(cmdline).toContain(flag);
    }
    await tc.stop();
    const local = await measure('hosts-loopback', OPTIONS);
    await local.tc.stop();
    const fmt = (m: typeof remote) => `ready ${m.readyMs.toFixed(0)} ms, first leader ${m.leaderMs.toFixed(0)} ms, commit p50 ${m.commitP50Ms.toFixed(2)} ms (max ${m.commitMaxMs.toFixed(1)})`;
    console.log(`[figures] 3 nodes across netns hosts over ssh, first start (copies the node): ${fmt(cold)}`);
    console.log(`[figures] 3 nodes across netns hosts over ssh, bundle cached: ${fmt(remote)}`);
    console.log(`[figures] 3 nodes on loopback:                 ${fmt(local)}`);
  }, 180_000);

  it('kill -9 of the remote leader goes over ssh to its pid; the others elect a new leader', async () => {
    const tc = await TestCluster.start({ label: 'hosts-kill', options: { ...OPTIONS, hosts: hostList() }, hosts: { sshConfigFile: hosts.sshConfigPath }, readyTimeoutMs: 60_000 });
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    const pid = tc.view(leader).pid!;
    expect(pidAlive(pid)).toBe(true);
    await tc.cluster.kill(leader);
    expect(tc.eventsOf('process', leader).at(-1)).toMatchObject({ state: 'killed' });
    await waitForPidsGone([pid], { timeoutMs: 5000, what: `the killed leader (pid ${pid} on ${hosts.hosts[leader - 1].name})` });
    const next = await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    expect(next.leader).not.toBe(leader);
    expect(next.term).toBeGreaterThan(term);
    // And it comes back on its host, on a new port, and catches up.
    await tc.cluster.restart(leader);
    expect(namespaceOf(tc.view(leader).pid!)).toBe(hosts.hosts[leader - 1].namespace);
    await tc.stop();
  }, 120_000);

  it('a SIGKILLed lab leaves no remote node alive, a paused one included', async () => {
    const script = await bundleFixture(join(repoRoot(), 'test/integration/hosts.labFixture.ts'));
    const dir = mkdtempSync(join(tmpdir(), 'raftlab-it-hosts-lab-'));
    const lab = spawn(process.execPath, [script, '--node-script', await nodeScript(), '--dir', dir, '--ssh-config', hosts.sshConfigPath, '--hosts', JSON.stringify(hostList())], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    lab.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
    const exited = new Promise<void>((r) => lab.once('exit', () => r()));
    const lines: Array<{ pids: number[] }> = [];
    createInterface({ input: lab.stdout }).on('line', (l) => lines.push(JSON.parse(l) as { pids: number[] }));
    let pids: number[] = [];
    onCleanup(async () => {
      if (lab.exitCode === null && lab.signalCode === null) lab.kill('SIGKILL');
      await exited;
      killSurvivors(pids);
      rmSync(dir, { recursive: true, force: true });
    });
    await waitFor(() => lines.length > 0 || lab.exitCode !== null, { timeoutMs: 60_000, what: 'the lab to report its node pids', describe: () => stderr });
    pids = lines[0]?.pids ?? [];
    expect(pids, stderr).toHaveLength(3);
    for (const [i, pid] of pids.entries()) expect(namespaceOf(pid)).toBe(hosts.hosts[i].namespace);
    process.kill(pids[0], 'SIGSTOP');
    lab.kill('SIGKILL');
    await exited;
    await waitForPidsGone(pids, { timeoutMs: 5000, what: 'every remote node, the paused one too, after the lab was SIGKILLed' });
  }, 120_000);
});
