/**
 * The liveness phase, after the faults stop (everything heals, crashed nodes restart):
 *   1. a stable leader must emerge within a bound (§5.2: randomized timeouts make split
 *      votes rare; PreVote and CheckQuorum must not prevent progress);
 *   2. proposals accepted by a leader that stays leader (same term) must commit within a bound;
 *   3. every member must converge to the leader's commit index with identical state.
 */
import type { NodeId, Status } from '../raft/types';
import type { FaultInjector } from './faults';
import type { Simulation } from './simulation';
import { ViolationError } from './violations';

export interface LivenessBounds {
  leaderTicks: number;
  commitTicks: number;
  convergeTicks: number;
  /** Proposals that must be accepted and committed after healing. */
  proposals: number;
}

export function livenessBounds(electionTicksMax: number): LivenessBounds {
  return {
    leaderTicks: 40 * electionTicksMax,
    commitTicks: 10 * electionTicksMax + 100,
    convergeTicks: 20 * electionTicksMax + 200,
    proposals: 5,
  };
}

/**
 * Ticks a proposal may wait for the backlog ahead of it: with the network healed a round
 * trip takes at most ~4 ticks and carries up to maxEntriesPerMsg * maxInflight entries.
 */
function backlogTicks(sim: Simulation, backlog: number): number {
  const perRoundTrip = Math.max(1, sim.scenario.maxEntriesPerMsg * sim.scenario.maxInflight);
  return Math.ceil((4 * Math.max(0, backlog)) / perRoundTrip);
}

function fail(sim: Simulation, message: string): never {
  const lines = sim.cluster.ids().map((id) => {
    const host = sim.cluster.host(id);
    if (!host.up) return `  node ${id}: ${host.removed ? 'removed' : 'down'}`;
    const s = host.raft!.status();
    return `  node ${id}: ${s.role} term=${s.term} leader=${s.leader ?? 'none'} commit=${s.commit} applied=${s.applied} last=${s.lastIndex}/${s.lastTerm} voters=(${s.config.voters.join(',')})${s.config.outgoing?.length ? ` outgoing=(${s.config.outgoing.join(',')})` : ''}${s.config.learners?.length ? ` learners=(${s.config.learners.join(',')})` : ''}`;
  });
  throw new ViolationError({ property: 'Liveness', tick: sim.now, message: `${message}\n${lines.join('\n')}` });
}

function members(status: Status): NodeId[] {
  return [...new Set([...status.config.voters, ...(status.config.outgoing ?? [])])];
}

/** A leader all up members of its configuration follow, in its term. */
function stableLeader(sim: Simulation): { id: NodeId; status: Status } | undefined {
  const leader = sim.leader();
  if (!leader) return undefined;
  for (const id of members(leader.status)) {
    if (!sim.cluster.has(id)) continue;
    const status = sim.cluster.status(id);
    if (!status) continue;
    if (status.term !== leader.status.term || status.leader !== leader.id) return undefined;
  }
  return leader;
}

/** Runs the liveness phase; throws a ViolationError when a bound is exceeded. */
export function checkLiveness(sim: Simulation, injector: FaultInjector, bounds: LivenessBounds): void {
  injector.healAll();
  sim.client.trackAccepted = true;
  const healedAt = sim.now;

  // 1. A leader emerges.
  while (!stableLeader(sim)) {
    if (sim.now - healedAt > bounds.leaderTicks) fail(sim, `no stable leader within ${bounds.leaderTicks} ticks of healing`);
    sim.advance();
  }
  const electedAt = sim.now;

  // 2. Proposals accepted by a leader that stays leader commit.
  let committed = 0;
  const leaderAtElection = stableLeader(sim)!.status;
  const deadline = electedAt + bounds.leaderTicks + bounds.commitTicks + backlogTicks(sim, leaderAtElection.lastIndex - leaderAtElection.commit);
  while (committed < bounds.proposals) {
    if (sim.now > deadline) fail(sim, `only ${committed} of ${bounds.proposals} proposals committed within ${deadline - electedAt} ticks of a leader emerging`);
    const leader = sim.leader();
    const outstanding = sim.client.accepted.length;
    if (leader && outstanding === 0) sim.client.propose(leader.id, 1);
    sim.advance();
    for (let i = sim.client.accepted.length - 1; i >= 0; i--) {
      const p = sim.client.accepted[i];
      const status = sim.cluster.status(p.node);
      if (!status || status.role !== 'leader' || status.term !== p.term) {
        sim.client.accepted.splice(i, 1); // leadership changed: no promise was made
      } else if (status.commit >= p.lastIndex) {
        sim.client.accepted.splice(i, 1);
        committed++;
      } else {
        const allowed = bounds.commitTicks + backlogTicks(sim, p.lastIndex - p.commitAtAcceptance);
        if (sim.now - p.at > allowed) {
          fail(sim, `proposal ${p.id} accepted by leader ${p.node} in term ${p.term} at index ${p.lastIndex} (t=${p.at}, commit then ${p.commitAtAcceptance}) did not commit within ${allowed} ticks though ${p.node} stayed leader`);
        }
      }
    }
  }

  // 3. Every member converges on the same applied state (laggards may need the backlog).
  const convergeFrom = sim.now;
  const slowest = Math.min(...sim.cluster.upIds().map((id) => sim.cluster.status(id)!.applied));
  const convergeTicks = bounds.convergeTicks + backlogTicks(sim, (sim.leader()?.status.lastIndex ?? 0) - slowest);
  for (;;) {
    const leader = stableLeader(sim);
    if (leader && converged(sim, leader)) return;
    if (sim.now - convergeFrom > convergeTicks) {
      fail(sim, `members did not converge to one applied state within ${convergeTicks} ticks`);
    }
    sim.advance();
  }
}

function converged(sim: Simulation, leader: { id: NodeId; status: Status }): boolean {
  if ((leader.status.config.outgoing?.length ?? 0) > 0) return false;
  const target = sim.cluster.host(leader.id).stateMachine;
  if (target.applied !== leader.status.commit) return false;
  for (const id of members(leader.status)) {
    if (!sim.cluster.has(id)) return false;
    const host = sim.cluster.host(id);
    if (!host.up) return false;
    const sm = host.stateMachine;
    if (sm.applied !== target.applied) return false;
    if (sm.hash !== target.hash) {
      throw new ViolationError({
        property: 'State Machine Safety',
        tick: sim.now,
        message: `nodes ${leader.id} and ${id} both applied up to ${sm.applied} but hold different state`,
      });
    }
  }
  return true;
}
