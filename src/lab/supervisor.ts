/**
 * Spawns and tracks the node processes of one cluster: each node is a real OS process
 * running out/node/main.mjs (plain Node, or Electron as Node with ELECTRON_RUN_AS_NODE=1).
 *
 * The supervisor owns only process lifecycles and their logs. It never lets a node's
 * behaviour (a crash, garbage on stdout, a refusal to die) throw into the lab: every
 * exit is reported through `onProcessEvent` and the lab carries on. How a process is
 * started (and kept from outliving the lab) is the launcher's business (nodeLauncher.ts).
 *
 * A node's log is a write stream, and a write stream fails (a full disk: ENOSPC): the
 * error is handled, the node's output is drained and discarded from then on (a pipe left
 * unread would block the node), and `onWriteError` tells the lab, which stops the run.
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { nodeConfigLine, writeNodeConfigFile } from './keys';
import { join } from 'node:path';
import { LocalLauncher, type NodeLauncher } from './nodeLauncher';
import { removeNodePidFile, writeNodePidFile } from './leftovers';
import type { NodeId } from '../raft/types';
import type { NodeProcessConfig } from '../contract/nodeConfig';
import type { ProcessState } from '../contract/runEvents';

/**
 * V8 flags every node process starts with. A 4 MB cap on each young-generation semi-space
 * (Node 20's default grows it to 16 MB under allocation pressure) takes 16-24 MB off each
 * node's RSS under load without costing throughput; 1 MB costs it. Measured side by side,
 * both orders: docs/performance.md, "Memory per node".
 */
export const NODE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

export interface ProcessEvent {
  node: NodeId;
  state: ProcessState;
  pid?: number;
  code?: number | null;
  signal?: string | null;
  message?: string;
}

export interface SupervisorOptions {
  /** Where per-node configs and logs go (run directory). */
  runDir: string;
  /** The built node entry point (out/node/main.mjs). */
  nodeScript: string;
  /** The executable that runs it: process.execPath (Node, or Electron with ELECTRON_RUN_AS_NODE). */
  execPath: string;
  env?: Record<string, string>;
  onProcessEvent: (ev: ProcessEvent) => void;
  /** A node's log could not be written (e.g. ENOSPC); its output is discarded from then on. */
  onWriteError?: (node: NodeId, err: Error) => void;
  /** Starts the processes; defaults to this machine (LocalLauncher). */
  launcher?: NodeLauncher;
}

interface NodeProcess {
  config: NodeProcessConfig;
  child: ChildProcess | null;
  state: ProcessState;
  /** Set when the lab itself killed or stopped the process, so its exit is not a crash. */
  expectedExit: 'killed' | 'stopped' | null;
  exited: Promise<void>;
  log: NodeLog;
  pidFile: string | null;
  /** The pid the node reported in its last ready (on its own host). */
  reportedPid?: number;
}

/** A node's log file that survives its own write errors (see the module comment). */
class NodeLog {
  private failed = false;
  readonly stream: WriteStream;

  constructor(path: string, onError: (err: Error) => void) {
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (err) => {
      if (this.failed) return;
      this.failed = true;
      onError(err);
    });
  }

  write(text: string): void {
    if (!this.failed) this.stream.write(text);
  }

  /** Copies a child's output into the log, or drains it into nothing once the log failed. */
  follow(output: NodeJS.ReadableStream | null): void {
    if (!output) return;
    output.on('data', (chunk: Buffer) => {
      if (!this.failed) this.stream.write(chunk);
    });
  }

  end(): Promise<void> {
    if (this.failed || this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.stream.end(resolve));
  }
}

export class Supervisor {
  private readonly nodes = new Map<NodeId, NodeProcess>();
  private readonly launcher: NodeLauncher;

  constructor(private readonly opts: SupervisorOptions) {
    mkdirSync(join(opts.runDir, 'logs'), { recursive: true, mode: 0o700 });
    this.launcher = opts.launcher ?? new LocalLauncher();
  }

