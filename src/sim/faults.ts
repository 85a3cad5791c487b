/**
 * The chaos phase's fault schedule: partitions of every shape, crashes (between steps,
 * before any effect of a step, or between the writes of one save) and restarts, pauses, network storms,
 * membership changes, leader transfers, forced snapshots, and client traffic. All choices
 * come from the simulation's seeded RNG.
 */
import type { NodeId } from '../raft/types';
import type { CrashPlan } from './cluster';
import { formatIds } from './format';
import type { NetworkFaults } from './network';
import { PARTITION_SHAPES, makePartition } from './partitions';
import type { Simulation } from './simulation';

/** A learner this close to the leader's last index counts as caught up (thesis §4.2.1). */
const CATCH_UP_ENTRIES = 16;
/** Promote a learner after this many checks even when it is still behind. */
const PROMOTE_ANYWAY_AFTER = 6;

export class FaultInjector {
  private partitionUntil = -1;
  private stormUntil = -1;
  private readonly restartAt = new Map<NodeId, number>();
  /** Ticks at which a membership change starts (or is retried), ascending. */
  private readonly membershipAt: number[];
  private membershipAttempts = 0;
  /**
   * The change under way. A node added ('add', 'replace') joins as a learner first (thesis
   * §4.2.1, `learnerAdded` false), and is promoted (with the removal, if any) once it is
   * within CATCH_UP_ENTRIES of the leader or after PROMOTE_ANYWAY_AFTER tries: promoting a
   * learner that is behind is slow, not unsafe, and the simulator must try that too.
   */
  private membershipPlan:
    | { kind: 'add' | 'remove' | 'replace'; remove?: NodeId; add?: NodeId; learnerAdded: boolean; promoteTries: number }
    | undefined;
  private readonly transferAt: number[];
  private readonly snapshotAt: number[];

  constructor(private readonly sim: Simulation) {
    const s = sim.scenario;
    const rng = sim.rng;
    const ticks = s.chaosTicks;
    this.membershipAt = Array.from({ length: s.membershipChanges }, () => rng.range(Math.floor(ticks * 0.05), Math.floor(ticks * 0.7))).sort(
      (a, b) => a - b,
    );
    this.transferAt = Array.from({ length: s.leaderTransfers }, () => rng.range(Math.floor(ticks * 0.1), ticks - 1));
    this.snapshotAt = Array.from({ length: s.adminSnapshots }, () => rng.range(1, ticks - 1));
  }

  /** Injects this tick's faults and client operations (before the nodes tick). */
  apply(): void {
    const sim = this.sim;
    const s = sim.scenario;
    const rng = sim.rng;
    const now = sim.now;

    if (this.partitionUntil >= 0 && now >= this.partitionUntil) this.healPartition();
    else if (this.partitionUntil < 0 && rng.chance(s.partitionRate)) this.partition();

    if (this.stormUntil >= 0 && now >= this.stormUntil) {
      this.stormUntil = -1;
      sim.network.faults = s.network;
      this.record('storm over');
    } else if (this.stormUntil < 0 && rng.chance(s.stormRate)) {
      this.storm();
    }

    for (const [id, at] of this.restartAt) {
      if (now >= at) {
        this.restartAt.delete(id);
        this.record(`restart ${id}`);
        if (!sim.cluster.host(id).removed) sim.counters.restarts++;
        sim.cluster.restart(id);
      }
    }
    if (rng.chance(s.crashRate)) this.crash();
    if (rng.chance(s.pauseRate)) this.pause();
    for (const id of sim.cluster.upIds()) {
      if (sim.isPaused(id) && sim.pausedUntil(id) <= now) {
        this.record(`resume ${id}`);
        sim.resume(id);
      }
    }

    while (this.membershipAt.length > 0 && this.membershipAt[0] <= now) {
      this.membershipAt.shift();
      this.changeMembership();
    }
    for (const at of this.transferAt) if (now === at) this.transferLeader();
    for (const at of this.snapshotAt) if (now === at) this.forceSnapshot();

    if (rng.chance(s.proposalRate)) {
      const target = sim.client.target();
      if (target !== undefined) sim.client.proposeWithBackpressure(target, rng.chance(0.7) ? 1 : rng.range(2, 5));
    }
    if (rng.chance(s.readRate)) {
      const target = sim.client.target();
      if (target !== undefined) sim.client.read(target);
    }
  }

