/**
 * The one fault controller: every door to a fault (a click in the UI through `node:kill`
 * and friends, a `fault:apply` request, a scenario step, a `--faults` preset) goes through
 * `apply`, which carries the fault out, keeps the rules in force (so a node that starts or
 * resumes gets them) and records one 'fault' run event. So a UI kill, a scenario kill and a
 * preset kill look the same in the run: the same event, counted alike in summary.faults and
 * drawn alike as the charts' fault marks.
 *
 * Sending the rules in force to the nodes is faultRuleSender.ts.
 *
 * Recording: faults that break something are recorded with action 'apply' (they count in
 * summary.faults); resume and restart, which undo a process fault, with action 'heal'.
 */
import type { NodeId } from '../../raft/types';
import type { FaultSpec } from '../../contract/faults';
import type { LabRunEvent } from '../../contract/runEvents';
import { ClusterError } from '../clusterError';
import { resolvePartition, type PartitionRequest } from '../partitions';
import { parseFaultKey } from '../../contract/faultKeys';
import type { NodeFleet } from './nodeFleet';
import { aimedFaultText, linkRuleText } from '../activeFaults';
import { FaultPlan as LabFaultPlan, type AimedFault } from '../faultPlan';
import { FaultRuleSender } from './faultRuleSender';
import { tbfParams } from '../hosts/bandwidthLimit';
import { bandwidthText } from '../activeFaults';

type FaultEvent = Omit<Extract<LabRunEvent, { type: 'fault' }>, 't'>;

export interface FaultControllerDeps {
  fleet: NodeFleet;
  /** The cluster's nodes now (members, whatever their process state). */
  nodes: () => NodeId[];
  leader: () => NodeId | null;
  /** Bootstrap voters for a node that restarts (see NodeFleet.restart). */
  voters: () => NodeId[];
  random: () => number;
  record: (ev: FaultEvent) => void;
  warn: (node: NodeId, message: string) => void;
}

/** A link or flaky fault's rule with its defaults filled in, as the plan stores it. */
function ruleOf(f: { drop?: number; delayMs?: number; jitterMs?: number; duplicate?: number }) {
  return { drop: f.drop ?? 0, delayMs: f.delayMs ?? 0, jitterMs: f.jitterMs ?? 0, duplicate: f.duplicate ?? 0 };
}

export class FaultController {
  /** The network, clock and disk rules in force. */
  readonly plan = new LabFaultPlan();
  private killedByFault: NodeId[] = [];
  private applied = 0;
  private readonly rules: FaultRuleSender;

  constructor(private readonly deps: FaultControllerDeps) {
    this.rules = new FaultRuleSender(this.plan, deps);
  }

