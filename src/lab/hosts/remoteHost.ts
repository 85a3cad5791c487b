/**
 * One remote host of a cluster, reached over OpenSSH (sshHostShell.ts; docs/multi-host.md):
 * prepared once per run (Node version checked, the node bundle copied into a versioned cache
 * folder if it is not there yet, the run's folder made), then it starts node processes and
 * signals them over the same multiplexed connection.
 *
 * A remote node never outlives the lab:
 * - its config (keys included) goes to its stdin over ssh, never on a command line; the node
 *   exits when its stdin ends (src/node/main.ts), which happens when the ssh session ends;
 * - the ssh client of each node session runs under `setpriv --pdeathsig KILL` on the lab's
 *   side, so a SIGKILLed lab takes the sessions with it, and on the host the node runs under
 *   `setpriv --pdeathsig KILL` when the host has it, so a SIGSTOPped node (which cannot see
 *   its stdin end) is killed by the kernel when its session ends.
 *
 * Signals (kill -9, SIGSTOP, SIGCONT) are `kill` commands on the host, aimed at the pid the
 * node reported in its 'ready' telemetry.
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import type { NodeId } from '../../raft/types';
import { hasSetprivPdeathsig } from '../nodeLauncher';
import { HostShellError } from './hostShell';
import type { NodeBundle } from './nodeBundle';
import { SshHostShell, type SshHostShellOptions } from './sshHostShell';

/** The oldest Node a host may run (package.json engines). */
const MIN_NODE = [20, 15] as const;

export interface RemoteHostOptions extends Pick<SshHostShellOptions, 'configFile' | 'connectTimeoutS'> {
  /** The host's name as the user wrote it, for messages. */
  name: string;
  /** What ssh is given (placement.ts). */
  destination: string;
}

export class RemoteHost {
  readonly shell: SshHostShell;
  private base = '';
  private bundleDir = '';
  private script = '';
  private remoteSetpriv = false;
  private runDir = '';

  constructor(private readonly options: RemoteHostOptions) {
    // The lab-side ssh client of every session dies with the lab (module comment).
    const guarded = hasSetprivPdeathsig();
    this.shell = new SshHostShell(options.destination, {
      configFile: options.configFile,
      connectTimeoutS: options.connectTimeoutS,
      spawn: (command, args, o) => (guarded ? nodeSpawn('setpriv', ['--pdeathsig', 'KILL', command, ...args], o) : nodeSpawn(command, args, o)),
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** Runs a step on the host; a non-zero exit is an error naming the host and the step. */
  private async step(step: string, argv: string[], input?: Buffer | string, timeoutMs?: number): Promise<string> {
    const r = await this.shell.run(argv, { input, timeoutMs });
    if (r.code !== 0) throw new HostShellError(this.options.name, step, r.stderr.trim() || `exit code ${r.code}`);
    return r.stdout;
  }

  /**
   * Connects, checks Node, copies the bundle unless this version is cached, and makes the
   * run's folder (`~/.cache/raftlab/runs/<clusterId>`, 0700). Errors name the host and step.
   */
  async prepare(bundle: NodeBundle, clusterId: string): Promise<void> {
    await this.shell.connect();
    const version = (await this.step('check node', ['node', '--version'])).trim();
    const m = /^v(\d+)\.(\d+)/.exec(version);
    if (!m || Number(m[1]) < MIN_NODE[0] || (Number(m[1]) === MIN_NODE[0] && Number(m[2]) < MIN_NODE[1])) {
      throw new HostShellError(this.options.name, 'check node', `Node ${version || '(none)'} found; the node needs ${MIN_NODE.join('.')} or newer`);
    }
    const home = (await this.step('find home', ['sh', '-c', 'printf %s "$HOME"'])).trim();
    if (!home.startsWith('/')) throw new HostShellError(this.options.name, 'find home', `$HOME is ${JSON.stringify(home)}`);
    this.base = `${home}/.cache/raftlab`;
    this.bundleDir = `${this.base}/node-${bundle.version}`;
    this.script = `${this.bundleDir}/${bundle.script}`;
    const cached = await this.shell.run(['test', '-f', `${this.bundleDir}/.complete`]);
    if (cached.code !== 0) {
      // Unpacked beside, then renamed: two labs (or hosts sharing a home) never see half a copy.
      const tmp = `${this.bundleDir}.tmp-${process.pid}-${Date.now()}`;
      await this.step(
        'copy the node bundle',
        ['sh', '-c', 'mkdir -p "$1" && tar -xzf - -C "$1" && touch "$1/.complete" && { mv -T "$1" "$2" 2>/dev/null || rm -rf "$1"; }', 'sh', tmp, this.bundleDir],
        bundle.tar,
        120_000,
      );
    }
    this.runDir = `${this.base}/runs/${clusterId}`;
    await this.step('make the run folder', ['sh', '-c', 'umask 077 && mkdir -p "$1"', 'sh', this.runDir]);
    this.remoteSetpriv = (await this.shell.run(['setpriv', '--pdeathsig', 'KILL', 'true'])).code === 0;
  }

  /** Where node `id` keeps its data on this host. */
  dataDirOf(id: NodeId): string {
    return `${this.runDir}/node-${id}/data`;
  }

  /** Where node `id` writes its flight-recorder journal on this host (not copied back: docs/multi-host.md). */
  journalDirOf(id: NodeId): string {
    return `${this.runDir}/node-${id}/journal`;
  }

  /** Starts a node: `node <bundle> --config-stdin` on the host; the caller writes the config to stdin. */
  launch(): ChildProcess {
    if (!this.script) throw new HostShellError(this.options.name, 'start a node', 'the host was not prepared');
    const node = ['node', this.script, '--config-stdin'];
    return this.shell.spawn(this.remoteSetpriv ? ['setpriv', '--pdeathsig', 'KILL', ...node] : node);
  }

  /** Sends `signal` to the process `pid` on the host (`kill -KILL|-STOP|-CONT pid`). */
  async signal(pid: number, signal: NodeJS.Signals): Promise<void> {
    await this.step(`send ${signal} to pid ${pid}`, ['kill', `-${signal.replace(/^SIG/, '')}`, String(pid)], undefined, 10_000);
  }

  /** Removes the run's folder on the host (data and journals) and ends the connection. */
  async close(removeRunDir: boolean): Promise<void> {
    try {
      if (removeRunDir && this.runDir) await this.shell.run(['rm', '-rf', this.runDir], { timeoutMs: 15_000 });
    } finally {
      await this.shell.close();
    }
  }
}
