/**
 * A cluster across hosts (issue 13; docs/multi-host.md), on test hosts that are network
 * namespaces with their own sshd (test/support/netns): the lab reaches each host with the
 * system ssh, copies the node there, starts nodes with their config on stdin, and the nodes
 * talk over the namespaces' bridge with CURVE.
 *   - a 3-node cluster, one node per host, elects a leader (§5.2) and commits; each node runs
 *     in its host's namespace and binds its host's address; each remote node's clock offset
 *     is estimated and the true one (0: the namespaces share the lab's clock) lies within its
 *     bound; the figures (time to first leader, commit round trip) are printed next to a
 *     loopback cluster's;
 *   - kill -9 of the remote leader goes over ssh to the pid it reported; the others elect;
 *   - a full restart (every node killed, then restarted on its host) loses no acknowledged write;
 *   - a SIGKILLed lab leaves no remote node alive;
 *   - with `partitions: "nft"` an isolated leader is cut by the hosts' kernels (its peer port
 *     unreachable from the others' hosts, no in-node rule involved), the majority elects and
 *     commits (§5.2, §5.3), the heal removes the rules; a dead lab's nft table and run folder
 *     are gone at the next start;
 *   - a bandwidth limit (tc tbf) on the leader's host: the qdisc is on that namespace's device,
 *     sequential writes of 2 KB values take clearly longer than the same writes unlimited,
 *     the heal removes it; a lab SIGKILLed with a limit in place leaves it, and the next
 *     start removes it (and only it: a tbf raftlab did not put on another host stays);
 *   - a node added to the running cluster (§6, thesis §4.2.1) starts on the remote host its
 *     id is placed on, catches up and is promoted to voter; removed, it is gone from its host.
 * Skips, saying why, where namespaces cannot be made (not root, no sshd, no CAP_SYS_ADMIN).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterOptions } from '../../src/contract/clusterOptions';
import { NODE_V8_FLAGS } from '../../src/lab/supervisor';
import { canMakeNamespaces, createTestHosts, type TestHosts } from '../support/netns/testHosts';
import { tryCommand } from '../support/netns/commands';
import { nftScript } from '../../src/lab/hosts/kernelPartition';
import { packNodeBundle } from '../../src/lab/hosts/nodeBundle';
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

/** The root qdisc line of `eth0` in a test host's namespace (`tc qdisc show dev eth0 root`). */
function rootQdisc(hosts: TestHosts, name: string): string {
  return hosts.exec(name, ['tc', 'qdisc', 'show', 'dev', 'eth0', 'root']).stdout.trim();
}

