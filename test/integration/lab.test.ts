/**
 * The lab as an orchestrator of real node processes (src/lab: Cluster, Supervisor, Lab):
 *   - every process state change is a 'process' run event (started, paused, resumed,
 *     killed with its signal, stopped, restarted), and teardown leaves no process behind,
 *     not even a paused one;
 *   - a node that dies on its own (SIGKILL from outside the lab) is reported 'crashed',
 *     and the lab and the cluster carry on;
 *   - membership changes through joint consensus (§6): a node added later applies the same
 *     entries as everyone else; removing nodes (a follower, then the leader) keeps the
 *     cluster committing;
 *   - leadership transfer (thesis §3.10) to a chosen node;
 *   - a run recorded through the Lab service holds every run file, each parseable.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterOptions } from '../../src/contract/clusterOptions';
import type { RunEvent, Summary } from '../../src/contract/runEvents';
import { Lab, RUN_FILES } from '../../src/lab/lab';
import type { NodeId } from '../../src/raft/types';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { nodeScript } from './helpers/nodeBuild';
import { pidAlive, waitForPidsGone } from './helpers/processes';
import { TestCluster, type EventOf } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

/** The 'process' states a node went through, in order. */
function processStates(tc: TestCluster, node: NodeId, from = 0): string[] {
  return tc.eventsOf('process', node, from).map((e) => e.state);
}

/** Every pid any 'process' event named (every incarnation of every node). */
function allPids(events: readonly RunEvent[]): number[] {
  const pids = new Set<number>();
  for (const e of events) if (e.type === 'process' && typeof e.pid === 'number') pids.add(e.pid);
  return [...pids];
}

function client(tc: TestCluster, id: string): TestKvClient {
  const c = new TestKvClient(kvTargetOf(tc), { clientId: id });
  onCleanup(() => c.close());
  return c;
}

/** Writes `n` keys through `c`, each acknowledged; returns the highest log index. */
async function writeKeys(c: TestKvClient, prefix: string, n: number): Promise<number> {
  let index = 0;
  for (let i = 0; i < n; i++) {
    const r = await c.put(`${prefix}${i}`, `${prefix}-v${i}`, { timeoutMs: 15_000 });
    if (r.status !== 'ok') throw new Error(`put ${prefix}${i}: ${JSON.stringify(r)}`);
    index = Math.max(index, r.index);
  }
  return index;
}

/** A node other than `not`, among the live ones. */
function another(tc: TestCluster, ...not: NodeId[]): NodeId {
  const id = tc.liveIds().find((n) => !not.includes(n));
  if (id === undefined) throw new Error(`no live node besides ${not.join(', ')}: ${tc.describe()}`);
  return id;
}

describe('process supervision', () => {
  it('reports every process state as a process event, and teardown leaves no process behind', async () => {
    const tc = await TestCluster.start({ label: 'lab-states', options: { nodes: 3, fsync: 'never' } });
    const c = tc.cluster;
    for (const id of tc.ids()) expect(processStates(tc, id)).toEqual(['starting', 'started']);
    const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const [a, b] = tc.ids().filter((id) => id !== leader);

    c.pause(a);
    expect(tc.view(a).process).toBe('paused');
    c.resume(a);
    expect(processStates(tc, a).slice(-2)).toEqual(['paused', 'resumed']);

    const killedPid = tc.view(b).pid!;
    await c.kill(b);
    const killed = tc.eventsOf('process', b).at(-1)!;
    expect(killed).toMatchObject({ state: 'killed', signal: 'SIGKILL' });
    expect(pidAlive(killedPid)).toBe(false);
    expect(c.isAlive(b)).toBe(false);
    await c.restart(b);
    expect(processStates(tc, b).slice(-3)).toEqual(['killed', 'starting', 'restarted']);
    expect(tc.view(b).pid).not.toBe(killedPid);

    // A graceful stop (the node is asked through its control socket), then a restart.
    await c.stopNode(a);
    expect(tc.eventsOf('process', a).at(-1)).toMatchObject({ state: 'stopped' });
    await c.restart(a);
    expect(processStates(tc, a).slice(-3)).toEqual(['stopped', 'starting', 'restarted']);

    // The cluster still works with the restarted nodes.
    await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const index = await writeKeys(client(tc, 'lab-states'), 's', 5);
    await tc.waitForApplied(index, { timeoutMs: 15_000 });

    // Teardown with one node paused (SIGSTOPped processes ignore everything but SIGKILL
    // and SIGCONT): every process of every incarnation must be gone.
    c.pause(b);
    const pids = allPids(tc.events);
    expect(pids.length).toBeGreaterThanOrEqual(5);
    await tc.stop();
    await waitForPidsGone(pids, { timeoutMs: 5000, what: 'every node process to be gone after teardown' });
    for (const id of tc.ids()) expect(['killed', 'stopped']).toContain(tc.view(id).process);
  });

  it('reports a node killed from outside the lab as crashed, and the cluster carries on', async () => {
    const tc = await TestCluster.start({ label: 'lab-crash', options: { nodes: 3, fsync: 'always' } });
    const c = tc.cluster;
    const writer = client(tc, 'lab-crash');
    const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    await writeKeys(writer, 'a', 3);

    // The leader dies without the lab's doing: an outside SIGKILL.
    const pid = tc.view(leader).pid!;
    process.kill(pid, 'SIGKILL');
    const crashed = await waitFor(() => tc.eventsOf('process', leader).find((e) => e.state === 'crashed'), {
      timeoutMs: 10_000,
      what: `a crashed event for node ${leader}`,
      describe: () => processStates(tc, leader).join(','),
    });
    expect(crashed).toMatchObject({ state: 'crashed', signal: 'SIGKILL' });
    expect(c.isAlive(leader)).toBe(false);
    expect(tc.view(leader).process).toBe('crashed');

    // The other two elect a leader and keep committing.
    const survivors = tc.ids().filter((id) => id !== leader);
    const next = await tc.waitForAgreedLeader({ timeoutMs: 15_000, among: () => survivors });
    expect(next.leader).not.toBe(leader);
    const index = await writeKeys(writer, 'b', 3);

    // The lab can bring the crashed node back; it catches up.
    await c.restart(leader);
    expect(processStates(tc, leader).slice(-3)).toEqual(['crashed', 'starting', 'restarted']);
    await tc.waitForApplied(index, { timeoutMs: 15_000, nodes: [leader] });
    expect(tc.violations()).toEqual([]);
  });
});

