/**
 * The node fleet: the processes of one cluster, their addresses, configs and data
 * directories, the lab's sockets to them, and the wait for each node's 'ready'. It carries
 * out process actions and nothing else: deciding that an action is a fault, and recording
 * it, is the fault controller's job (faultController.ts).
 */
import { rmSync } from 'node:fs';
import type { NodeId } from '../../raft/types';
import type { ClusterOptions } from '../../contract/clusterOptions';
import type { ClientResponse } from '../../contract/client';
import type { ControlCommand, ControlReply } from '../../contract/control';
import type { NodeProcessConfig } from '../../contract/nodeConfig';
import type { TelemetryBatch } from '../../contract/telemetry';
import { AddressAllocator } from '../addresses';
import { ClusterError } from '../clusterError';
import { LabSockets } from '../sockets/labSockets';
import type { ClusterKeys } from '../keys';
import { Supervisor, type ProcessEvent } from '../supervisor';
import { makeOwnedTempDir } from '../leftovers';
import type { NodeLauncher } from '../nodeLauncher';
import { nodeProcessConfig, type NodeAddresses } from './nodeProcessConfig';
import { ReadyWaiters } from './readyWaiters';

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
  /** How node processes are started; defaults to this machine (nodeLauncher.ts). */
  launcher?: NodeLauncher;
  onTelemetry: (batch: TelemetryBatch) => void;
  onClientResponse: (node: NodeId, res: ClientResponse) => void;
}

const CONTROL_TIMEOUT_MS = 3000;
/** How long a node gets to stop on request before it is killed. */
export const STOP_GRACE_MS = 1500;

export class NodeFleet {
  private supervisor!: Supervisor;
  private sockets!: LabSockets;
  private readonly addresses = new Map<NodeId, NodeAddresses>();
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

  constructor(
    private readonly options: ClusterOptions,
    private readonly deps: FleetDeps,
  ) {
    this.allocator = new AddressAllocator(options.transport);
    this.speed = options.speed ?? 1;
  }

  /** Opens the lab's sockets and the data directory; no node runs yet. */
  async open(): Promise<void> {
    this.ownsDataDir = !this.options.dataDir;
    // Ours, marked with this lab, so the next start removes it if the lab dies first (leftovers.ts).
    this.dataDir = this.options.dataDir || makeOwnedTempDir('raftlab-data-');
    this.sockets = await LabSockets.open({
      curve: this.deps.curve,
      clusterId: this.deps.clusterId,
      controlAddress: await this.allocator.next('control'),
      telemetryAddress: await this.allocator.next('telemetry'),
      onTelemetry: this.deps.onTelemetry,
      onClientResponse: this.deps.onClientResponse,
    });
    this.supervisor = new Supervisor({
      runDir: this.deps.runDir,
      nodeScript: this.deps.nodeScript,
      execPath: this.deps.execPath,
      env: this.deps.env,
      onProcessEvent: this.deps.onProcessEvent,
      onWriteError: this.deps.onWriteError,
      launcher: this.deps.launcher,
    });
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

  /** Picks a node's peer and client addresses (before it, or anyone told of it, starts). */
  async allocate(id: NodeId): Promise<NodeAddresses> {
    const a = { peerAddress: await this.allocator.next(`peer${id}`), clientAddress: await this.allocator.next(`client${id}`) };
    this.addresses.set(id, a);
    return a;
  }

  forget(id: NodeId): void {
    this.sockets.disconnectClient(id);
    this.addresses.delete(id);
  }

  private nodeConfig(id: NodeId, initialVoters: NodeId[]): NodeProcessConfig {
    const inputs = { options: this.options, clusterId: this.deps.clusterId, dataDir: this.dataDir, runDir: this.deps.runDir, addresses: this.addresses, sockets: this.sockets, speed: () => this.speed };
    return nodeProcessConfig(inputs, id, initialVoters);
  }

  /** Starts a node process (fresh, or a restart from its data directory). */
  spawn(id: NodeId, initialVoters: NodeId[], restart: boolean): void {
    const existing = this.supervisor.config(id);
    // A restart reuses the node's config: same data directory, same bootstrap voters
    // (ignored by the node once its storage holds state).
    const cfg = existing && restart ? { ...existing, peers: this.nodeConfig(id, initialVoters).peers } : this.nodeConfig(id, initialVoters);
    this.sockets.connectClient(id, cfg.clientAddress);
    if (restart) this.restarting.add(id);
    this.supervisor.start(cfg, restart);
  }

  waitReady(id: NodeId, timeoutMs = this.deps.readyTimeoutMs ?? 15_000): Promise<void> {
    return this.ready.wait(id, timeoutMs);
  }

  /** The node said 'ready': mark its process so and release whoever waits for it. */
  markReady(id: NodeId): void {
    this.supervisor.markReady(id, this.restarting.delete(id));
    this.ready.settle(id);
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

  resume(id: NodeId): void {
    this.supervisor.resume(id);
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
  }

  /** Closes the sockets and frees the addresses; removes a temporary data directory. */
  async close(): Promise<void> {
    await this.sockets?.close();
    this.allocator.dispose();
    if (this.ownsDataDir && this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