  ids(): NodeId[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  state(id: NodeId): ProcessState | undefined {
    return this.nodes.get(id)?.state;
  }

  pid(id: NodeId): number | null {
    return this.nodes.get(id)?.child?.pid ?? null;
  }

  config(id: NodeId): NodeProcessConfig | undefined {
    return this.nodes.get(id)?.config;
  }

  /** True while the process exists (running or paused). */
  isAlive(id: NodeId): boolean {
    const s = this.nodes.get(id)?.state;
    return s === 'starting' || s === 'started' || s === 'restarted' || s === 'paused' || s === 'resumed';
  }

  /** Starts a node process (first start or restart from the same data directory). */
  start(config: NodeProcessConfig, restart = false): void {
    const existing = this.nodes.get(config.id);
    if (existing && this.isAlive(config.id)) throw new Error(`node ${config.id} is already running`);
    const configPath = join(this.opts.runDir, `node-${config.id}.json`);
    writeNodeConfigFile(configPath, config); // 0600, no secret key: the node reads its config on stdin
    const logPath = join(this.opts.runDir, 'logs', `node-${config.id}.log`);
    const log =
      existing?.log ??
      new NodeLog(logPath, (err) => this.opts.onWriteError?.(config.id, new Error(`cannot write ${logPath}: ${err.message}`, { cause: err })));
    log.write(`--- ${restart ? 'restart' : 'start'} at ${new Date().toISOString()} ---\n`);
    // stdin is a pipe the node watches: when the lab dies (even by SIGKILL) the pipe closes
    // and the node exits on its own; the launcher adds what covers a paused node.
    const child = this.launcher.launch({
      node: config.id,
      execPath: this.opts.execPath,
      args: [...NODE_V8_FLAGS, this.opts.nodeScript, '--config-stdin'],
      env: { ...process.env, ...this.opts.env },
    });
    log.follow(child.stdout);
    log.follow(child.stderr);
    // A broken stdin pipe (node gone) must not become an unhandled error in the lab.
    child.stdin?.on('error', (err) => log.write(`[lab] stdin pipe closed: ${err.message}\n`));
    child.stdin?.write(nodeConfigLine(config));
    const proc: NodeProcess = {
      config,
      child,
      state: 'starting',
      expectedExit: null,
      log,
      pidFile: child.pid === undefined ? null : writeNodePidFile(this.opts.runDir, config.id, child.pid, this.opts.nodeScript),
      exited: new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          this.handleExit(config.id, child, code, signal);
          resolve();
        });
      }),
    };
    child.once('error', (err) => {
      // spawn failure (missing executable): reported, never thrown into the lab.
      log.write(`[lab] spawn failed: ${err.message}\n`);
      this.setState(config.id, 'crashed', { message: `spawn failed: ${err.message}` });
    });
    this.nodes.set(config.id, proc);
    this.opts.onProcessEvent({ node: config.id, state: 'starting', pid: child.pid });
  }

  /** Called when the node reported ready (telemetry 'ready', with its pid on its own host). */
  markReady(id: NodeId, restart: boolean, reportedPid?: number): void {
    const p = this.nodes.get(id);
    if (!p || p.state !== 'starting') return;
    p.reportedPid = reportedPid;
    this.setState(id, restart ? 'restarted' : 'started', { pid: this.launcher.signal ? (reportedPid ?? p.child?.pid) : p.child?.pid });
  }

  /**
   * Signals a node's process: directly on this machine, or through the launcher (a remote
   * node is signalled on its host). A launcher that cannot reach the host falls back to
   * signalling the local end (the ssh session), which ends the node through its stdin.
   */
  private signal(p: NodeProcess, signal: NodeJS.Signals): void {
    const child = p.child;
    if (!child) return;
    if (!this.launcher.signal) {
      child.kill(signal);
      return;
    }
    this.launcher.signal(p.config.id, child, signal, p.reportedPid).catch((err: Error) => {
      p.log.write(`[lab] ${signal} on the node's host failed: ${err.message}\n`);
      if (signal === 'SIGKILL') child.kill('SIGKILL');
    });
  }

  private handleExit(id: NodeId, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    const p = this.nodes.get(id);
    if (!p || p.child !== child) return;
    p.log.write(`--- exited code=${code} signal=${signal} ---\n`);
    p.child = null;
    if (p.pidFile) removeNodePidFile(p.pidFile);
    p.pidFile = null;
    const state: ProcessState =
      p.expectedExit === 'killed' ? 'killed' : p.expectedExit === 'stopped' || code === 0 ? 'stopped' : 'crashed';
    p.expectedExit = null;
    this.setState(id, state, { code, signal });
  }

  private setState(id: NodeId, state: ProcessState, extra: Omit<ProcessEvent, 'node' | 'state'> = {}): void {
    const p = this.nodes.get(id);
    if (!p) return;
    p.state = state;
    this.opts.onProcessEvent({ node: id, state, ...extra });
  }

  /** SIGKILL: a crash as far as the node is concerned (it loses what it had not persisted). */
  async kill(id: NodeId): Promise<void> {
    const p = this.require(id);
    if (!p.child) return;
    p.expectedExit = 'killed';
    this.signal(p, 'SIGKILL');
    await p.exited;
  }

  /**
   * Graceful stop: `requestStop` asks the node through its control socket; if it has not
   * exited within `graceMs` it gets SIGTERM, then SIGKILL.
   */
  async stop(id: NodeId, requestStop: () => Promise<unknown>, graceMs = 2000): Promise<void> {
    const p = this.require(id);
    if (!p.child) return;
    p.expectedExit = 'stopped';
    if (p.state === 'paused') this.signal(p, 'SIGCONT'); // a stopped process cannot act on anything
    const exited = p.exited;
    await Promise.race([requestStop().catch((err: Error) => p.log.write(`[lab] stop request failed: ${err.message}\n`)), exited]);
    if (await settlesWithin(exited, graceMs)) return;
    this.signal(p, 'SIGTERM');
    if (await settlesWithin(exited, graceMs)) return;
    this.signal(p, 'SIGKILL');
    await exited;
  }

  pause(id: NodeId): void {
    const p = this.require(id);
    if (!p.child || p.state === 'paused') return;
    this.signal(p, 'SIGSTOP');
    this.setState(id, 'paused');
  }

  resume(id: NodeId): void {
    const p = this.require(id);
    if (!p.child || p.state !== 'paused') return;
    this.signal(p, 'SIGCONT');
    this.setState(id, 'resumed');
  }

  /** Forget a node entirely (after it left the cluster and exited). */
  forget(id: NodeId): void {
    const p = this.nodes.get(id);
    if (!p) return;
    if (p.child) throw new Error(`node ${id} is still running`);
    void p.log.end();
    this.nodes.delete(id);
  }

  /** Kills every process and waits for all of them to exit. */
  async teardown(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const p of this.nodes.values()) {
      if (!p.child) continue;
      p.expectedExit = 'killed';
      if (p.state === 'paused') this.signal(p, 'SIGCONT');
      this.signal(p, 'SIGKILL');
      waits.push(p.exited);
    }
    await Promise.all(waits);
    await Promise.all([...this.nodes.values()].map((p) => p.log.end()));
  }

  private require(id: NodeId): NodeProcess {
    const p = this.nodes.get(id);
    if (!p) throw new Error(`no node ${id} in this cluster`);
    return p;
  }
}

async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