  /** Carries out any fault and records it; returns what it did, in words. */
  async apply(f: FaultSpec): Promise<string> {
    const { fleet } = this.deps;
    switch (f.kind) {
      case 'partition':
        return this.partition(f);
      case 'link': {
        this.requireNode(f.from);
        this.requireNode(f.to);
        const set = (from: NodeId, to: NodeId) =>
          this.plan.setLink({ from, to, ...ruleOf(f) });
        set(f.from, f.to);
        if (f.symmetric) set(f.to, f.from);
        await this.pushNetworkRules();
        const d = `link ${f.from}${f.symmetric ? '<->' : '->'}${f.to}: ${linkRuleText(ruleOf(f))}`;
        return this.record(f, d, [f.from, f.to]);
      }
      case 'flaky': {
        const ids = this.deps.nodes();
        for (const a of ids) {
          for (const b of ids) {
            if (a !== b) this.plan.setLink({ from: a, to: b, ...ruleOf(f) });
          }
        }
        await this.pushNetworkRules();
        return this.record(f, `flaky network: ${linkRuleText(ruleOf(f))}`, ids);
      }
      case 'clock':
        this.requireNode(f.node);
        await fleet.control(f.node, { cmd: 'setTimerRate', factor: f.rate });
        this.plan.timerRates.set(f.node, f.rate);
        return this.record(f, `node ${f.node} clock runs at ${f.rate}x`, [f.node]);
      case 'disk':
        this.requireNode(f.node);
        await fleet.control(f.node, { cmd: 'setFsyncDelay', ms: f.fsyncDelayMs });
        this.plan.fsyncDelays.set(f.node, f.fsyncDelayMs);
        return this.record(f, `node ${f.node} fsync +${f.fsyncDelayMs}ms`, [f.node]);
      case 'bandwidth':
        return this.limitBandwidth(f);
      case 'kill': {
        const n = this.resolveTarget(f.node);
        await fleet.kill(n);
        this.killedByFault.push(n);
        return this.record({ kind: 'kill', node: n }, `kill node ${n}`, [n]);
      }
      case 'stop': {
        const n = this.resolveTarget(f.node);
        await fleet.stop(n);
        this.killedByFault.push(n);
        return this.record({ kind: 'stop', node: n }, `stop node ${n}`, [n]);
      }
      case 'pause':
        return this.pause(f.node);
      case 'resume':
        return this.resume(f.node);
      case 'restart': {
        const n = this.resolveTarget(f.node, false);
        await fleet.restart(n, this.deps.voters());
        this.killedByFault = this.killedByFault.filter((k) => k !== n);
        return this.record({ kind: 'restart', node: n }, `restart node ${n}`, [n], 'heal');
      }
      case 'aimed':
        return this.aim(f);
    }
  }

  /**
   * An aimed fault (docs/aimed-faults.md): one more aimed rule on the node at the chosen end
   * of the link, after those already there (first match wins on the node). Only that node is
   * sent its rules, so the other rules' occurrence counts go on (faultRuleSender.ts).
   */
  private async aim(f: Extract<FaultSpec, { kind: 'aimed' }>): Promise<string> {
    const from = this.resolveTarget(f.from, false);
    const to = f.to === 'random' ? this.randomOtherThan(from) : this.resolveTarget(f.to, false);
    if (from === to) throw new ClusterError(`an aimed fault needs two different nodes (from and to are both node ${from})`);
    const fault: AimedFault = { from, to, side: f.side ?? 'sender', match: { ...f.match }, ...(f.occurrence ? { occurrence: f.occurrence } : {}), action: f.action };
    this.plan.aimed.push(fault);
    try {
      await this.rules.pushAimedRules([LabFaultPlan.aimedHolder(fault)]);
    } catch (err) {
      this.plan.aimed = this.plan.aimed.filter((a) => a !== fault);
      throw err;
    }
    const recorded: FaultSpec = { kind: 'aimed', from, to, side: fault.side, ...(f.match ? { match: f.match } : {}), ...(f.occurrence ? { occurrence: f.occurrence } : {}), action: f.action };
    return this.record(recorded, `aimed ${aimedFaultText(fault)}`, [from, to]);
  }

  /**
   * A bandwidth limit: tc tbf on the remote host node `f.node` runs on (src/lab/hosts/
   * bandwidthLimit.ts), so every node of that host sends at most the rate. A new limit on a
   * host replaces its last one. Refused, saying why, where the lab has no kernel to change.
   */
  private async limitBandwidth(f: Extract<FaultSpec, { kind: 'bandwidth' }>): Promise<string> {
    this.requireNode(f.node);
    const hosts = this.deps.fleet.hosts;
    const why = "a bandwidth limit is tc tbf on a remote host's network device: kernel-level, it needs a remote host with root (or sudo -n tc) there (docs/multi-host.md, \"Bandwidth limits\")";
    if (!hosts?.remote) throw new ClusterError(`this cluster has no remote hosts: ${why}; the lab does not change this machine's network`);
    const host = hosts.remoteHostOf(f.node);
    if (!host) throw new ClusterError(`node ${f.node} runs on this machine, not on a remote host: ${why}`);
    const done = await hosts.limitBandwidth(f.node, f).catch((err: Error) => {
      throw new ClusterError(`bandwidth limit: ${err.message}`);
    });
    for (const [n, b] of this.plan.bandwidth) if (b.host === done.host) this.plan.bandwidth.delete(n);
    const params = tbfParams(f);
    const nodes = this.deps.nodes().filter((n) => hosts.remoteHostOf(n)?.index === host.index);
    const limit = { host: done.host, nodes, devices: done.devices, ...params };
    this.plan.bandwidth.set(f.node, limit);
    return this.record({ kind: 'bandwidth', node: f.node, ...params }, `bandwidth: ${bandwidthText(limit)}`, nodes, 'apply', done.commands);
  }