  /** Ends every fault: heal the network, calm it, restart crashed nodes (not removed ones). */
  healAll(): void {
    const sim = this.sim;
    this.record('HEAL: faults stop, network healed, crashed nodes restart');
    sim.network.heal();
    this.partitionUntil = -1;
    this.stormUntil = -1;
    sim.network.faults = { dropRate: 0, duplicateRate: 0, delayRate: 0, maxExtraDelay: 0, maxLatency: 1, reorder: 'none' };
    this.restartAt.clear();
    for (const id of sim.cluster.upIds()) if (sim.isPaused(id)) sim.resume(id);
    for (const id of sim.cluster.ids()) {
      const host = sim.cluster.host(id);
      host.crashPlan = null;
      if (!host.up && !host.removed) {
        sim.counters.restarts++;
        sim.cluster.restart(id);
      }
    }
  }

  private record(text: string): void {
    if (this.sim.trace.enabled) this.sim.trace.record(this.sim.now, `FAULT ${text}`);
  }

  private partition(): void {
    const sim = this.sim;
    const rng = sim.rng;
    const nodes = sim.cluster.ids().filter((id) => !sim.cluster.host(id).removed);
    if (nodes.length < 2) return;
    const shape = rng.pick(PARTITION_SHAPES);
    const partition = makePartition(shape, nodes, rng, sim.leader()?.id);
    for (const [from, to] of partition.links) sim.network.block(from, to);
    this.partitionUntil = sim.now + rng.range(5, 150);
    sim.counters.partitions++;
    this.record(`partition ${partition.description} until t=${this.partitionUntil}`);
  }

  private healPartition(): void {
    this.sim.network.heal();
    this.partitionUntil = -1;
    this.record('partition healed');
  }

  private storm(): void {
    const sim = this.sim;
    const rng = sim.rng;
    const calm = sim.scenario.network;
    const storm: NetworkFaults = {
      ...calm,
      dropRate: Math.max(calm.dropRate, rng.pick([0.2, 0.4, 0.7])),
      duplicateRate: Math.max(calm.duplicateRate, 0.1),
      delayRate: Math.max(calm.delayRate, 0.3),
      maxExtraDelay: Math.max(calm.maxExtraDelay, 20),
      // Spread over ticks: a zero-latency storm would reorder whole pipelines within a tick.
      maxLatency: Math.max(calm.maxLatency, 2),
      reorder: 'full',
    };
    sim.network.faults = storm;
    this.stormUntil = sim.now + rng.range(10, 100);
    sim.counters.storms++;
    this.record(`storm drop=${storm.dropRate} dup=${storm.duplicateRate} delay=${storm.delayRate} until t=${this.stormUntil}`);
  }

  private crash(): void {
    const sim = this.sim;
    const rng = sim.rng;
    const up = sim.cluster.upIds();
    if (up.length === 0) return;
    const members = sim.cluster.ids().filter((id) => !sim.cluster.host(id).removed).length;
    const down = members - up.length;
    // Mostly keep a majority up so the cluster makes progress; sometimes take more down.
    if (down >= Math.floor((members - 1) / 2) && !rng.chance(0.2)) return;
    const leader = sim.leader()?.id;
    const victim = leader !== undefined && rng.chance(0.4) ? leader : rng.pick(up);
    // Half the crashes strike part-way through a step: before any one of its effects, or
    // (as often) inside a save, between its durable writes (src/raft/execute.ts).
    const plan: CrashPlan | undefined = rng.chance(0.5) ? (rng.chance(0.5) ? { at: 'inSave' } : { at: 'anyEffect' }) : undefined;
    this.restartAt.set(victim, sim.now + rng.range(1, 120));
    this.record(`crash ${victim}${plan ? ` (during a coming step: ${plan.at})` : ''}, restart at t=${this.restartAt.get(victim)}`);
    sim.counters.crashes++;
    sim.cluster.crash(victim, plan);
  }

