/**
 * The node fleet: the processes of one cluster, their addresses, configs and data
 * directories, the lab's sockets to them, and the wait for each node's 'ready'. It carries
 * out process actions and nothing else: deciding that an action is a fault, and recording
 * it, is the fault controller's job (faultController.ts).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeId } from '../../raft/types';
import type { ClusterOptions } from '../../contract/clusterOptions';
import type { ClientResponse } from '../../contract/client';
import type { ControlCommand, ControlReply } from '../../contract/control';
import type { NodeProcessConfig } from '../../contract/nodeConfig';
import type { TelemetryBatch } from '../../contract/telemetry';
import { AddressAllocator, tcpWildcard } from '../addresses';
import { HostsLauncher, type HostsLauncherOptions } from '../hosts/hostsLauncher';
import { hasRemoteHosts } from '../hosts/placement';
import { ClusterError } from '../clusterError';
import { LabSockets } from '../sockets/labSockets';
import type { ClusterKeys } from '../keys';
import { Supervisor, type ProcessEvent } from '../supervisor';
import { makeOwnedTempDir } from '../leftovers';
import type { NodeLauncher } from '../nodeLauncher';
import { nodeProcessConfig, type NodeAddresses } from './nodeProcessConfig';
import { ReadyWaiters } from './readyWaiters';
import { PeerDirectory, type PeerUpdate } from './peerDirectory';
import type { ClockEstimate } from '../../analysis/clockOffset';
import { CLOCK_REESTIMATE_MS, sampleClock } from '../hosts/clockSampler';

/** What a node's 'ready' telemetry says about where it is (src/contract/telemetry.ts). */
export interface ReadyReport {
  pid: number;
  peerAddress: string;
  clientAddress: string;
}

export interface FleetDeps {
  runDir: string;
  clusterId: string;
  nodeScript: string;
  execPath: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** CURVE on every socket (default true). Internal: the node benchmark turns it off to measure its cost. */
  curve?: boolean;
  onProcessEvent: (ev: ProcessEvent) => void;
  /** A node's log could not be written (a full or failing disk). */
  onWriteError?: (node: NodeId, err: Error) => void;
  /** How node processes are started on this machine; defaults to nodeLauncher.ts's LocalLauncher. */
  launcher?: NodeLauncher;
  /** How remote hosts are reached (the `hosts` option; docs/multi-host.md). */
  hosts?: HostsLauncherOptions;
  onTelemetry: (batch: TelemetryBatch) => void;
  onClientResponse: (node: NodeId, res: ClientResponse) => void;
  /** Something about a node the run should show but that stops nothing (a peer not told yet). */
  onWarning?: (node: NodeId, message: string) => void;
  /** A remote node's clock offset was estimated, or could not be (src/lab/hosts/clockSampler.ts). */
  onClock?: (node: NodeId, host: string, estimate: ClockEstimate | null, why?: string) => void;
}

const CONTROL_TIMEOUT_MS = 3000;
/** How long a node gets to stop on request before it is killed. */
export const STOP_GRACE_MS = 1500;

export class NodeFleet {
  private supervisor!: Supervisor;
  private sockets!: LabSockets;
  /** Each member's bind endpoints (tcp: wildcard ports). */
  private readonly addresses = new Map<NodeId, NodeAddresses>();
  /** Each member's real endpoints and what every node has been told of them. */
  private readonly directory = new PeerDirectory();
  private readonly allocator: AddressAllocator;
  private dataDir = '';
  /** The data directory is a temporary one of ours (no dataDir given): removed on close. */
  private ownsDataDir = false;
  private readonly ready = new ReadyWaiters();
  private readonly restarting = new Set<NodeId>();
  /**
   * The cluster's slow-motion speed now (docs/aimed-faults.md): what a node (re)started gets in
   * its config, and what a resumed one is sent (faultRuleSender.ts). Set by slowMotion.ts.
   */
  speed: number;
  private clockTimer: NodeJS.Timeout | undefined;
  /** Set when some node runs on another host: starts nodes per host and names their addresses. */
  private readonly hostsLauncher: HostsLauncher | null;

