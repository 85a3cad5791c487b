/**
 * How the parts of one cluster are wired to each other (src/lab/cluster.ts holds them):
 * the node fleet's telemetry and process events feed the event pipeline, a node's 'ready'
 * releases its waiters and gets the fault rules in force, client responses reach the
 * workload, and membership, faults and the workload record through the pipeline. The parts
 * refer to each other only through the closures made here.
 */
import type { NodeId } from '../../raft/types';
import type { ClusterOptions } from '../../contract/clusterOptions';
import { SeededRng } from '../../raft/rng';
import type { ClusterState } from '../clusterState';
import type { ProcessEvent } from '../supervisor';
import type { ClusterDeps } from './clusterDeps';
import { EventPipeline, type LabEventInput } from './eventPipeline';
import { FaultController } from './faultController';
import { Membership } from './membership';
import { NodeFleet, type ReadyReport } from './nodeFleet';
import { WorkloadStats } from './workloadStats';
import { DebugController } from '../debug/debugController';
import type { WorkloadOptions } from '../../contract/clusterOptions';

/** The parts of a cluster, each under its own concern. */
export interface ClusterParts {
  events: EventPipeline;
  fleet: NodeFleet;
  faults: FaultController;
  membership: Membership;
  work: WorkloadStats;
  debug: DebugController;
}

/**
 * Builds the parts of a cluster. `fatal` is told when the run cannot go on (a node log
 * could not be written). One seeded RNG (options.seed) serves every random choice of the
 * lab (fault targets, partitions, the workload), so a seed repeats a run's choices.
 */
export function assembleParts(options: ClusterOptions, deps: ClusterDeps, state: ClusterState, fatal: (reason: string) => void): ClusterParts {
  // The debugger sees every event first: node debug telemetry, kills and violations break on it.
  const events = new EventPipeline({
    state,
    onEvent: (ev) => {
      debug.observe(ev);
      deps.onEvent?.(ev);
    },
    onChange: deps.onChange,
  });
  const rng = new SeededRng(options.seed);
  const random = () => rng.nextFloat();
  const now = () => events.now();
  const warn = (node: NodeId, message: string) => events.warn(node, message);
  const record = (ev: LabEventInput) => events.labEvent(ev);
  // The closures below name parts made further down: none of them runs before
  // assembleParts returns (the fleet opens its sockets and starts nodes only in boot).
  const onProcessEvent = (ev: ProcessEvent): void => {
    if (ev.state === 'starting') {
      events.processStarting(ev.node);
      if (fleet.isRemote(ev.node)) events.holdForClock(ev.node);
    }
    // A node that dies while starting (corrupt data, a port taken) fails its start at
    // once instead of leaving the caller to wait out the ready timeout.
    if (ev.state === 'crashed' || ev.state === 'stopped' || ev.state === 'killed') fleet.exitedBeforeReady(ev);
    events.labEvent({ node: ev.node, type: 'process', state: ev.state, pid: ev.pid, code: ev.code, signal: ev.signal, message: ev.message });
  };
  // A node said 'ready': release whoever waits for it, and give it the fault rules in force.
  const onReady = (node: NodeId, report: ReadyReport): void => {
    fleet.markReady(node, report);
    faults.restoreRules(node);
    debug.nodeReady(node).catch((err: Error) => warn(node, `debugger: ${err.message}`));
  };

  const fleet = new NodeFleet(options, {
    runDir: deps.runDir,
    clusterId: deps.runId,
    nodeScript: deps.nodeScript,
    execPath: deps.execPath,
    env: deps.env,
    readyTimeoutMs: deps.readyTimeoutMs,
    curve: deps.curve,
    onProcessEvent,
    onWriteError: (_node, err) => fatal(err.message),
    launcher: deps.launcher,
    hosts: deps.hosts,
    onTelemetry: (batch) => events.ingest(batch, onReady),
    onClientResponse: (node, res) => work.onResponse(node, res),
    onWarning: warn,
    onClock: (node, host, estimate, why) => events.setClock(node, host, estimate, why),
  });
  const membership = new Membership({ fleet, state, now, record, warn, onRemoved: (node) => faults.forget(node) });
  const faults = new FaultController({
    fleet,
    nodes: () => state.ids(),
    leader: () => state.leader(),
    voters: () => membership.voters(),
    random,
    record,
    warn,
  });
  const work = new WorkloadStats({
    transport: { send: (node, requests) => fleet.sendClient(node, requests), nodes: () => state.ids().filter((id) => fleet.isAlive(id)) },
    now,
    random,
    recordOp: (op) => events.recordOp(op),
    record,
    clientPrefix: `${deps.runId}-c`,
  });
  // What the workload ran before a freeze paused it (restored on resume).
  let pausedWorkload: WorkloadOptions | null = null;
  const debug = new DebugController({
    control: (node, command) => fleet.control(node, command),
    liveNodes: () => state.ids().filter((id) => fleet.isReachable(id)),
    record,
    now,
    pauseWorkload: () => {
      const current = work.options();
      if (current && current.clients > 0) {
        pausedWorkload = current;
        work.set({ ...current, clients: 0 });
      }
    },
    restoreWorkload: () => {
      if (pausedWorkload) work.set(pausedWorkload);
      pausedWorkload = null;
    },
    onChange: () => deps.onChange?.(),
  });
  return { events, fleet, faults, membership, work, debug };
}
