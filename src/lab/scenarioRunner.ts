/**
 * Plays a scenario's timeline against a live cluster: start, wait for each step's moment,
 * carry it out, stop at the end, then judge the run against the scenario's expectations.
 * A step that cannot be carried out (say, "kill leader" while there is none) is recorded
 * and the run goes on: a chaotic moment is part of what a scenario explores.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeId } from '../raft/types';
import type { ClusterOptions } from '../contract/clusterOptions';
import type { ScenarioAction, ScenarioExpectations, ScenarioStep } from '../contract/scenario';
import type { Summary } from '../contract/runEvents';
import type { Cluster } from './cluster';
import type { Lab } from './lab';
import { evaluateExpectations } from './scenario/expectations';
import { readRun } from './recorder/readRun';
import { writeFileAtomic } from './export/atomicWrite';
import { carryOutDebugStep, isDebugStep } from './debug/debugSteps';
import { sessionScenario } from './debug/sessionScenario';
import type { DebugView } from '../contract/debug';

export interface RunPlan {
  cluster: ClusterOptions;
  durationMs: number;
  steps: ScenarioStep[];
  expect: ScenarioExpectations;
  /** How the run is named in the CLI's summary (a scenario variant's label). */
  label?: string;
  /** The scenario file the plan came from (null or absent: flags or a test's own timeline). */
  scenario?: string | null;
}

/**
 * The run's expectations, kept in its folder so that `raftlab check` judges them again
 * (docs/scenarios.md). Written when the run starts, so an interrupted run has it too.
 */
export const EXPECTATIONS_FILE = 'expectations.json';

export interface RecordedExpectations {
  label: string;
  scenario: string | null;
  expect: ScenarioExpectations;
}

export interface RunOutcome {
  summary: Summary;
  runDir: string;
  /** Steps that could not be carried out, with why. */
  skipped: Array<{ step: ScenarioStep; reason: string }>;
  /** True when every expectation held and no safety property was violated. */
  passed: boolean;
  /** With `stopOnBreak`: the break that ended the run, the frozen nodes' states, and the saved session. */
  broke?: BreakOutcome;
}

export interface BreakOutcome {
  reason: string;
  node: NodeId | null;
  /** Run ms of the break. */
  atMs: number;
  /** Each node's state once the cluster froze (docs/debugger.md). */
  nodes: DebugView['nodes'];
  /** The session saved as a scenario next to the run (`raftlab run` repeats it). */
  sessionFile: string;
}

/** The session file a run that broke leaves in its folder. */
export const SESSION_FILE = 'session.yaml';
/** How long a break may take to freeze every node before the run stops anyway (ms). */
const FREEZE_WAIT_MS = 5000;