/** Ms for `count` sequential puts of `size`-character values (each must be acknowledged). */
async function timedPuts(client: TestKvClient, prefix: string, count: number, size: number): Promise<number> {
  const value = 'x'.repeat(size);
  const t = performance.now();
  for (let i = 0; i < count; i++) {
    const r = await client.put(`${prefix}${i}`, value, { timeoutMs: 20_000 });
    expect(r.status).toBe('ok');
  }
  return performance.now() - t;
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
    // The first start copies the node to each host (the hosts share this machine's $HOME,
    // so an earlier run's copy is removed first); the second finds it cached.
    const cache = join(homedir(), '.cache/raftlab', `node-${packNodeBundle(await nodeScript()).version}`);
    rmSync(cache, { recursive: true, force: true });
    const cold = await measure('hosts-cold', { ...OPTIONS, hosts: hostList() }, hosts);
    expect(existsSync(join(cache, '.complete'))).toBe(true);
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
      // Clocks (docs/multi-host.md, "The clock model"): the namespaces share the lab's clock,
      // so the true offset is 0 and must lie within the stated bound of the estimate.
      const clock = tc.eventsOf('clock', id)[0];
      expect(clock, `node ${id}'s clock estimate`).toBeDefined();
      expect(clock.host).toBe(h.name);
      expect(Math.abs(clock.offsetMs)).toBeLessThanOrEqual(clock.boundMs);
      expect(clock.samples).toBeGreaterThanOrEqual(4);
    }
    const clockBounds = tc.ids().map((id) => tc.eventsOf('clock', id)[0].boundMs);
    const summary = await tc.stop();
    expect(Object.keys(summary?.clocks ?? {}).sort()).toEqual(['1', '2', '3']);
    const local = await measure('hosts-loopback', OPTIONS);
    expect(local.tc.eventsOf('clock')).toEqual([]);
    expect((await local.tc.stop())?.clocks).toBeUndefined();
    const fmt = (m: typeof remote) => `ready ${m.readyMs.toFixed(0)} ms, first leader ${m.leaderMs.toFixed(0)} ms, commit p50 ${m.commitP50Ms.toFixed(2)} ms (max ${m.commitMaxMs.toFixed(1)})`;
    console.log(`[figures] 3 nodes across netns hosts over ssh, first start (copies the node): ${fmt(cold)}`);
    console.log(`[figures] 3 nodes across netns hosts over ssh, bundle cached: ${fmt(remote)}`);
    console.log(`[figures] 3 nodes on loopback:                 ${fmt(local)}`);
    console.log(`[figures] clock offset bounds across netns hosts (ms): ${clockBounds.map((b) => b.toFixed(3)).join(', ')}`);
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

  it('a full restart over ssh (every node kill -9ed, then restarted on its host) loses no acknowledged write', async () => {
    const tc = await TestCluster.start({ label: 'hosts-restart', options: { ...OPTIONS, fsync: 'always', hosts: hostList() }, hosts: { sshConfigFile: hosts.sshConfigPath }, readyTimeoutMs: 60_000 });
    await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    const writer = new TestKvClient(kvTargetOf(tc), { clientId: 'hosts-restart-w' });
    onCleanup(() => writer.close());
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await writer.put(`r${i}`, `v${i}`, { timeoutMs: 10_000 });
      expect(r.status).toBe('ok');
      acked.push(`r${i}`);
    }
    const pids = tc.ids().map((id) => tc.view(id).pid!);
    for (const id of tc.ids()) await tc.cluster.kill(id);
    await waitForPidsGone(pids, { timeoutMs: 5000, what: 'every remote node after kill -9' });
    for (const id of tc.ids()) await tc.cluster.restart(id);
    await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    // §5.4: a committed entry is in every later leader's log; each acknowledged write reads back.
    const reader = new TestKvClient(kvTargetOf(tc), { clientId: 'hosts-restart-r' });
    onCleanup(() => reader.close());
    for (const [i, key] of acked.entries()) {
      const r = await reader.get(key, { timeoutMs: 10_000 });
      expect(r).toMatchObject({ status: 'ok', value: `v${i}` });
    }
    await tc.stop();
  }, 120_000);

  it('a SIGKILLed lab leaves no remote node alive, a paused one included', async () => {
    const script = await bundleFixture(join(repoRoot(), 'test/integration/hosts.labFixture.ts'));
    const dir = mkdtempSync(join(tmpdir(), 'raftlab-it-hosts-lab-'));
    const lab = spawn(process.execPath, [script, '--node-script', await nodeScript(), '--dir', dir, '--ssh-config', hosts.sshConfigPath, '--hosts', JSON.stringify(hostList()), '--bandwidth-node', '1'], {
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
    // The fixture put a bandwidth limit on node 1's host before it reported.
    const [h1, , h3] = hosts.hosts;
    expect(rootQdisc(hosts, h1.name)).toMatch(/^qdisc tbf .*rate 1024Kbit/);
    // A tbf raftlab did not put there: no start may touch it.
    expect(hosts.exec(h3.name, ['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', '100mbit', 'burst', '100kb', 'latency', '50ms']).code).toBe(0);
    onCleanup(() => void hosts.exec(h3.name, ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']));
    process.kill(pids[0], 'SIGSTOP');
    lab.kill('SIGKILL');
    await exited;
    await waitForPidsGone(pids, { timeoutMs: 5000, what: 'every remote node, the paused one too, after the lab was SIGKILLed' });
    // The dead lab could not remove its limit; the next start does (docs/multi-host.md, "Bandwidth limits").
    expect(rootQdisc(hosts, h1.name)).toMatch(/^qdisc tbf /);
    const next = await TestCluster.start({ label: 'hosts-after-crash', options: { ...OPTIONS, hosts: hostList() }, hosts: { sshConfigFile: hosts.sshConfigPath }, readyTimeoutMs: 60_000 });
    expect(rootQdisc(hosts, h1.name)).toMatch(/^qdisc noqueue /);
    expect(existsSync(join(homedir(), '.cache/raftlab/tbf', h1.address))).toBe(false);
    expect(rootQdisc(hosts, h3.name)).toMatch(/^qdisc tbf .*rate 100Mbit/);
    const said = next.eventsOf('log').filter((e) => e.message.includes('removed tbf on eth0'));
    expect(said.map((e) => e.message)).toEqual([`lab: ssh ${h1.name}: removed tbf on eth0, left by a lab that died`]);
    await next.stop();
  }, 120_000);

  it('an nft partition isolates the leader in the kernel; the majority elects and commits; heal removes the rules', async () => {
    // What a lab that died mid-partition leaves on a host: its table and its run folder.
    const h2 = hosts.hosts[1];
    const deadRun = join(homedir(), '.cache/raftlab/runs/dead-lab-nft-test');
    mkdirSync(join(deadRun, 'node-2'), { recursive: true });
    expect(hosts.exec(h2.name, ['nft', '-f', '-'], { input: nftScript(['192.0.2.1']) }).code).toBe(0);
    const nftTables = (h: (typeof hosts.hosts)[number]) => hosts.exec(h.name, ['nft', 'list', 'tables']).stdout;

    const tc = await TestCluster.start({
      label: 'hosts-nft',
      options: { ...OPTIONS, hosts: hostList(), partitions: 'nft' },
      hosts: { sshConfigFile: hosts.sshConfigPath },
      readyTimeoutMs: 60_000,
    });
    expect(existsSync(deadRun)).toBe(false);
    for (const h of hosts.hosts) expect(nftTables(h)).not.toContain('raftlab');
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    const others = tc.ids().filter((id) => id !== leader);

    await tc.cluster.partition({ preset: 'isolate-leader' });
    const fault = tc.eventsOf('fault').at(-1)!;
    expect(fault.kernel).toHaveLength(fault.blocked!.length);
    expect(fault.commands?.map((c) => c.host).sort()).toEqual(hosts.hosts.map((h) => h.name).sort());
    const leaderHost = hosts.hosts[leader - 1];
    const ruleset = hosts.exec(leaderHost.name, ['nft', 'list', 'table', 'inet', 'raftlab']).stdout;
    for (const id of others) expect(ruleset).toContain(hosts.hosts[id - 1].address);
    // The kernel drops it: the leader's peer port does not answer from another host's namespace.
    const port = Number(/:(\d+)$/.exec(tc.peerAddress(leader))![1]);
    const probe = `const s = require('net').connect(${port}, ${JSON.stringify(leaderHost.address)}); s.on('connect', () => { console.log('connected'); process.exit(0); }); s.on('error', (e) => { console.log(e.code); process.exit(1); }); setTimeout(() => { console.log('timeout'); process.exit(1); }, 1500);`;
    expect(hosts.exec(hosts.hosts[others[0] - 1].name, ['node', '-e', probe]).stdout.trim()).toBe('timeout');

    // §5.2: the majority's election timeouts run out and one of them wins a later term.
    const next = await tc.waitForAgreedLeader({ timeoutMs: 20_000, among: () => others });
    expect(others).toContain(next.leader);
    expect(next.term).toBeGreaterThan(term);
    const client = new TestKvClient(kvTargetOf(tc), { clientId: 'hosts-nft' });
    onCleanup(() => client.close());
    expect((await client.put('during', 'partition', { timeoutMs: 10_000 })).status).toBe('ok');

    await tc.cluster.heal();
    expect(tc.eventsOf('fault').at(-1)!.commands).toHaveLength(3);
    for (const h of hosts.hosts) expect(nftTables(h)).not.toContain('raftlab');
    expect(hosts.exec(hosts.hosts[others[0] - 1].name, ['node', '-e', probe]).stdout.trim()).toBe('connected');
    // The old leader hears the new term and follows (§5.1): all three agree again.
    await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    await tc.stop();
  }, 120_000);
  it('a tc tbf limit on the leader\'s host slows its writes measurably; heal removes the qdisc', async () => {
    // Election timeouts well above what a 2 KB append takes at 256 kbit/s (~70 ms per follower),
    // so the limited leader keeps leading while it is measured.
    const tc = await TestCluster.start({
      label: 'hosts-tbf',
      options: { ...OPTIONS, electionTimeoutMinMs: 1500, electionTimeoutMaxMs: 3000, hosts: hostList() },
      hosts: { sshConfigFile: hosts.sshConfigPath },
      readyTimeoutMs: 60_000,
    });
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    const leaderHost = hosts.hosts[leader - 1];
    const client = new TestKvClient(kvTargetOf(tc), { clientId: 'hosts-tbf' });
    onCleanup(() => client.close());
    const PUTS = 10;
    const SIZE = 2048;
    await timedPuts(client, 'warm', 2, SIZE);
    const unlimitedMs = await timedPuts(client, 'free', PUTS, SIZE);

    await tc.cluster.applyFault({ kind: 'bandwidth', node: leader, rateKbit: 256 });
    const fault = tc.eventsOf('fault').at(-1)!;
    expect(fault.fault).toEqual({ kind: 'bandwidth', node: leader, rateKbit: 256, burstBytes: 1600, latencyMs: 200 });
    expect(fault.commands).toEqual([{ host: leaderHost.name, command: 'tc (as root, or sudo -n tc)', script: 'tc qdisc replace dev eth0 root tbf rate 256kbit burst 1600 latency 200ms' }]);
    expect(fault.nodes).toEqual([leader]);
    expect(rootQdisc(hosts, leaderHost.name)).toMatch(/^qdisc tbf .*rate 256Kbit burst 1600b lat 200ms/);
    for (const h of hosts.hosts) if (h !== leaderHost) expect(rootQdisc(hosts, h.name)).toMatch(/^qdisc noqueue /);
    expect([...tc.cluster.faults.bandwidth.keys()]).toEqual([leader]);

    const limitedMs = await timedPuts(client, 'slow', PUTS, SIZE);
    // Each write sends its 2 KB value to two followers through the limit: at least 40 KB at
    // 32 KB/s is ~1.3 s in all. Half of that, and 5 times the unlimited figure, cannot be reached
    // by noise on a machine where the unlimited writes take a few ms each.
    const floorMs = ((PUTS * SIZE * 2 * 8) / (256 * 1000)) * 1000 * 0.5;
    const stats = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+)/.exec(hosts.exec(leaderHost.name, ['tc', '-s', 'qdisc', 'show', 'dev', 'eth0', 'root']).stdout);
    const tbf = stats ? `tbf sent ${stats[1]} bytes in ${stats[2]} packets, dropped ${stats[3]}, overlimits ${stats[4]}` : 'no tbf statistics';
    console.log(`[figures] ${PUTS} sequential 2 KB writes, leader on ${leaderHost.name}: unlimited ${unlimitedMs.toFixed(0)} ms, limited to 256 kbit/s ${limitedMs.toFixed(0)} ms (floor asserted ${floorMs.toFixed(0)} ms; ${tbf})`);
    expect(limitedMs).toBeGreaterThan(floorMs);
    expect(limitedMs).toBeGreaterThan(5 * unlimitedMs);
    // The measured leader was the limited one throughout.
    expect(tc.agreedLeader(tc.ids())).toEqual({ leader, term });

    await tc.cluster.heal();
    const heal = tc.eventsOf('fault').at(-1)!;
    expect(heal.commands).toEqual([{ host: leaderHost.name, command: 'tc (as root, or sudo -n tc)', script: 'tc qdisc del dev eth0 root' }]);
    expect(rootQdisc(hosts, leaderHost.name)).toMatch(/^qdisc noqueue /);
    expect(existsSync(join(homedir(), '.cache/raftlab/tbf', leaderHost.address))).toBe(false);
    expect(tc.cluster.faults.bandwidth.size).toBe(0);
    const healedMs = await timedPuts(client, 'after', PUTS, SIZE);
    expect(healedMs).toBeLessThan(limitedMs / 2);

    // Removed by its key (the app's "remove" of one fault), and at the stop.
    await tc.cluster.applyFault({ kind: 'bandwidth', node: leader, rateKbit: 2048, latencyMs: 50 });
    expect(rootQdisc(hosts, leaderHost.name)).toMatch(/^qdisc tbf .*rate 2048Kbit burst 2560b lat 50ms/);
    await tc.cluster.removeFault(`bandwidth:${leader}`);
    expect(tc.eventsOf('fault').at(-1)).toMatchObject({ action: 'heal', fault: { kind: 'bandwidth', node: leader }, commands: [{ script: 'tc qdisc del dev eth0 root' }] });
    expect(rootQdisc(hosts, leaderHost.name)).toMatch(/^qdisc noqueue /);
    await tc.cluster.applyFault({ kind: 'bandwidth', node: leader, rateKbit: 2048 });
    expect(rootQdisc(hosts, leaderHost.name)).toMatch(/^qdisc tbf /);
    await tc.stop();
    expect(rootQdisc(hosts, leaderHost.name)).toMatch(/^qdisc noqueue /);
    expect(existsSync(join(homedir(), '.cache/raftlab/tbf', leaderHost.address))).toBe(false);
  }, 120_000);

  it('a node added to the running cluster starts on the remote host it is placed on, catches up, is a voter; removed, it leaves its host', async () => {
    const tc = await TestCluster.start({ label: 'hosts-membership', options: { ...OPTIONS, hosts: hostList() }, hosts: { sshConfigFile: hosts.sshConfigPath }, readyTimeoutMs: 60_000 });
    await tc.waitForAgreedLeader({ timeoutMs: 20_000 });
    const client = new TestKvClient(kvTargetOf(tc), { clientId: 'hosts-membership' });
    onCleanup(() => client.close());
    for (let i = 0; i < 20; i++) expect((await client.put(`m${i}`, `v${i}`, { timeoutMs: 10_000 })).status).toBe('ok');

    // Node 4: round-robin over three hosts puts it on the first (src/contract/clusterOptions.ts hostIndexOf).
    const added = await tc.cluster.addNode();
    expect(added).toBe(4);
    const h1 = hosts.hosts[0];
    const pid = tc.view(added).pid!;
    expect(namespaceOf(pid)).toBe(h1.namespace);
    expect(tc.peerAddress(added)).toMatch(new RegExp(`^tcp://${h1.address.replaceAll('.', '\\.')}:\\d+$`));
    const membership = tc.eventsOf('membership').filter((e) => e.target === added);
    expect(membership.map((e) => e.action)).toEqual(['add', 'promote']);
    expect(membership.at(-1)!.voters).toEqual([1, 2, 3, 4]);
    // Caught up: it applies what was written before it joined, and what comes after (§6).
    expect((await client.put('after-add', 'yes', { timeoutMs: 10_000 })).status).toBe('ok');
    const leader = tc.agreedLeader(tc.liveIds());
    expect(leader).not.toBeNull();
    await tc.waitForApplied(tc.appliedIndex(leader!.leader), { timeoutMs: 20_000, nodes: [added] });
    await waitFor(() => tc.view(added).voter, { timeoutMs: 10_000, what: `node ${added} to report itself a voter` });

    await tc.cluster.removeNode(added);
    expect(tc.eventsOf('membership').at(-1)).toMatchObject({ action: 'remove', target: added, voters: [1, 2, 3] });
    await waitForPidsGone([pid], { timeoutMs: 10_000, what: `removed node ${added} (pid ${pid} on ${h1.name})` });
    expect(tc.ids()).toEqual([1, 2, 3]);
    expect((await client.put('after-remove', 'yes', { timeoutMs: 10_000 })).status).toBe('ok');
    await tc.stop();
  }, 120_000);
});