  constructor(
    private readonly options: ClusterOptions,
    private readonly deps: FleetDeps,
  ) {
    this.speed = options.speed ?? 1;
    if (hasRemoteHosts(options)) {
      // Nothing leaves loopback unauthenticated (issue 13; src/wire/endpoint.ts).
      if (deps.curve === false) throw new ClusterError('a cluster on remote hosts needs CURVE: it cannot be turned off');
      this.hostsLauncher = new HostsLauncher(options, { ...deps.hosts, local: deps.launcher });
    } else {
      this.hostsLauncher = null;
    }
    // The lab's sockets bind where every host reaches them.
    this.allocator = new AddressAllocator(options.transport, this.hostsLauncher?.labAddress);
  }

  /** The host node `id` runs on ("localhost" for this machine). */
  hostOf(id: NodeId): string {
    return this.hostsLauncher?.hostNameOf(id) ?? 'localhost';
  }

  /** The hosts' launcher when the cluster spans hosts (kernel faults and clocks use its shells). */
  get hosts(): HostsLauncher | null {
    return this.hostsLauncher;
  }

  /** Opens the lab's sockets and the data directory; no node runs yet. */
  async open(): Promise<void> {
    this.ownsDataDir = !this.options.dataDir;
    // Ours, marked with this lab, so the next start removes it if the lab dies first (leftovers.ts).
    this.dataDir = this.options.dataDir || makeOwnedTempDir('raftlab-data-');
    this.sockets = await LabSockets.open({
      curve: this.deps.curve,
      clusterId: this.deps.clusterId,
      // Bound by the lab itself on a wildcard port; the nodes get the real endpoint.
      controlAddress: this.allocator.next('control'),
      telemetryAddress: this.allocator.next('telemetry'),
      onTelemetry: this.deps.onTelemetry,
      onClientResponse: this.deps.onClientResponse,
    });
    await this.hostsLauncher?.prepare(this.deps.nodeScript, this.deps.clusterId).catch((err: Error) => {
      throw new ClusterError(`preparing the hosts: ${err.message}`);
    });
    // A dead lab's bandwidth limits were removed (or could not be): said in the log of a node of that host.
    for (const note of this.hostsLauncher?.tbfCleanupNotes() ?? []) {
      const node = Array.from({ length: this.options.nodes }, (_, i) => i + 1).find((id) => this.hostsLauncher?.remoteHostOf(id)?.index === note.index);
      if (node !== undefined) this.deps.onWarning?.(node, note.message);
    }
    this.supervisor = new Supervisor({
      runDir: this.deps.runDir,
      nodeScript: this.deps.nodeScript,
      execPath: this.deps.execPath,
      env: this.deps.env,
      onProcessEvent: this.deps.onProcessEvent,
      onWriteError: this.deps.onWriteError,
      launcher: this.hostsLauncher ?? this.deps.launcher,
    });
    this.startClockRefresh();
  }

  /** The run's CURVE keys (null when off). */
  get curveKeys(): ClusterKeys | null {
    return this.sockets.keys;
  }

  /** A node's CURVE public key, for telling the others about it (setPeer). */
  publicKeyOf(id: NodeId): string | undefined {
    return this.sockets.publicKeyOf(id);
  }

  get dataDirectory(): string {
    return this.dataDir;
  }

  /** Makes `id` a member with the endpoints it will bind (a wildcard port on tcp). */
  allocate(id: NodeId): NodeAddresses {
    const host = this.hostsLauncher?.bindHostOf(id);
    const a = host
      ? { peerAddress: tcpWildcard(host), clientAddress: tcpWildcard(host) }
      : { peerAddress: this.allocator.next(`peer${id}`), clientAddress: this.allocator.next(`client${id}`) };
    this.addresses.set(id, a);
    return a;
  }

  /** The endpoints `id` reported in its last 'ready' (undefined before). */
  endpointsOf(id: NodeId): NodeAddresses | undefined {
    return this.directory.known(id);
  }

  forget(id: NodeId): void {
    this.sockets.disconnectClient(id);
    this.addresses.delete(id);
    this.directory.forget(id);
  }

  /**
   * `joining`: a node added to a running cluster. The others do not admit its key yet, so its
   * config names no peer endpoints; it learns them by setPeer once they do (markReady).
   */
  private nodeConfig(id: NodeId, initialVoters: NodeId[], joining = false): NodeProcessConfig {
    const inputs = {
      options: this.options,
      clusterId: this.deps.clusterId,
      dataDir: this.dataDir,
      runDir: this.deps.runDir,
      addresses: this.addresses,
      known: (pid: NodeId) => (joining ? undefined : this.directory.known(pid)),
      sockets: this.sockets,
      speed: () => this.speed,
    };
    const config = nodeProcessConfig(inputs, id, initialVoters);
    // A remote node keeps its data and journal on its host (docs/multi-host.md).
    const remote = this.hostsLauncher?.remotePathsOf(id);
    return remote ? { ...config, ...remote } : config;
  }

