/**
 * Slow motion (issue 11 item 3, docs/aimed-faults.md): the whole real cluster at a chosen
 * speed, 1x down to 0.01x. Each node stretches its tick interval and every injected delay by
 * 1/speed (src/node/faults/speed.ts, FaultInjector.setSpeed), so heartbeats, election
 * timeouts and link delays all slow down together and the protocol sees the same timings in
 * ticks; the workload's rate and waits follow (src/lab/workload.ts). What does NOT slow down:
 * the real network (loopback, ~0.3 ms), fsync, CPU work and the metrics interval (100 ms of
 * real time), which is why charts show real time and label the run's speed.
 */
import type { NodeId } from '../../raft/types';
import { LIMITS } from '../../contract/limits';
import type { LabRunEvent } from '../../contract/runEvents';
import { ClusterError } from '../clusterError';
import type { NodeFleet } from './nodeFleet';
import type { WorkloadStats } from './workloadStats';

type SpeedEvent = Omit<Extract<LabRunEvent, { type: 'speed' }>, 't'>;

export interface SlowMotionDeps {
  fleet: NodeFleet;
  work: WorkloadStats;
  nodes: () => NodeId[];
  record: (ev: SpeedEvent) => void;
}

/**
 * Sets the cluster's speed: every reachable node is sent `setSpeed` (a paused one gets it
 * when resumed, a restarted one in its config), the workload is re-paced, and one `speed`
 * run event records the change. Resolves once every reachable node has acknowledged.
 */
export async function setClusterSpeed(deps: SlowMotionDeps, speed: number): Promise<void> {
  if (!(speed >= LIMITS.speed.min && speed <= LIMITS.speed.max)) throw new ClusterError(`speed must be a number from ${LIMITS.speed.min} to ${LIMITS.speed.max}, got ${String(speed)}`);
  const { fleet } = deps;
  fleet.speed = speed;
  deps.work.setSpeed(speed);
  const reachable = deps.nodes().filter((id) => fleet.isReachable(id));
  await Promise.all(reachable.map((id) => fleet.control(id, { cmd: 'setSpeed', speed })));
  deps.record({ node: null, type: 'speed', speed });
}
