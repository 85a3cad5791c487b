/**
 * How a node process is started on this machine. The supervisor asks a launcher for a
 * process and owns everything after that (logs, states, stops), so another launcher (over
 * SSH, one per remote host) can sit beside this one with the same shape.
 *
 * A local node is started so that it can never outlive the lab (docs/platform-facts.md#processes):
 * - the kernel kills it when the lab dies, even while it is SIGSTOPped (a stopped process
 *   cannot see its stdin close; SIGKILL needs no cooperation): PR_SET_PDEATHSIG through
 *   `setpriv --pdeathsig KILL` (util-linux), which stays set across the exec of the node;
 * - it runs in its own process group (and session), so a terminal's Ctrl+C reaches the lab
 *   only, and the lab stops its nodes in order instead of every node dying at once and the
 *   run recording them as crashes;
 * - a pid file per node (leftovers.ts) lets the next lab start kill what a lab that died
 *   on a system without `setpriv` left behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface LaunchSpec {
  /** The node to start (a launcher over several hosts picks the node's host by it). */
  node: number;
  execPath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface NodeLauncher {
  /** Starts the process; stdio are pipes (stdin is watched by the node). */
  launch(spec: LaunchSpec): ChildProcess;
  /** How processes die with the lab, in words (for logs and the report). */
  readonly deathGuard: string;
  /**
   * Sends a signal to a node (kill -9, SIGSTOP, SIGCONT). Absent: `child.kill(signal)` on
   * this machine. A remote launcher signals the pid the node reported in 'ready' on its host
   * (src/lab/hosts/hostsLauncher.ts); `pid` is undefined before 'ready'.
   */
  signal?(node: number, child: ChildProcess, signal: NodeJS.Signals, pid: number | undefined): Promise<void>;
}

let setprivProbe: boolean | undefined;

/** True when `setpriv --pdeathsig` works here (probed once per process). */
export function hasSetprivPdeathsig(): boolean {
  if (setprivProbe === undefined) {
    setprivProbe = process.platform === 'linux' && spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  }
  return setprivProbe;
}

export class LocalLauncher implements NodeLauncher {
  private readonly pdeathsig: boolean;

  constructor(options: { useSetpriv?: boolean } = {}) {
    this.pdeathsig = options.useSetpriv ?? hasSetprivPdeathsig();
  }

  get deathGuard(): string {
    return this.pdeathsig
      ? 'killed by the kernel when the lab dies (setpriv --pdeathsig KILL), stdin watch, pid files'
      : 'stdin watch and pid files only (no setpriv --pdeathsig here: a paused node outlives a killed lab until the next start reaps it)';
  }

  launch(spec: LaunchSpec): ChildProcess {
    const [command, args] = this.pdeathsig ? ['setpriv', ['--pdeathsig', 'KILL', spec.execPath, ...spec.args]] : [spec.execPath, spec.args];
    return spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: spec.env,
      // Own process group: see the module comment. Not on Windows, where it would open a
      // console window per node and there is no terminal signal to keep away.
      detached: process.platform !== 'win32',
    });
  }
}