  /**
   * One membership change at a time (§6): decided once, then re-applied to the leader's
   * current configuration on each retry until a leader accepts it (or 20 attempts fail).
   */
  private pause(): void {
    const sim = this.sim;
    const candidates = sim.cluster.upIds().filter((id) => !sim.isPaused(id));
    if (candidates.length === 0) return;
    const leader = sim.leader()?.id;
    const victim = leader !== undefined && !sim.isPaused(leader) && sim.rng.chance(0.5) ? leader : sim.rng.pick(candidates);
    const until = sim.now + sim.rng.range(2, 60);
    sim.counters.pauses++;
    this.record(`pause ${victim} until t=${until}`);
    sim.pause(victim, until);
  }

  private changeMembership(): void {
    const sim = this.sim;
    const rng = sim.rng;
    const retry = () => {
      if (++this.membershipAttempts < 20) this.membershipAt.unshift(sim.now + 15);
      else this.membershipPlan = undefined;
    };
    const later = (ticks: number) => {
      this.membershipAt.unshift(sim.now + ticks);
      this.membershipAt.sort((a, b) => a - b);
    };
    const leader = sim.leader();
    if (!leader || sim.isPaused(leader.id) || (leader.status.config.outgoing?.length ?? 0) > 0) {
      retry();
      return;
    }
    const current = leader.status.config.voters;
    if (!this.membershipPlan) {
      const kind = current.length <= 2 ? 'add' : current.length >= 7 ? 'remove' : rng.pick(['add', 'remove', 'replace'] as const);
      this.membershipAttempts = 0;
      this.membershipPlan = {
        kind,
        remove: kind === 'add' ? undefined : rng.pick(current),
        add: kind === 'remove' ? undefined : sim.addJoiningNode(),
        learnerAdded: false,
        promoteTries: 0,
      };
    }
    const plan = this.membershipPlan;
    const learnersNow = leader.status.config.learners ?? [];
    if (plan.add !== undefined && !plan.learnerAdded) {
      // Stage 1 (thesis §4.2.1): the new node joins as a non-voting learner.
      if (learnersNow.includes(plan.add)) {
        plan.learnerAdded = true;
        later(rng.range(5, 40));
        return;
      }
      const learners = [...learnersNow, plan.add];
      this.record(`membership change (${plan.kind}, learner first) at leader ${leader.id}: learners ${formatIds(learnersNow)} -> ${formatIds(learners)}`);
      sim.client.admin(leader.id, { type: 'changeMembership', voters: [...current], learners }, (result) => {
        if (result.type === 'admin') {
          plan.learnerAdded = true;
          sim.counters.learnersAdded++;
          later(rng.range(5, 40));
        } else retry();
      });
      return;
    }
    if (plan.add !== undefined && !current.includes(plan.add)) {
      // Stage 2: promote once caught up (the leader's match for it), or anyway after a few tries.
      const match = leader.status.progress[plan.add]?.match ?? 0;
      const caughtUp = match >= leader.status.lastIndex - CATCH_UP_ENTRIES;
      if (!caughtUp && ++plan.promoteTries < PROMOTE_ANYWAY_AFTER) {
        later(rng.range(5, 30));
        return;
      }
    }
    const voters = current.filter((v) => v !== plan.remove);
    if (plan.add !== undefined && !voters.includes(plan.add)) voters.push(plan.add);
    this.record(`membership change (${plan.kind}) at leader ${leader.id}: ${formatIds(current)} -> ${formatIds(voters)}`);
    sim.client.admin(leader.id, { type: 'changeMembership', voters }, (result) => {
      if (result.type === 'admin') {
        if (plan.add !== undefined) sim.counters.learnersPromoted++;
        this.membershipPlan = undefined;
      } else retry();
    });
  }

  private transferLeader(): void {
    const sim = this.sim;
    const leader = sim.leader();
    if (!leader || sim.isPaused(leader.id)) return;
    const targets = leader.status.config.voters.filter((v) => v !== leader.id);
    if (targets.length === 0) return;
    const to = sim.rng.pick(targets);
    this.record(`leader transfer ${leader.id} -> ${to}`);
    sim.client.admin(leader.id, { type: 'transferLeader', to });
  }

  private forceSnapshot(): void {
    const sim = this.sim;
    const up = sim.cluster.upIds().filter((id) => !sim.isPaused(id));
    if (up.length === 0) return;
    const node = sim.rng.pick(up);
    this.record(`forced snapshot at ${node}`);
    sim.client.admin(node, { type: 'snapshot' });
  }
}