  /** Starts a node process (fresh, or a restart from its data directory). */
  spawn(id: NodeId, initialVoters: NodeId[], restart: boolean): void {
    const existing = this.supervisor.config(id);
    // A restart reuses the node's config: same data directory, same bootstrap voters
    // (ignored by the node once its storage holds state).
    // A node with no bootstrap voters joins a running cluster (membership.ts add).
    const cfg = existing && restart ? { ...existing, peers: this.nodeConfig(id, initialVoters).peers } : this.nodeConfig(id, initialVoters, initialVoters.length === 0);
    // Its old endpoints die with the old process; the new ones come with 'ready' (markReady).
    this.directory.starting(id, cfg.peers);
    if (restart) this.restarting.add(id);
    this.supervisor.start(cfg, restart);
  }

  waitReady(id: NodeId, timeoutMs = this.deps.readyTimeoutMs ?? 15_000): Promise<void> {
    return this.ready.wait(id, timeoutMs);
  }

  /**
   * The node said 'ready' with the endpoints it bound: record them, connect the workload's
   * client connection, bring it and every reachable peer up to date (setPeer both ways),
   * then release whoever waits for it, so a start or restart resolves only once every
   * reachable peer can reach the node. A peer that cannot be told now (paused, dying) is
   * told when it resumes or restarts; meanwhile it drops what it sends the node (§5.3).
   */
  markReady(id: NodeId, report: ReadyReport): void {
    if (!this.addresses.has(id)) return; // a node the cluster no longer has
    this.directory.learn(id, report);
    this.sockets.connectClient(id, report.clientAddress);
    this.supervisor.markReady(id, this.restarting.delete(id), report.pid);
    // Nodes still starting are brought up to date on their own 'ready' (syncPeers there).
    const others = [...this.addresses.keys()].filter((o) => o !== id && this.isReachable(o) && this.supervisor.state(o) !== 'starting');
    // The others first: setPeer also puts the node's key on their allow-lists, and a CURVE
    // connection refused once is not retried (docs/platform-facts.md#zeromq), so the node
    // must not dial them before (a joiner's config names no endpoints: nodeConfig).
    const peers = Promise.all(others.map((o) => this.tell(this.directory.updatesFor(o, [id])))).then(() => this.syncPeers(id));
    // A remote node's clock is estimated meanwhile: its events wait for it (eventPipeline.ts).
    void Promise.all([peers, this.estimateClock(id)]).then(() => this.ready.settle(id));
  }

  /** True when node `id` runs on another host (its clock is not the lab's). */
  isRemote(id: NodeId): boolean {
    return this.hostsLauncher?.remotePathsOf(id) !== undefined;
  }

  /**
   * Estimates a remote node's clock offset (clockSampler.ts) and hands it to onClock; a
   * local node is left alone (the lab's clock: offset 0, bound 0). Never rejects.
   */
  private async estimateClock(id: NodeId): Promise<void> {
    if (!this.isRemote(id) || !this.deps.onClock) return;
    const host = this.hostOf(id);
    try {
      const estimate = await sampleClock(async () => {
        const reply = await this.control(id, { cmd: 'clock' });
        if (!reply.ok) throw new Error(reply.error);
        const r = reply.result;
        if (!r || !('receivedMs' in r)) throw new Error('the node answered clock without a reading');
        return r;
      });
      this.deps.onClock(id, host, estimate);
    } catch (err) {
      this.deps.onClock(id, host, null, (err as Error).message);
    }
  }

  /** Estimates every reachable remote node's offset again every CLOCK_REESTIMATE_MS (clocks drift). */
  private startClockRefresh(): void {
    if (!this.hostsLauncher?.remote || !this.deps.onClock) return;
    this.clockTimer = setInterval(() => {
      for (const id of this.addresses.keys()) if (this.isRemote(id) && this.isReachable(id) && this.supervisor.state(id) !== 'starting') void this.estimateClock(id);
    }, CLOCK_REESTIMATE_MS);
    this.clockTimer.unref();
  }

  /** Tells `target` every member's endpoints it does not know yet. Never rejects (failures are warnings). */
  syncPeers(target: NodeId): Promise<void> {
    return this.tell(this.directory.updatesFor(target, this.addresses.keys()));
  }

