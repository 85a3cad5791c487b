/**
 * The lab service: one cluster at a time, plus recorded runs, behind the channels of the
 * lab API. Electron main and the browser-mode server adapt this object and nothing else.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NodeId } from '../raft/types';
import type { LabChannel, LabChannels, LabPush, LabPushChannel, LabRequest, LabResponse, LabState, RunListing } from '../contract/labApi';
import type { LabService } from '../contract/labService';
import type { ClusterOptions } from '../contract/clusterOptions';
import type { RunEvent, Summary } from '../contract/runEvents';
import { Cluster, ClusterError } from './cluster';
import { PushBatcher } from './pushBatcher';
import { exportRun } from './export/exportRun';
import { readRun } from './recorder/readRun';
import { openableRunDir, readPlainFile, RunsFolder } from './runPaths';
import { reapLeftovers } from './leftovers';
import { activeFaults } from './activeFaults';
import { faultKey } from '../contract/faultKeys';
import type { AimedRuleState } from '../contract/aimedRules';
import { TimeTravel, type RunTimeline } from './timeTravel';
import { compareRuns, openExperiment } from './experiments/experimentView';
import { splitVariant } from './experiments/compare';
import { sessionScenario } from './debug/sessionScenario';
import type { DebugView } from '../contract/debug';

/** How often the lab samples its own event-loop delay for LabState.host (ms). */
const LOOP_LAG_WINDOW_MS = 5000;

/** The files a run directory may hold (what export lists and run:file serves). */
export const RUN_FILES = ['events.jsonl', 'history.jsonl', 'metrics.csv', 'history.edn', 'trace.json', 'summary.json', 'report.html'] as const;

export interface LabOptions {
  /** Where runs are recorded (one directory per run). */
  runsDir: string;
  /** The built node entry point; defaults to out/node/main.mjs next to this bundle. */
  nodeScript?: string;
  /** Executable for node processes; defaults to this process's (Node, or Electron with ELECTRON_RUN_AS_NODE). */
  execPath?: string;
  env?: Record<string, string>;
}

/** Resolves out/node/main.mjs whether this code runs bundled (out/lab/cli.mjs) or from source (vitest). */
export function defaultNodeScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../node/main.mjs'), join(here, '../../out/node/main.mjs'), resolve('out/node/main.mjs')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the node process is not built (looked for ${candidates.join(', ')}); run \`npm run build:node\``);
  return found;
}

type Handlers = { [C in LabChannel]: (req: LabChannels[C]['request']) => Promise<LabChannels[C]['response']> };

export class Lab implements LabService {
  private cluster: Cluster | null = null;
  private phase: LabState['phase'] = 'idle';
  private lastRunDir: string | null = null;
  /** The run directory of a cluster that is still starting (its Cluster object does not exist yet). */
  private startingRunDir: string | null = null;
  private readonly push = new PushBatcher(50);
  private readonly handlers: Handlers;
  /** Every path a request names is checked against this (runPaths.ts). */
  private readonly runs: RunsFolder;
  /** When each fault in force was applied (keys of src/contract/faultKeys.ts), from the run's fault events. */
  private readonly faultSince = new Map<string, number>();
  /** Each node's aimed rules with their hit counts, as it last reported them (activeFaults.ts). */
  private readonly aimedStates = new Map<NodeId, AimedRuleState[]>();
  private partitionDescription: string | null = null;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private loopLagP99Ms: number | null = null;
  private readonly loopTimer: NodeJS.Timeout;
  /** Replayed journals of the run the time-travel channels ask about (timeTravel.ts). */
  private readonly timeTravel = new TimeTravel();

  private constructor(private readonly opts: Required<Omit<LabOptions, 'env'>> & { env?: Record<string, string> }) {
    this.runs = new RunsFolder(opts.runsDir);
    // Node processes and temporary folders a lab that died left behind (leftovers.ts).
    const reaped = reapLeftovers(opts.runsDir);
    for (const k of reaped.killed) console.error(`[lab] killed node process ${k.pid} left running by a lab that died (${k.runDir})`);
    for (const d of reaped.removedDirs) console.error(`[lab] removed ${d}, left by a lab that died`);
    for (const p of reaped.problems) console.error(`[lab] cleaning up after an earlier lab: ${p}`);
    this.handlers = this.makeHandlers();
    // The lab's own loop delay is the cheapest honest measure of how loaded the machine the
    // nodes share is: the start panel compares it with the heartbeat it is about to ask for.
    this.loopDelay.enable();
    this.loopTimer = setInterval(() => {
      this.loopLagP99Ms = Math.round(this.loopDelay.percentile(99) / 1e5) / 10;
      this.loopDelay.reset();
    }, LOOP_LAG_WINDOW_MS);
    this.loopTimer.unref();
  }