  private randomOtherThan(node: NodeId): NodeId {
    const ids = this.deps.nodes().filter((id) => id !== node && this.deps.fleet.isAlive(id));
    if (ids.length === 0) throw new ClusterError(`no node other than ${node} to aim at`);
    return ids[Math.floor(this.deps.random() * ids.length)];
  }

  /** SIGSTOP, recorded. Synchronous: the process is stopped when this returns. */
  pause(target: NodeId | 'leader' | 'random'): string {
    const n = this.resolveTarget(target);
    this.deps.fleet.pause(n);
    return this.record({ kind: 'pause', node: n }, `pause node ${n}`, [n]);
  }

  /** SIGCONT, recorded; then the rules in force are sent (they changed while it slept, perhaps). */
  resume(node: NodeId): string {
    this.requireNode(node);
    this.deps.fleet.resume(node);
    this.rules.resendAfterResume(node);
    return this.record({ kind: 'resume', node }, `resume node ${node}`, [node], 'heal');
  }

  async partition(req: PartitionRequest): Promise<string> {
    const p = resolvePartition(req, this.deps.nodes(), this.deps.leader(), this.deps.random);
    const before = { blocked: this.plan.blocked, kernelBlocked: this.plan.kernelBlocked };
    this.plan.blocked = p.blocked;
    const kernel = await this.syncKernel().catch((err: Error) => {
      // Not in force: the plan stays what the nodes and hosts still enforce.
      Object.assign(this.plan, before);
      throw err;
    });
    await this.pushNetworkRules();
    const nodes = [...new Set(p.blocked.flat())].sort((a, b) => a - b);
    this.applied++;
    const description = kernel && kernel.kernel.length > 0 ? `${p.description} (${kernel.kernel.length === p.blocked.length ? 'all' : `${kernel.kernel.length} of ${p.blocked.length}`} cut links by nft on the hosts)` : p.description;
    this.deps.record({ node: null, type: 'fault', action: 'apply', fault: { kind: 'partition', ...req }, description, nodes, blocked: p.blocked, ...kernel });
    return description;
  }

  /**
   * With kernel partitions (src/lab/hosts/kernelPartition.ts), puts the hosts' nft rules in
   * line with plan.blocked, before the nodes' rules are sent (which then leave out the pairs
   * the kernel drops), and returns what to record; null without them.
   */
  private async syncKernel(): Promise<{ kernel: Array<[NodeId, NodeId]>; commands: Array<{ host: string; command: string; script: string }> } | null> {
    const hosts = this.deps.fleet.hosts;
    if (!hosts?.kernelPartitions) return null;
    const cut = await hosts.applyKernelCut(this.plan.blocked, this.deps.nodes()).catch((err: Error) => {
      throw new ClusterError(`kernel partition: ${err.message}`);
    });
    this.plan.kernelBlocked = new Set(cut.kernel.map(([a, b]) => `${a}>${b}`));
    return { kernel: cut.kernel, commands: cut.commands };
  }

