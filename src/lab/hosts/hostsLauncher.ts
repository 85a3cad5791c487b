/**
 * The launcher of a cluster whose nodes may run on several hosts (the `hosts` option;
 * docs/multi-host.md): one NodeLauncher (src/lab/nodeLauncher.ts) that starts each node on
 * its placed host, this machine's through the local launcher, a remote one's over ssh
 * (remoteHost.ts). It also tells the fleet what differs per host: the address a node binds
 * and where its data and journal live.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import type { ClusterOptions } from '../../contract/clusterOptions';
import type { NodeId } from '../../raft/types';
import { LocalLauncher, type LaunchSpec, type NodeLauncher } from '../nodeLauncher';
import type { BandwidthSpec } from './bandwidthLimit';
import { kernelCut, nftScript, type KernelCut } from './kernelPartition';
import { packNodeBundle } from './nodeBundle';
import { hostIndexOf, placesOf, type HostPlace } from './placement';
import { RemoteHost, type HostCommands, type RemoteHostOptions } from './remoteHost';

export interface HostsLauncherOptions {
  /** An ssh config file for every host (`ssh -F`); tests pass the netns harness's. */
  sshConfigFile?: string;
  connectTimeoutS?: number;
  /** This machine's launcher (default LocalLauncher). */
  local?: NodeLauncher;
}