describe('cluster changes', () => {
  it('adds a node that applies the same entries, then removes a follower and the leader while committing', async () => {
    const tc = await TestCluster.start({ label: 'lab-membership', options: { nodes: 3, fsync: 'never' } });
    const c = tc.cluster;
    const writer = client(tc, 'lab-membership');
    await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    await writeKeys(writer, 'pre', 10);

    const added = await c.addNode();
    expect(added).toBe(4);
    expect(tc.ids()).toEqual([1, 2, 3, 4]);
    // Added as a learner first, then promoted once caught up (thesis §4.2.1; lab.learner.test.ts).
    expect(tc.eventsOf('membership').slice(-2)).toMatchObject([
      { action: 'add', target: 4, voters: [1, 2, 3], learners: [4] },
      { action: 'promote', target: 4, voters: [1, 2, 3, 4] },
    ]);
    const afterAdd = await writeKeys(writer, 'add', 10);
    await tc.waitForApplied(afterAdd, { timeoutMs: 15_000 });
    // Every node, the new one included, applied the same entry at every index (§5.4.3).
    await waitFor(() => tc.ids().every((id) => tc.view(id).voter), { timeoutMs: 10_000, what: 'node 4 to be a voter', describe: () => tc.describe() });
    const reference = tc.appliedLog(tc.cluster.leader() ?? 1);
    for (const id of tc.ids()) {
      const log = tc.appliedLog(id);
      for (let i = 1; i <= afterAdd; i++) expect(log.get(i), `node ${id} index ${i}`).toEqual(reference.get(i));
    }

    // Remove a follower: the other three keep committing, and its process is gone.
    const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const follower = another(tc, leader, 4);
    const followerPid = tc.view(follower).pid!;
    await c.removeNode(follower);
    expect(tc.ids()).not.toContain(follower);
    expect(pidAlive(followerPid)).toBe(false);
    expect(tc.eventsOf('membership').at(-1)).toMatchObject({ action: 'remove', target: follower });
    const afterRemove = await writeKeys(writer, 'rm', 5);
    await tc.waitForApplied(afterRemove, { timeoutMs: 15_000 });

    // Remove the leader itself: it steps down once the change commits (§6), the other
    // two elect a new leader and keep committing.
    const oldLeader = (await tc.waitForAgreedLeader({ timeoutMs: 15_000 })).leader;
    await c.removeNode(oldLeader);
    expect(tc.ids()).toHaveLength(2);
    const newLeader = (await tc.waitForAgreedLeader({ timeoutMs: 15_000 })).leader;
    expect(newLeader).not.toBe(oldLeader);
    const afterLeaderRemoved = await writeKeys(writer, 'rl', 5);
    await tc.waitForApplied(afterLeaderRemoved, { timeoutMs: 15_000 });
    expect(tc.violations()).toEqual([]);
    expect(tc.electionSafetyBreaches()).toEqual([]);
  });

  it('gives a node paused during a fault the rules in force when it resumes (healed while paused: it rejoins)', async () => {
    const tc = await TestCluster.start({ label: 'lab-pause-heal', options: { nodes: 3, fsync: 'never' } });
    const c = tc.cluster;
    const writer = client(tc, 'lab-pause-heal');
    const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const node = another(tc, leader);
    await c.partition({ preset: 'isolate-node', node });
    c.pause(node);
    // Healed while the node is stopped: it cannot be told now, so it must be told on resume.
    await c.heal();
    c.resume(node);
    const index = await writeKeys(writer, 'ph', 3);
    await tc.waitForApplied(index, { timeoutMs: 15_000, nodes: [node] });
    expect(tc.violations()).toEqual([]);
  });

  it('transfers leadership to a chosen node', async () => {
    const tc = await TestCluster.start({ label: 'lab-transfer', options: { nodes: 3, fsync: 'never' } });
    const c = tc.cluster;
    const { leader, term } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const target = another(tc, leader);
    await c.transferLeader(target);
    const after = await waitFor(() => {
      const l = tc.agreedLeader(tc.liveIds());
      return l && l.leader === target ? l : null;
    }, { timeoutMs: 10_000, what: `node ${target} to lead`, describe: () => tc.describe() });
    expect(after.term).toBeGreaterThan(term);
    // Transfer to the node that already leads is a no-op; to an unknown node, an error.
    await c.transferLeader(target);
    expect(c.leader()).toBe(target);
    await expect(c.transferLeader(99)).rejects.toThrow(/no node 99/);
    // The new leader commits.
    await writeKeys(client(tc, 'lab-transfer'), 't', 3);
  });
});