export interface RunHooks {
  /** Called about every 250 ms with the live cluster, for progress output. */
  onTick?: (cluster: Cluster, elapsedMs: number) => void;
  onStep?: (step: ScenarioStep, description: string) => void;
  onSkip?: (step: ScenarioStep, reason: string) => void;
  /** Stop early (Ctrl-C): the run is stopped and recorded as it is. */
  signal?: AbortSignal;
  /**
   * Stop when a breakpoint fires (`raftlab run --break`): once the cluster has frozen, the nodes'
   * states are taken, the run is stopped and recorded, and the session is saved as a scenario.
   */
  stopOnBreak?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runPlan(lab: Lab, plan: RunPlan, hooks: RunHooks = {}): Promise<RunOutcome> {
  const cluster = await lab.startCluster(plan.cluster);
  const skipped: RunOutcome['skipped'] = [];
  const paused = new Set<NodeId>();
  let broke: Omit<BreakOutcome, 'sessionFile'> | null = null;
  const stopped = () => hooks.signal?.aborted === true || broke !== null;
  /** The break that fired, once every node froze on it (or the freeze took too long). */
  const checkBreak = async () => {
    const fired = hooks.stopOnBreak ? cluster.debug.view()?.lastBreak : null;
    if (!fired) return;
    const deadline = Date.now() + FREEZE_WAIT_MS;
    while (!cluster.debug.isFrozen && Date.now() < deadline) await sleep(20);
    broke = { ...fired, nodes: cluster.debug.view()?.nodes ?? [] };
  };
  const waitUntil = async (atMs: number) => {
    await checkBreak();
    while (cluster.now() < atMs && !stopped()) {
      await sleep(Math.min(hooks.stopOnBreak ? 50 : 250, Math.max(1, atMs - cluster.now())));
      hooks.onTick?.(cluster, cluster.now());
      await checkBreak();
    }
  };
  try {
    const recorded: RecordedExpectations = { label: plan.label ?? '', scenario: plan.scenario ?? null, expect: plan.expect };
    writeFileAtomic(join(cluster.runDir, EXPECTATIONS_FILE), JSON.stringify(recorded, null, 2) + '\n');
    for (const step of plan.steps) {
      await waitUntil(step.atMs);
      if (stopped()) break;
      const place = { index: step.source.index, line: step.source.line, ...(step.note !== undefined ? { note: step.note } : {}) };
      try {
        const description = await carryOut(cluster, step.action, paused);
        cluster.recordStep({ ...place, description });
        hooks.onStep?.(step, description);
      } catch (err) {
        const reason = (err as Error).message;
        cluster.recordStep({ ...place, description: reason, skipped: true });
        skipped.push({ step, reason });
        hooks.onSkip?.(step, reason);
      }
    }
    await waitUntil(plan.durationMs);
  } finally {
    // Always stop, so no process outlives a failed or interrupted run.
    await lab.stopCluster().catch((err: Error) => console.error(`[lab] stopping the cluster failed: ${err.message}`));
  }
  const runDir = cluster.runDir;
  const run = readRun(runDir);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Summary;
  summary.expectations = evaluateExpectations(plan.expect, summary, run.events);
  writeFileAtomic(join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const passed = summary.violations.length === 0 && summary.expectations.every((e) => e.ok);
  if (!broke) return { summary, runDir, skipped, passed };
  const sessionFile = join(runDir, SESSION_FILE);
  writeFileAtomic(sessionFile, sessionScenario(run.events, sessionName(plan.label ?? '')).yaml);
  return { summary, runDir, skipped, passed, broke: { ...(broke as Omit<BreakOutcome, 'sessionFile'>), sessionFile } };
}

/** A scenario name (SCENARIO_NAME_PATTERN) from a run's label: "3 nodes, faults none" -> "3-nodes-faults-none-session". */
function sessionName(label: string): string {
  const base = label.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '').slice(0, 80);
  return `${base || 'run'}-session`;
}

/**
 * Carries out one action; returns what it did, in words. `paused` tracks the nodes this
 * timeline paused (for "resume: paused"). Exported for tests that play their own timeline.
 */
export async function carryOut(c: Cluster, a: ScenarioAction, paused: Set<NodeId>): Promise<string> {
  switch (a.kind) {
    case 'heal':
      await c.heal();
      return 'heal';
    case 'add-node':
      return `add node ${await c.addNode()}`;
    case 'speed':
      await c.setSpeed(a.speed);
      return a.speed === 1 ? 'speed back to real time' : `slow motion at ${a.speed}x`;
    case 'remove-node': {
      const n = c.resolveTarget(a.node, false);
      await c.removeNode(n);
      return `remove node ${n}`;
    }
    case 'transfer-leader': {
      let to = c.resolveTarget(a.to);
      // A transfer to the leader itself would do nothing: pick again among the others.
      for (let i = 0; i < 8 && a.to === 'random' && to === c.leader(); i++) to = c.resolveTarget('random');
      await c.transferLeader(to);
      return `transfer leadership to node ${to}`;
    }
    case 'restart': {
      if (a.node === 'killed') {
        const killed = c.killedNodes();
        if (killed.length === 0) throw new Error('no killed node to restart');
        for (const n of killed) await c.applyFault({ kind: 'restart', node: n });
        return `restart ${killed.length === 1 ? 'node' : 'nodes'} ${killed.join(', ')}`;
      }
      return c.applyFault({ kind: 'restart', node: a.node });
    }
    case 'resume': {
      const nodes = a.node === 'paused' ? [...paused] : [a.node];
      if (nodes.length === 0) throw new Error('no paused node to resume');
      for (const n of nodes) {
        await c.applyFault({ kind: 'resume', node: n });
        paused.delete(n);
      }
      return `resume nodes ${nodes.join(', ')}`;
    }
    case 'pause': {
      const n = c.resolveTarget(a.node);
      const d = await c.applyFault({ kind: 'pause', node: n });
      paused.add(n);
      return d;
    }
    default:
      if (isDebugStep(a)) return carryOutDebugStep(c.debug, a);
      return c.applyFault(a);
  }
}