  /** Heals the network, the clocks and the disks (not processes: restart and resume do). */
  async heal(): Promise<void> {
    const aimedHolders = this.plan.aimed.map(LabFaultPlan.aimedHolder);
    this.plan.clearNetwork();
    // The nodes are healed even when a host's rules could not be removed; that is then said.
    let kernelError: Error | null = null;
    const kernel = await this.syncKernel().catch((err: Error) => {
      kernelError = err;
      return null;
    });
    const bandwidth = await this.removeBandwidth().catch((err: Error) => {
      kernelError ??= err;
      return null;
    });
    await this.pushNetworkRules();
    await this.rules.pushAimedRules(aimedHolders);
    await this.rules.resetClocksAndDisks();
    const description = kernelError ? `heal network, clocks and disks (the hosts' nft rules or tc limits may remain: ${(kernelError as Error).message})` : 'heal network, clocks and disks';
    const commands = [...(kernel?.commands ?? []), ...(bandwidth ?? [])];
    this.deps.record({ node: null, type: 'fault', action: 'heal', fault: { kind: 'all' }, description, nodes: this.deps.nodes(), ...(kernel || commands.length > 0 ? { commands } : {}) });
    if (kernelError) throw kernelError;
  }

  /**
   * Removes the bandwidth limits in force (all, or the one named by node `node`) from their
   * hosts; [] when there are none. A host whose tc refuses keeps its entry in the plan.
   */
  private async removeBandwidth(node?: NodeId): Promise<Array<{ host: string; command: string; script: string }>> {
    const hosts = this.deps.fleet.hosts;
    const targets = [...this.plan.bandwidth].filter(([n]) => node === undefined || n === node);
    if (!hosts || targets.length === 0) return [];
    const out: Array<{ host: string; command: string; script: string }> = [];
    for (const [n] of targets) {
      const host = hosts.remoteHostOf(n);
      if (host) out.push(...(await hosts.removeBandwidth(host.index).catch((err: Error) => Promise.reject(new ClusterError(`removing the bandwidth limit: ${err.message}`)))));
      this.plan.bandwidth.delete(n);
    }
    return out;
  }

  /** A (re)started node has no rules: give it those in force. */
  restoreRules(node: NodeId): void {
    this.rules.restoreRules(node);
  }

  /** A concrete node for a target: whoever leads now, or a seeded-random (live) node. */
  resolveTarget(target: NodeId | 'leader' | 'random', alive = true): NodeId {
    if (target === 'leader') {
      const l = this.deps.leader();
      if (l === null) throw new ClusterError('there is no leader right now');
      return l;
    }
    if (target === 'random') {
      const ids = this.deps.nodes().filter((id) => !alive || this.deps.fleet.isAlive(id));
      if (ids.length === 0) throw new ClusterError('no node to pick');
      return ids[Math.floor(this.deps.random() * ids.length)];
    }
    this.requireNode(target);
    return target;
  }