  static create(opts: LabOptions): Lab {
    return new Lab({
      runsDir: opts.runsDir,
      nodeScript: opts.nodeScript ?? defaultNodeScript(),
      execPath: opts.execPath ?? process.execPath,
      env: opts.env,
    });
  }

  handle<C extends LabChannel>(channel: C, request: LabRequest<C>): Promise<LabResponse<C>> {
    const h = this.handlers[channel] as (r: LabRequest<C>) => Promise<LabResponse<C>>;
    if (!h) return Promise.reject(new Error(`unknown lab channel ${String(channel)}`));
    return h(request);
  }

  subscribe(listener: <P extends LabPushChannel>(channel: P, payload: LabPush[P]) => void): () => void {
    return this.push.subscribe(listener);
  }

  async shutdown(): Promise<void> {
    clearInterval(this.loopTimer);
    this.loopDelay.disable();
    await this.stopCluster();
    this.push.close();
  }

  /** The running cluster (CLI and tests drive it directly). */
  get current(): Cluster | null {
    return this.cluster;
  }

  state(): LabState {
    const c = this.cluster;
    return {
      phase: this.phase,
      runId: c ? basename(c.runDir) : null,
      runDir: c?.runDir ?? this.lastRunDir,
      options: c?.options ?? null,
      nodes: c?.nodes() ?? [],
      blocked: c?.faults.blocked ?? [],
      links: c?.faults.linkFaults().map((l) => ({ from: l.from, to: l.to, drop: l.drop, delayMs: l.delayMs })) ?? [],
      workload: c?.workloadOptions() ?? null,
      startedAt: null,
      faults: c ? activeFaults(c.faults, c.state.ids(), { since: this.faultSince, partitionDescription: this.partitionDescription, aimedStates: this.aimedStates }) : [],
      host: { cores: availableParallelism(), labLoopLagP99Ms: this.loopLagP99Ms },
      ...(c ? { speed: c.speed } : {}),
      debug: c?.debug.view(),
    };
  }

  /** Every run event passes here on its way to the subscribers: fault events date the faults in force. */
  private onRunEvent(ev: RunEvent): void {
    if (ev.type === 'faultRules' && ev.node !== null) {
      const had = this.aimedStates.get(ev.node);
      this.aimedStates.set(ev.node, ev.aimed ?? []);
      // A rule acted (nodes report at most every 200 ms): the faults in force say how often.
      if ((ev.aimed?.length ?? 0) > 0 || (had?.length ?? 0) > 0) this.changed();
    }
    if (ev.type === 'run' && ev.phase === 'started') {
      this.aimedStates.clear();
      this.faultSince.clear();
      this.partitionDescription = null;
    } else if (ev.type === 'fault') {
      const key = faultKey(ev.fault);
      if (ev.action === 'heal' && ev.fault.kind === 'all') {
        this.faultSince.clear();
        this.partitionDescription = null;
      } else if (ev.action === 'heal' && key !== null) {
        this.faultSince.delete(key);
      } else if (key !== null) {
        // A newer fault on the same thing replaces the old one, so its time is the one that counts.
        this.faultSince.set(key, ev.t);
        if (key === 'partition') this.partitionDescription = ev.description;
      }
    }
    this.push.event(ev);
  }

  private changed = () => this.push.stateChanged(this.state());