  private async tell(updates: PeerUpdate[]): Promise<void> {
    await Promise.all(
      updates.map(async (u) => {
        const { peerAddress, clientAddress } = u.endpoints;
        try {
          await this.control(u.target, { cmd: 'setPeer', id: u.peer, address: peerAddress, clientAddress, publicKey: this.publicKeyOf(u.peer) });
          this.directory.acknowledged(u);
        } catch (err) {
          // Not recorded as told: the next sync (resume, restart, another ready) tries again.
          this.deps.onWarning?.(u.target, `could not tell it node ${u.peer}'s endpoints (${peerAddress}): ${(err as Error).message}`);
        }
      }),
    );
  }

  /** The node's process ended: a start still waiting for 'ready' fails at once. */
  exitedBeforeReady(ev: ProcessEvent): void {
    const how = ev.code !== undefined && ev.code !== null ? `exit code ${ev.code}` : `signal ${ev.signal ?? 'unknown'}`;
    this.ready.settle(ev.node, new ClusterError(`node ${ev.node} exited (${how}) before it was ready (see logs/node-${ev.node}.log)`));
  }

  async control(node: NodeId, command: ControlCommand, timeoutMs = CONTROL_TIMEOUT_MS): Promise<ControlReply> {
    const reply = await this.sockets.request(node, command, timeoutMs);
    if (!reply.ok) throw new ClusterError(`node ${node} refused ${command.cmd}: ${reply.error}`);
    return reply;
  }

  sendClient: LabSockets['sendClient'] = (node, requests) => this.sockets.sendClient(node, requests);

  isAlive(id: NodeId): boolean {
    return this.supervisor.isAlive(id);
  }

  /** Alive and not paused: the nodes that can take a command now. */
  isReachable(id: NodeId): boolean {
    return this.supervisor.isAlive(id) && this.supervisor.state(id) !== 'paused';
  }

  kill(id: NodeId): Promise<void> {
    return this.supervisor.kill(id);
  }

  /** Asks the node to stop (its client service answers what is pending), killing it after the grace period. */
  stop(id: NodeId, graceMs?: number): Promise<void> {
    return this.supervisor.stop(id, () => this.sockets.request(id, { cmd: 'stop' }, graceMs ?? CONTROL_TIMEOUT_MS), graceMs);
  }

  pause(id: NodeId): void {
    this.supervisor.pause(id);
  }

  /** SIGCONT; then tells the node what changed while it was stopped (a peer restarted on a new port). */
  resume(id: NodeId): void {
    this.supervisor.resume(id);
    void this.syncPeers(id);
  }

  /** Crash recovery: kill if running, then start again from the same data directory. */
  async restart(id: NodeId, voters: NodeId[]): Promise<void> {
    if (this.supervisor.isAlive(id)) await this.supervisor.kill(id);
    this.spawn(id, voters, true);
    await this.waitReady(id);
  }

  /**
   * Stops every node gracefully (recorded as 'stopped', not as crashes; anything that does
   * not exit within the grace period is killed) and reaps what is left.
   */
  async stopAll(onError: (id: NodeId, err: Error) => void): Promise<void> {
    if (!this.supervisor) return;
    const alive = this.supervisor.ids().filter((id) => this.supervisor.isAlive(id));
    await Promise.all(alive.map((id) => this.stop(id, STOP_GRACE_MS).catch((err: Error) => onError(id, err))));
    await this.supervisor.teardown();
    // Remote nodes journaled on their hosts: bring the journals into the run folder.
    if (this.hostsLauncher && (this.options.recording ?? 'full') !== 'off') {
      const failed = await this.hostsLauncher.collectJournals(this.supervisor.ids(), (id) => join(this.deps.runDir, 'journal', `node-${id}`));
      for (const f of failed) this.deps.onWarning?.(f.node, `its journal stays on its host: ${f.message}`);
    }
  }

  /** Closes the sockets and frees the addresses; removes a temporary data directory. */
  async close(): Promise<void> {
    clearInterval(this.clockTimer);
    await this.sockets?.close();
    this.allocator.dispose();
    // A remote node's data is of this run only (its folder is named by the run id, which no
    // later run reuses) and its journal was copied back (stopAll): the folder on the host goes.
    await this.hostsLauncher?.close(true);
    if (this.ownsDataDir && this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