describe('recording through the Lab service', () => {
  it('leaves every run file, each parseable, and node logs', async () => {
    const { lab, runsDir, done } = await labWithRuns('raftlab-it-labruns-');
    const state = await lab.handle('cluster:start', {
      options: threeNodes(runsDir, 11, { clients: 2, rate: 50, mix: { get: 1, put: 1, cas: 1, append: 1 }, keys: 4, timeoutMs: 1000 }),
    });
    expect(state.phase).toBe('running');
    const cluster = lab.current!;
    await waitFor(() => cluster.opsOk() >= 20, { timeoutMs: 20_000, what: '20 acknowledged workload ops' });
    await lab.handle('fault:partition', { preset: 'isolate-leader' });
    await lab.handle('fault:heal', {});
    await waitFor(() => cluster.leader() !== null && cluster.opsOk() >= 40, { timeoutMs: 20_000, what: 'a leader and 40 ops after healing' });
    // Switching the workload off shows in the lab state (the renderer's form follows it).
    const switchedOff = await lab.handle('workload:set', { workload: { ...state.options!.workload, clients: 0 } });
    expect(switchedOff.workload?.clients).toBe(0);
    const { summary, runDir } = await lab.handle('cluster:stop', {});
    expect(lab.state().phase).toBe('idle');
    expect(runDir).not.toBeNull();
    const dir = runDir!;

    for (const f of RUN_FILES) expect(existsSync(join(dir, f)), f).toBe(true);
    const events = jsonLines(join(dir, 'events.jsonl')) as RunEvent[];
    expect(events.length).toBeGreaterThan(10);
    for (const e of events) {
      expect(typeof e.t, JSON.stringify(e)).toBe('number');
      expect(e.node === null || typeof e.node === 'number', JSON.stringify(e)).toBe(true);
      expect(typeof e.type, JSON.stringify(e)).toBe('string');
    }
    expect(events[0]).toMatchObject({ type: 'run', phase: 'started' });
    expect(events.some((e) => e.type === 'run' && (e as EventOf<'run'>).phase === 'stopped')).toBe(true);
    expect(events.filter((e) => e.type === 'fault').length).toBe(2);
    const history = jsonLines(join(dir, 'history.jsonl')) as Array<Record<string, unknown>>;
    expect(history.length).toBeGreaterThanOrEqual(40);
    for (const op of history) expect(op).toMatchObject({ client: expect.any(Number), op: expect.any(String), key: expect.any(String), status: expect.stringMatching(/^(ok|fail|info)$/) });

    const csv = readFileSync(join(dir, 'metrics.csv'), 'utf8').trimEnd().split('\n');
    const columns = csv[0].split(',');
    expect(columns.slice(0, 2)).toEqual(['t', 'node']);
    expect(csv.length).toBeGreaterThan(3);
    for (const row of csv.slice(1)) expect(row.split(',')).toHaveLength(columns.length);

    const edn = readFileSync(join(dir, 'history.edn'), 'utf8').trimEnd().split('\n');
    // An :invoke and a completion line per operation.
    expect(edn).toHaveLength(history.length * 2);
    for (const line of edn) expect(line).toMatch(/^\{:type :(invoke|ok|fail|info), :f :\w+, :value .*, :index \d+(, .*)?\}$/);

    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as { traceEvents: unknown[] };
    expect(trace.traceEvents.length).toBeGreaterThan(10);
    const recorded = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
    expect(recorded).toMatchObject({ nodes: 3, violations: [], linearizable: true });
    expect(summary).toMatchObject({ runId: recorded.runId, ops: recorded.ops });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('</html>');
    for (const id of [1, 2, 3]) {
      const log = join(dir, 'logs', `node-${id}.log`);
      expect(existsSync(log), log).toBe(true);
      expect(statSync(log).size).toBeGreaterThan(0);
    }

    // The run is listed, its files can be read and exported again.
    const { runs } = await lab.handle('run:list', {});
    expect(runs.map((r) => r.runDir)).toContain(dir);
    const file = await lab.handle('run:file', { runDir: dir, name: 'summary.json' });
    expect(JSON.parse(file.text)).toEqual(recorded);
    const exported = await lab.handle('run:export', { runDir: dir });
    expect(exported.files.map((f) => f.name).sort()).toEqual([...RUN_FILES].sort());
    done();
  });
});