/** The source address of this machine's route to `address` (`ip -4 route get`), or null. */
export function routeSourceTo(address: string): string | null {
  const r = spawnSync('ip', ['-4', 'route', 'get', address], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return /\bsrc (\d{1,3}(?:\.\d{1,3}){3})\b/.exec(r.stdout)?.[1] ?? null;
}

export class HostsLauncher implements NodeLauncher {
  private readonly places: HostPlace[];
  private readonly remotes = new Map<number, RemoteHost>();
  /** The devices each remote host (by index) has a raftlab bandwidth limit on (bandwidthLimit.ts). */
  private readonly limited = new Map<number, string[]>();
  private readonly local: NodeLauncher;
  /** This machine's node bundle, set by prepare(): remote launches name the host's copy instead. */
  private nodeScript = '';
  /** The address the lab's sockets and this machine's nodes bind (the hosts must reach it). */
  readonly labAddress: string;

  constructor(
    private readonly options: Pick<ClusterOptions, 'hosts' | 'placement' | 'labAddress' | 'partitions'>,
    launcherOptions: HostsLauncherOptions = {},
  ) {
    this.places = placesOf(options);
    this.local = launcherOptions.local ?? new LocalLauncher();
    this.places.forEach((place, i) => {
      if (place.kind !== 'ssh') return;
      const remote: RemoteHostOptions = { name: place.name, destination: place.destination, address: place.address, configFile: launcherOptions.sshConfigFile, connectTimeoutS: launcherOptions.connectTimeoutS };
      this.remotes.set(i, new RemoteHost(remote));
    });
    const firstRemote = this.places.find((p) => p.kind === 'ssh');
    const lab = options.labAddress ?? (firstRemote?.kind === 'ssh' ? routeSourceTo(firstRemote.address) : '127.0.0.1');
    if (!lab) throw new Error(`labAddress: no route from this machine to ${firstRemote?.kind === 'ssh' ? firstRemote.address : '?'}; set labAddress to this machine's address on the hosts' network`);
    this.labAddress = lab;
  }

  get remote(): boolean {
    return this.remotes.size > 0;
  }

  get deathGuard(): string {
    return this.remote
      ? `local nodes: ${this.local.deathGuard}; remote nodes: stdin over ssh, setpriv --pdeathsig KILL on both ends where available`
      : this.local.deathGuard;
  }

  private remoteOf(node: NodeId): RemoteHost | undefined {
    return this.remotes.get(hostIndexOf(this.options, node));
  }

  /** The name of node `node`'s host ("localhost" for this machine). */
  hostNameOf(node: NodeId): string {
    return this.remoteOf(node)?.name ?? 'localhost';
  }

  /** The address node `node` binds: its host's, or the lab's when it runs here. */
  bindHostOf(node: NodeId): string {
    const place = this.places[hostIndexOf(this.options, node)];
    return place?.kind === 'ssh' ? place.address : this.labAddress;
  }

  /** Where a remote node keeps data and journal on its host; undefined for a local node. */
  remotePathsOf(node: NodeId): { dataDir: string; journalDir: string } | undefined {
    const r = this.remoteOf(node);
    return r ? { dataDir: r.dataDirOf(node), journalDir: r.journalDirOf(node) } : undefined;
  }

  /** Prepares every remote host in parallel (Node checked, bundle copied once, run folder made). */
  async prepare(nodeScript: string, clusterId: string): Promise<void> {
    this.nodeScript = nodeScript;
    if (!this.remote) return;
    const bundle = packNodeBundle(nodeScript);
    await Promise.all([...this.remotes.values()].map((r) => r.prepare(bundle, clusterId)));
    // A dead lab's rules, also where nft needs sudo (the probe removes them only as root).
    if (this.kernelPartitions) await this.clearKernelRules();
  }

  /** True when partitions between hosts are nft rules on them (the `partitions` option). */
  get kernelPartitions(): boolean {
    return this.options.partitions === 'nft' && this.remote;
  }

  /**
   * Makes the host-wide part of the partition `blocked` with nft on every remote host (each
   * host's table replaced, so what the last partition added goes), and says which pairs are
   * left to the in-node filter. `commands` are what ran, for the fault event.
   */
  async applyKernelCut(blocked: ReadonlyArray<readonly [NodeId, NodeId]>, nodes: readonly NodeId[]): Promise<KernelCut & { commands: Array<{ host: string; command: string; script: string }> }> {
    const hostOf = (n: NodeId) => {
      const i = hostIndexOf(this.options, n);
      const place = this.places[i];
      return place?.kind === 'ssh' ? { host: i, address: place.address } : null;
    };
    const cut = kernelCut(blocked, nodes, hostOf, [...this.remotes.keys()], this.labAddress);
    const commands = await Promise.all([...cut.drops].map(([i, sources]) => this.remotes.get(i)!.nft(nftScript(sources))));
    return { ...cut, commands };
  }

  /** Removes the nft table from every remote host. */
  async clearKernelRules(): Promise<Array<{ host: string; command: string; script: string }>> {
    return Promise.all([...this.remotes.values()].map((r) => r.nft(nftScript([]))));
  }

  /** What preparing the hosts did about dead labs' bandwidth limits, per host ("ssh h2: removed tbf on eth0"). */
  tbfCleanupNotes(): Array<{ index: number; message: string }> {
    return [...this.remotes].flatMap(([index, r]) => r.tbfCleanup.map((line) => ({ index, message: `ssh ${r.name}: ${line}, left by a lab that died` })));
  }

  /** The remote host node `node` runs on, or null when it runs on this machine. */
  remoteHostOf(node: NodeId): { index: number; name: string } | null {
    const index = hostIndexOf(this.options, node);
    const r = this.remotes.get(index);
    return r ? { index, name: r.name } : null;
  }

  /**
   * Limits the outgoing bandwidth of node `node`'s host with tc tbf (bandwidthLimit.ts) on the
   * devices it reaches the other hosts and the lab through; a new limit on a host replaces its
   * last one. Throws for a node on this machine (the caller says why first).
   */
  async limitBandwidth(node: NodeId, spec: BandwidthSpec): Promise<{ host: string; devices: string[]; commands: HostCommands[] }> {
    const index = hostIndexOf(this.options, node);
    const r = this.remotes.get(index);
    const place = this.places[index];
    if (!r || place?.kind !== 'ssh') throw new Error(`node ${node} runs on this machine, not on a remote host`);
    const peers = [...new Set([...this.places.flatMap((p) => (p.kind === 'ssh' ? [p.address] : [])), this.labAddress])].filter((a) => a !== place.address);
    if (peers.length === 0) throw new Error(`${r.name} has no peer on another address to limit the bandwidth to`);
    const devices = await r.routeDevices(peers);
    const before = this.limited.get(index) ?? [];
    // Noted before tc runs: a limit that half took is still removed at the heal or stop
    // (removal touches only recorded devices whose root is a tbf, so an untouched one is left).
    this.limited.set(index, [...new Set([...before, ...devices])]);
    const applied = await r.limitBandwidth(devices, spec);
    // A device the host no longer routes its peers through keeps no stale limit.
    const stale = before.filter((d) => !devices.includes(d));
    const removed = stale.length > 0 ? [await r.removeBandwidth(stale)] : [];
    this.limited.set(index, devices);
    return { host: r.name, devices, commands: [...removed, applied] };
  }

  /** Removes raftlab's bandwidth limits from the host with index `index` (all hosts when absent). */
  async removeBandwidth(index?: number): Promise<HostCommands[]> {
    const targets = [...this.limited].filter(([i]) => index === undefined || i === index);
    return Promise.all(
      targets.map(async ([i, devices]) => {
        const commands = await this.remotes.get(i)!.removeBandwidth(devices);
        this.limited.delete(i);
        return commands;
      }),
    );
  }

  launch(spec: LaunchSpec): ChildProcess {
    const r = this.remoteOf(spec.node);
    return r ? r.launch(spec.node, spec.args, this.nodeScript) : this.local.launch(spec);
  }

  async signal(node: NodeId, child: ChildProcess, signal: NodeJS.Signals, pid: number | undefined): Promise<void> {
    const r = this.remoteOf(node);
    if (!r) {
      if (this.local.signal) await this.local.signal(node, child, signal, pid);
      else child.kill(signal);
      return;
    }
    // Before 'ready' there is no pid on the host: a kill ends the session (the node's stdin ends).
    if (pid === undefined) {
      if (signal !== 'SIGKILL' && signal !== 'SIGTERM') throw new Error(`node ${node} on ${r.name} has not reported its pid yet: cannot send ${signal}`);
      child.kill(signal);
      return;
    }
    await r.signal(pid, signal);
  }

  /** Runs `argv` on node `node`'s host (kernel faults, clock checks); null for a local node. */
  shellOf(node: NodeId): RemoteHost['shell'] | null {
    return this.remoteOf(node)?.shell ?? null;
  }

  /**
   * Copies the journals of the remote nodes among `nodes` into the run folder
   * (`localDirOf(node)`), so the run's record and replay are as for local nodes. Errors are
   * collected per node, not thrown.
   */
  async collectJournals(nodes: NodeId[], localDirOf: (node: NodeId) => string): Promise<Array<{ node: NodeId; message: string }>> {
    const errors: Array<{ node: NodeId; message: string }> = [];
    await Promise.all(
      nodes.map(async (node) => {
        const r = this.remoteOf(node);
        if (!r) return;
        await r.fetchDir(r.journalDirOf(node), localDirOf(node)).catch((err: Error) => errors.push({ node, message: err.message }));
      }),
    );
    return errors;
  }

  /** Ends every host connection; `removeRunDirs` also deletes the run's folders on the hosts. */
  async close(removeRunDirs: boolean): Promise<void> {
    const errors: string[] = [];
    // Rules go at every stop (a partition still in force included), before the connections.
    if (this.kernelPartitions) await this.clearKernelRules().catch((err: Error) => errors.push(err.message));
    await this.removeBandwidth().catch((err: Error) => errors.push(err.message));
    await Promise.all([...this.remotes.values()].map((r) => r.close(removeRunDirs).catch((err: Error) => errors.push(err.message))));
    if (errors.length > 0) throw new Error(`closing hosts: ${errors.join('; ')}`);
  }
}