  async startCluster(options: ClusterOptions): Promise<Cluster> {
    if (this.cluster) throw new ClusterError('a cluster is already running: stop it first');
    const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-s${options.seed}`;
    const runDir = join(this.opts.runsDir, runId);
    this.phase = 'starting';
    this.startingRunDir = runDir;
    this.changed();
    try {
      this.cluster = await Cluster.start(options, {
        runDir,
        runId,
        nodeScript: this.opts.nodeScript,
        execPath: this.opts.execPath,
        env: this.opts.env,
        onEvent: (ev) => this.onRunEvent(ev),
        onChange: this.changed,
        onFatal: (reason) => {
          console.error(`[lab] stopping the run: ${reason}`);
          this.stopCluster().catch((err: Error) => console.error(`[lab] stopping the run after "${reason}" failed too: ${err.message}`));
        },
      });
    } catch (err) {
      this.phase = 'idle';
      this.changed();
      throw err;
    } finally {
      this.startingRunDir = null;
    }
    this.lastRunDir = runDir;
    this.phase = 'running';
    this.changed();
    return this.cluster;
  }

  async stopCluster(): Promise<Summary | null> {
    const c = this.cluster;
    if (!c) return null;
    this.phase = 'stopping';
    this.changed();
    try {
      return await c.stop();
    } finally {
      this.cluster = null;
      this.phase = 'idle';
      this.changed();
      // The run is over, however its stop went (a full disk can fail the exports): its last
      // events, the reason it stopped among them, reach every subscriber now, not a batch later.
      this.push.flush();
    }
  }

  private requireCluster(): Cluster {
    if (!this.cluster) throw new ClusterError('no cluster is running');
    return this.cluster;
  }

  private async withCluster(fn: (c: Cluster) => Promise<unknown> | unknown): Promise<LabState> {
    await fn(this.requireCluster());
    const s = this.state();
    this.push.stateChanged(s);
    return s;
  }

  /** A debugger action on the running cluster; the new state is pushed to every window. */
  private async debugging(fn: (c: Cluster) => Promise<DebugView>): Promise<DebugView> {
    const view = await fn(this.requireCluster());
    this.push.stateChanged(this.state());
    return view;
  }

  private makeHandlers(): Handlers {
    const node = (fn: (c: Cluster, n: NodeId) => Promise<unknown> | unknown) => (r: { node: NodeId }) =>
      this.withCluster((c) => fn(c, r.node));
    return {
      'lab:state': async () => this.state(),
      'cluster:start': async ({ options }) => {
        await this.startCluster(options);
        return this.state();
      },
      'cluster:stop': async () => {
        const runDir = this.cluster?.runDir ?? null;
        const summary = await this.stopCluster();
        return { summary, runDir };
      },
      'cluster:speed': (r) => this.withCluster((c) => c.setSpeed(r.speed)),
      'node:kill': node((c, n) => c.kill(n)),
      'node:stop': node((c, n) => c.stopNode(n)),
      'node:pause': node((c, n) => c.pause(n)),
      'node:resume': node((c, n) => c.resume(n)),
      'node:restart': node((c, n) => c.restart(n)),
      'node:transferLeader': node((c, n) => c.transferLeader(n)),
      'node:remove': node((c, n) => c.removeNode(n)),
      'node:add': () => this.withCluster((c) => c.addNode()),
      'fault:partition': (r) => this.withCluster((c) => c.partition(r)),
      'fault:link': (r) =>
        this.withCluster((c) => c.applyFault({ kind: 'link', from: r.from, to: r.to, drop: r.drop, delayMs: r.delayMs, symmetric: r.symmetric })),
      'fault:apply': (r) => this.withCluster((c) => c.applyFault(r.fault)),
      'fault:heal': () => this.withCluster((c) => c.heal()),
      'fault:remove': (r) => this.withCluster((c) => c.removeFault(r.id)),
      'workload:set': (r) => this.withCluster((c) => c.setWorkload(r.workload)),
      'run:export': async ({ runDir }) => {
        const wanted = runDir ?? this.lastRunDir;
        if (!wanted) throw new ClusterError('no run to export yet');
        const dir = this.runs.writableRunDir(wanted);
        if (this.cluster && realpathSync(this.cluster.runDir) === dir) {
          throw new ClusterError('this run is still going: stop the cluster to export it');
        }
        await exportRun(dir, 'all');
        const files = RUN_FILES.filter((f) => existsSync(join(dir, f))).map((name) => ({ name, bytes: statSync(join(dir, name)).size }));
        return { runDir: dir, files };
      },
      'run:list': async () => ({ runs: this.listRuns() }),
      'run:open': async ({ path }) => {
        // Read-only, from anywhere the person typed (runPaths.ts): nothing is written here.
        const dir = openableRunDir(this.opts.runsDir, path);
        const { events } = readRun(dir);
        const summaryText = readPlainFile(join(dir, 'summary.json'));
        const summary = summaryText === undefined ? null : (JSON.parse(summaryText) as Summary);
        return { runDir: dir, events: events as RunEvent[], summary };
      },
      'run:history': async () => this.history(),
      'run:stateAt': async ({ runDir, atMs }) => this.timelineOf(runDir).stateAt(atMs),
      'run:messages': async ({ runDir, fromMs, toMs, maxItems }) => this.timelineOf(runDir).messagesIn(fromMs, toMs, maxItems),
      // Read-only, like run:open: a result folder or runs from anywhere the person typed.
      'experiment:open': async ({ path }) => openExperiment(resolve(this.opts.runsDir, path)),
      'experiment:compare': async ({ runs, failIfSlowerPct }) =>
        compareRuns(
          runs.map((p) => {
            // A trials file, or one range of it (`FILE.json#LABEL`): resolved as given; a run by name or path.
            const { file, variant } = splitVariant(p);
            if (variant !== null) return `${resolve(this.opts.runsDir, file)}#${variant}`;
            return p.endsWith('.json') ? resolve(this.opts.runsDir, p) : openableRunDir(this.opts.runsDir, p);
          }),
          failIfSlowerPct ?? 0,
        ),
      'debug:freeze': () => this.debugging((c) => c.debug.freeze()),
      'debug:resume': () => this.debugging((c) => c.debug.resume()),
      'debug:release': (r) => this.debugging((c) => c.debug.release(r.node, r.holds, r.action)),
      'debug:advance': (r) => this.debugging((c) => c.debug.advance(r.node, r.ticks, r.untilTimer)),
      'debug:timeoutNow': (r) => this.debugging((c) => c.debug.timeoutNow(r.node)),
      'debug:breakpoints': (r) => this.debugging((c) => c.debug.setBreakpoints(r.breakpoints)),
      'session:scenario': async () => {
        const dir = this.cluster?.runDir ?? this.lastRunDir;
        if (!dir) throw new ClusterError('no run yet: start a cluster first');
        this.cluster?.flushRecording();
        return sessionScenario(readRun(dir).events);
      },
      'run:file': async ({ runDir, name }) => {
        if (!(RUN_FILES as readonly string[]).includes(name)) throw new ClusterError(`${name} is not a run file`);
        return { name, text: this.runs.readRunFile(runDir, name) };
      },
    };
  }

  /**
   * The current (or last) run as recorded so far. The recording is flushed first, and the
   * read is synchronous: every event emitted before this call is in the answer, and every
   * event emitted after it reaches the subscribers as a push. A client that subscribed before
   * asking therefore misses nothing; what it got twice it drops (renderer/src/stores/lab.ts).
   */
  private history(): LabResponse<'run:history'> {
    const c = this.cluster;
    const runDir = c?.runDir ?? this.startingRunDir ?? this.lastRunDir;
    const running = c !== null || this.startingRunDir !== null;
    if (!runDir) return { runDir: null, running: false, events: [] };
    c?.flushRecording();
    if (!existsSync(join(runDir, 'events.jsonl'))) return { runDir, running, events: [] };
    return { runDir, running, events: readRun(runDir).events };
  }

  /**
   * The replayed journals of `runDir` (any openable run, read only), or of the current or
   * last run when none is named. The live run's journals are read as far as the nodes flushed them.
   */
  private timelineOf(runDir: string | undefined): RunTimeline {
    const live = this.cluster?.runDir ?? this.startingRunDir;
    const wanted = runDir ?? live ?? this.lastRunDir;
    if (!wanted) throw new ClusterError('no run to travel in yet: start a cluster or open a recorded run');
    const dir = openableRunDir(this.opts.runsDir, wanted);
    const isLive = live !== null && resolve(live) === dir;
    return this.timeTravel.timeline(dir, isLive, () => {
      if (isLive) this.cluster?.flushRecording();
      return existsSync(join(dir, 'events.jsonl')) ? readRun(dir).events : [];
    });
  }

  private listRuns(): RunListing[] {
    if (!existsSync(this.opts.runsDir)) return [];
    return readdirSync(this.opts.runsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(this.opts.runsDir, d.name, 'events.jsonl')))
      .map((d) => {
        const runDir = join(this.opts.runsDir, d.name);
        let nodes = 0;
        const summaryPath = join(runDir, 'summary.json');
        if (existsSync(summaryPath)) {
          try {
            nodes = (JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary).nodes;
          } catch (err) {
            console.error(`[lab] unreadable ${summaryPath}: ${(err as Error).message}`);
          }
        }
        return { runId: d.name, runDir, startedAt: statSync(runDir).birthtime.toISOString(), nodes, hasSummary: existsSync(summaryPath) };
      })
      .sort((a, b) => b.runId.localeCompare(a.runId));
  }
}