describe('one fault controller: every door records its faults alike', () => {
  it('a kill clicked in the UI (node:kill) is a fault in the run, like fault:apply and a scenario kill', async () => {
    const { lab, runsDir, done } = await labWithRuns('raftlab-it-uikill-');
    await lab.handle('cluster:start', { options: threeNodes(runsDir, 12, { clients: 0, rate: 0, mix: { get: 1, put: 1, cas: 0, append: 0 }, keys: 4, timeoutMs: 1000 }) });
    const cluster = lab.current!;
    const leader = await waitFor(() => cluster.leader(), { timeoutMs: 15_000, what: 'a leader' });
    const follower = cluster.nodes().map((n) => n.id).find((id) => id !== leader)!;
    // The UI's doors: node:kill, node:restart, node:pause, node:resume.
    await lab.handle('node:kill', { node: follower });
    await lab.handle('node:restart', { node: follower });
    await lab.handle('node:pause', { node: follower });
    await lab.handle('node:resume', { node: follower });
    // The fault-panel door, for comparison.
    await lab.handle('fault:apply', { fault: { kind: 'kill', node: follower } });
    const { summary, runDir } = await lab.handle('cluster:stop', {});
    const faults = (jsonLines(join(runDir!, 'events.jsonl')) as RunEvent[]).filter((e): e is EventOf<'fault'> => e.type === 'fault');
    expect(faults.map((f) => [f.action, f.fault.kind, f.nodes])).toEqual([
      ['apply', 'kill', [follower]],
      ['heal', 'restart', [follower]],
      ['apply', 'pause', [follower]],
      ['heal', 'resume', [follower]],
      ['apply', 'kill', [follower]],
    ]);
    // The UI kill and the fault-panel kill are the same event, and both count in the summary.
    const [uiKill, panelKill] = faults.filter((f) => f.fault.kind === 'kill');
    expect({ ...uiKill, t: 0 }).toEqual({ ...panelKill, t: 0 });
    expect(summary?.faults).toBe(3);
    done();
  });
});

/**
 * A Lab over a fresh runs directory, shut down when the test ends. The runs stay on disk
 * (and their place is printed) unless the test reaches done(): a failure leaves its evidence.
 */
async function labWithRuns(prefix: string): Promise<{ lab: Lab; runsDir: string; done: () => void }> {
  const runsDir = mkdtempSync(join(tmpdir(), prefix));
  const lab = Lab.create({ runsDir, nodeScript: await nodeScript() });
  let keep = true;
  onCleanup(async () => {
    await lab.shutdown();
    if (keep) console.error(`[integration] kept lab runs in ${runsDir}`);
    else rmSync(runsDir, { recursive: true, force: true });
  });
  return { lab, runsDir, done: () => (keep = false) };
}

/** The Lab tests' cluster: 3 nodes, fast timings, PreVote and CheckQuorum, no fsync, data under the runs directory. */
function threeNodes(runsDir: string, seed: number, workload: ClusterOptions['workload']): ClusterOptions {
  return {
    nodes: 3,
    electionTimeoutMinMs: 150,
    electionTimeoutMaxMs: 300,
    heartbeatMs: 50,
    preVote: true,
    checkQuorum: true,
    fsync: 'never',
    transport: 'tcp',
    seed,
    dataDir: join(runsDir, 'data'),
    snapshotThreshold: 10_000,
    workload,
  };
}

function jsonLines(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (err) {
        throw new Error(`${path}:${i + 1} is not JSON: ${(err as Error).message}`);
      }
    });
}