  /**
   * Undoes one fault in force, named by its key (src/contract/faultKeys.ts), and leaves the
   * others as they are. Recorded as a 'heal' of that fault, not counted as a new fault.
   */
  async remove(id: string): Promise<string> {
    const key = parseFaultKey(id);
    if (!key) throw new ClusterError(`${id} does not name a fault`);
    const { fleet } = this.deps;
    const none = () => new ClusterError(`there is no ${id} fault in force`);
    const zero = { drop: 0, delayMs: 0, jitterMs: 0, duplicate: 0 };
    switch (key.kind) {
      case 'partition': {
        if (this.plan.blocked.length === 0) throw none();
        const before = { blocked: this.plan.blocked, kernelBlocked: this.plan.kernelBlocked };
        this.plan.blocked = [];
        const kernel = await this.syncKernel().catch((err: Error) => {
          Object.assign(this.plan, before);
          throw err;
        });
        await this.pushNetworkRules();
        return this.record({ kind: 'partition' }, 'partition removed', this.deps.nodes(), 'heal', kernel?.commands);
      }
      case 'flaky': {
        const links = this.plan.linkFaults();
        if (links.length === 0) throw none();
        for (const l of links) this.plan.setLink({ from: l.from, to: l.to, ...zero });
        await this.pushNetworkRules();
        return this.record({ kind: 'flaky' }, 'flaky network removed', this.deps.nodes(), 'heal');
      }
      case 'link': {
        const had = this.plan.linkFaults().some((l) => (l.from === key.a && l.to === key.b) || (l.from === key.b && l.to === key.a));
        if (!had) throw none();
        this.plan.setLink({ from: key.a, to: key.b, ...zero });
        this.plan.setLink({ from: key.b, to: key.a, ...zero });
        await this.pushNetworkRules();
        return this.record({ kind: 'link', from: key.a, to: key.b, symmetric: true }, `link ${key.a}<->${key.b} fault removed`, [key.a, key.b], 'heal');
      }
      case 'clock': {
        if (!this.plan.timerRates.has(key.node)) throw none();
        if (fleet.isAlive(key.node)) await fleet.control(key.node, { cmd: 'setTimerRate', factor: 1 });
        this.plan.timerRates.delete(key.node);
        return this.record({ kind: 'clock', node: key.node, rate: 1 }, `node ${key.node} clock back to normal`, [key.node], 'heal');
      }
      case 'bandwidth': {
        const limit = this.plan.bandwidth.get(key.node);
        if (!limit) throw none();
        const commands = await this.removeBandwidth(key.node);
        return this.record({ kind: 'bandwidth', node: key.node, rateKbit: limit.rateKbit, burstBytes: limit.burstBytes, latencyMs: limit.latencyMs }, `bandwidth limit of ${limit.host} removed`, limit.nodes, 'heal', commands);
      }
      case 'aimed': {
        const removed = this.plan.aimed.filter((a) => a.from === key.from && a.to === key.to);
        if (removed.length === 0) throw none();
        this.plan.aimed = this.plan.aimed.filter((a) => !removed.includes(a));
        await this.rules.pushAimedRules(removed.map(LabFaultPlan.aimedHolder));
        const { side, action } = removed[0];
        return this.record({ kind: 'aimed', from: key.from, to: key.to, side, action }, `aimed faults ${key.from} → ${key.to} removed`, [key.from, key.to], 'heal');
      }
      case 'disk': {
        if (!this.plan.fsyncDelays.has(key.node)) throw none();
        if (fleet.isAlive(key.node)) await fleet.control(key.node, { cmd: 'setFsyncDelay', ms: 0 });
        this.plan.fsyncDelays.delete(key.node);
        return this.record({ kind: 'disk', node: key.node, fsyncDelayMs: 0 }, `node ${key.node} disk back to normal`, [key.node], 'heal');
      }
    }
  }

  /** Nodes killed or stopped by faults and not restarted since (for "restart: killed"). */
  killedNodes(): NodeId[] {
    return [...this.killedByFault];
  }

  /** Faults applied so far (healing not counted), as summary.faults counts them. */
  faultsApplied(): number {
    return this.applied;
  }

  /** A node left the cluster: it is no fault's target any more. */
  forget(node: NodeId): void {
    this.killedByFault = this.killedByFault.filter((k) => k !== node);
  }

  private requireNode(node: NodeId): void {
    if (!this.deps.nodes().includes(node)) throw new ClusterError(`there is no node ${node} in this cluster`);
  }

  private pushNetworkRules(): Promise<void> {
    return this.rules.pushNetworkRules();
  }

  private record(f: FaultSpec, description: string, nodes: NodeId[], action: 'apply' | 'heal' = 'apply', commands?: FaultEvent['commands']): string {
    if (action === 'apply') this.applied++;
    this.deps.record({ node: null, type: 'fault', action, fault: f, description, nodes, ...(commands ? { commands } : {}) });
    return description;
  }
}
