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
 *   side, so a SIGKILLed lab takes the sessions with it;
 * - on the host a small POSIX sh wrapper (NODE_WRAPPER) feeds the session's stdin to the node
 *   through a fifo and kill -9s the node when that stdin ends, so a SIGSTOPped node (which
 *   cannot see its stdin end) dies too. (The kernel's parent-death signal does not help
 *   there: with one multiplexed connection the node's ancestor is the sshd of the whole
 *   connection, which outlives any one session.) The wrapper exits with the node's status,
 *   which ends the session, so the lab sees a remote exit as the ssh client's exit.
 *
 * Signals (kill -9, SIGSTOP, SIGCONT) are `kill` commands on the host, aimed at the pid the
 * node reported in its 'ready' telemetry.
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { NodeId } from '../../raft/types';
import { hasSetprivPdeathsig } from '../nodeLauncher';
import { CLEANUP_SNIPPET, devicesOfRoutes, ROUTE_PROBE, tbfApplyScript, tbfRemoveScript, type BandwidthSpec } from './bandwidthLimit';
import { HostShellError } from './hostShell';
import type { NodeBundle } from './nodeBundle';
import { SshHostShell, type SshHostShellOptions } from './sshHostShell';

/** The oldest Node a host may run (package.json engines). */
const MIN_NODE = [20, 15] as const;

/**
 * Runs "$@" (the node) with stdin from a fifo ($1) that `cat` fills from the session's
 * stdin; when that ends (the lab or its ssh went away) the node is kill -9ed, stopped or
 * not; the wrapper's exit status is the node's (137 after a kill -9).
 */
export const NODE_WRAPPER = [
  'f="$1"; shift',
  'rm -f "$f" && mkfifo -m 600 "$f" || exit 125',
  // fd 3: the session's stdin (an asynchronous list's own stdin is /dev/null, XCU 2.9.3).
  'exec 3<&0',
  '"$@" < "$f" 3<&- & n=$!',
  '{ cat <&3 > "$f" 2>/dev/null; kill -KILL "$n" 2>/dev/null; } & w=$!',
  'exec 3<&-',
  'wait "$n"; s=$?',
  'kill "$w" 2>/dev/null; rm -f "$f"',
  'exit "$s"',
].join('\n');

/**
 * One round trip that prepares a host ($1: the bundle version, $2: the cluster id, $3: the
 * host's address): prints
 * Node's version, $HOME, and "cached" or "missing" for the bundle, makes the run's folder
 * (0700), and removes other runs' folders that no node uses (a lab died before its stop
 * removed them; stderr names each). Its exit code names the step that failed (PROBE_STEPS).
 */
export const PREPARE_PROBE = [
  'command -v node >/dev/null 2>&1 || { echo "no node on the PATH of a non-interactive ssh session" >&2; exit 3; }',
  'node --version || exit 3',
  'case "$HOME" in /*) ;; *) echo "\\$HOME is \\"$HOME\\"" >&2; exit 4 ;; esac',
  'printf "%s\\n" "$HOME"',
  'if test -f "$HOME/.cache/raftlab/node-$1/.complete"; then echo cached; else echo missing; fi',
  'umask 077 && mkdir -p "$HOME/.cache/raftlab/runs/$2" || exit 5',
  // Kernel partition rules a dead lab left (kernelPartition.ts; as root: a user who relies on
  // sudo gets the same cleanup from the first nft partition, which replaces the table).
  'if command -v nft >/dev/null 2>&1 && nft list table inet raftlab >/dev/null 2>&1; then nft delete table inet raftlab && echo "removed nft table inet raftlab" >&2; fi',
  // Bandwidth limits a dead lab left: only devices it recorded, only while their root is a tbf (bandwidthLimit.ts).
  CLEANUP_SNIPPET,
  'tbf_cleanup "$3"',
  // Leftovers of labs that died before removing their run folder: a folder is in use while a
  // node wrapper names it in its argv (`<run folder>/node-<id>.stdin`). The bracket keeps grep
  // from matching its own argv, which holds the pattern, not a digit.
  'for d in "$HOME"/.cache/raftlab/runs/*/; do',
  '  r="${d%/}"; test -d "$r" && test "${r##*/}" != "$2" || continue',
  '  grep -qsa -- "$r/node-[0-9]" /proc/[0-9]*/cmdline || { rm -rf -- "$r" && echo "reaped ${r##*/}" >&2; }',
  'done',
  'exit 0',
].join('\n');
const PROBE_STEPS: Record<number, string> = { 3: 'check node', 4: 'find home', 5: 'make the run folder' };

export interface RemoteHostOptions extends Pick<SshHostShellOptions, 'configFile' | 'connectTimeoutS'> {
  /** The host's name as the user wrote it, for messages. */
  name: string;
  /** What ssh is given (placement.ts). */
  destination: string;
  /** The host's IPv4 address (placement.ts): names its bandwidth-limit record (bandwidthLimit.ts). */
  address: string;
}

/** What ran on a host for a fault, as the fault event records it (src/contract/runEvents.ts). */
export interface HostCommands {
  host: string;
  command: string;
  script: string;
}

export class RemoteHost {
  readonly shell: SshHostShell;
  private base = '';
  private bundleDir = '';
  private script = '';
  private runDir = '';
  /** The run folders of dead labs that prepare() removed from this host. */
  reaped: string[] = [];
  /** What prepare() did about a dead lab's bandwidth limits ("removed tbf on eth0", "could not remove ..."). */
  tbfCleanup: string[] = [];

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
   * Checking and making the folder is one command (PREPARE_PROBE): each command over the
   * multiplexed connection still costs ~130 ms here (a new ssh client and a remote shell),
   * and a start waits for the slowest host.
   */
  async prepare(bundle: NodeBundle, clusterId: string): Promise<void> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(clusterId)) throw new HostShellError(this.options.name, 'make the run folder', `not a folder name: ${JSON.stringify(clusterId)}`);
    await this.shell.connect();
    const probe = await this.shell.run(['sh', '-c', PREPARE_PROBE, 'sh', bundle.version, clusterId, this.options.address]);
    const step = PROBE_STEPS[probe.code];
    if (probe.code !== 0) throw new HostShellError(this.options.name, step ?? 'check the host', probe.stderr.trim() || `exit code ${probe.code}`);
    const [version = '', home = '', cache = ''] = probe.stdout.split('\n').map((l) => l.trim());
    this.reaped = [...probe.stderr.matchAll(/^reaped (.+)$/gm)].map((r) => r[1]);
    this.tbfCleanup = [...probe.stderr.matchAll(/^((?:removed|could not remove) tbf on .+)$/gm)].map((r) => r[1]);
    const m = /^v(\d+)\.(\d+)/.exec(version);
    if (!m || Number(m[1]) < MIN_NODE[0] || (Number(m[1]) === MIN_NODE[0] && Number(m[2]) < MIN_NODE[1])) {
      throw new HostShellError(this.options.name, 'check node', `Node ${version || '(none)'} found; the node needs ${MIN_NODE.join('.')} or newer`);
    }
    this.base = `${home}/.cache/raftlab`;
    this.bundleDir = `${this.base}/node-${bundle.version}`;
    this.script = `${this.bundleDir}/${bundle.script}`;
    this.runDir = `${this.base}/runs/${clusterId}`;
    if (cache !== 'cached') {
      // Unpacked beside, then renamed: two labs (or hosts sharing a home) never see half a copy.
      const tmp = `${this.bundleDir}.tmp-${process.pid}-${Date.now()}`;
      await this.step(
        'copy the node bundle',
        ['sh', '-c', 'mkdir -p "$1" && tar -xzf - -C "$1" && touch "$1/.complete" && { mv -T "$1" "$2" 2>/dev/null || rm -rf "$1"; }', 'sh', tmp, this.bundleDir],
        bundle.tar(),
        120_000,
      );
    }
  }

  /** Where node `id` keeps its data on this host. */
  dataDirOf(id: NodeId): string {
    return `${this.runDir}/node-${id}/data`;
  }

  /** Where node `id` writes its flight-recorder journal on this host (copied into the run folder at stop: docs/multi-host.md). */
  journalDirOf(id: NodeId): string {
    return `${this.runDir}/node-${id}/journal`;
  }

  /**
   * Starts node `id` in NODE_WRAPPER on the host: `node <args>`, the arguments a local node
   * gets (V8 flags included, src/lab/supervisor.ts NODE_V8_FLAGS) with this machine's bundle
   * path `localScript` replaced by the host's cached copy. The caller writes the config to stdin.
   */
  launch(id: NodeId, args: readonly string[], localScript: string): ChildProcess {
    if (!this.script) throw new HostShellError(this.options.name, 'start a node', 'the host was not prepared');
    if (!args.includes(localScript)) throw new HostShellError(this.options.name, 'start a node', `the node's arguments do not name the bundle ${localScript}`);
    const remoteArgs = args.map((a) => (a === localScript ? this.script : a));
    return this.shell.spawn(['sh', '-c', NODE_WRAPPER, 'sh', `${this.runDir}/node-${id}.stdin`, 'node', ...remoteArgs]);
  }

  /**
   * Copies a folder of the host (a node's journal) into `localDir`, streamed through tar
   * over the shared connection. Resolves once the local tar has unpacked it.
   */
  async fetchDir(remoteDir: string, localDir: string): Promise<void> {
    mkdirSync(localDir, { recursive: true });
    const step = `copy ${remoteDir} back`;
    const remote = this.shell.spawn(['sh', '-c', 'test -d "$1" || exit 0; tar -czf - -C "$1" .', 'sh', remoteDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const local = nodeSpawn('tar', ['-xzf', '-', '-C', localDir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    remote.stderr?.on('data', (c: Buffer) => (errors += c.toString()));
    local.stderr?.on('data', (c: Buffer) => (errors += c.toString()));
    remote.stdout!.pipe(local.stdin!);
    const exit = (p: ChildProcess) => new Promise<number>((resolve) => p.once('close', (code) => resolve(code ?? -1)));
    const [r, l] = await Promise.all([exit(remote), exit(local)]);
    // An empty stream (no such folder) makes the local tar complain: that is "nothing to copy".
    if (r !== 0 || (l !== 0 && !/does not look like a tar archive|unexpected EOF|Child returned status/i.test(errors))) {
      throw new HostShellError(this.options.name, step, errors.trim() || `tar exited ${r}/${l}`);
    }
  }

  /**
   * Replaces the host's `inet raftlab` nft table with `script` (kernelPartition.ts), as root
   * or through `sudo -n` (never a password prompt). Returns the command as run, for the
   * fault event.
   */
  async nft(script: string): Promise<{ host: string; command: string; script: string }> {
    const command = 'if [ "$(id -u)" = 0 ]; then exec nft -f -; else exec sudo -n nft -f -; fi';
    await this.step('apply nft rules', ['sh', '-c', command], script, 15_000);
    return { host: this.options.name, command: 'nft -f - (sudo -n when not root)', script };
  }

  /**
   * The devices the host routes `peers` through (`ip -o route get`, bandwidthLimit.ts), loopback
   * left out. An error names the host and the command.
   */
  async routeDevices(peers: readonly string[]): Promise<string[]> {
    const step = `find the device to the peers (ip -o route get ${peers.join(' ')})`;
    const routes = await this.step(step, ['sh', '-c', ROUTE_PROBE, 'sh', ...peers], undefined, 15_000);
    let devices: string[];
    try {
      devices = devicesOfRoutes(routes);
    } catch (err) {
      throw new HostShellError(this.options.name, step, (err as Error).message);
    }
    if (devices.length === 0) throw new HostShellError(this.options.name, step, `every route to ${peers.join(', ')} is local: nothing to limit`);
    return devices;
  }

  /**
   * Limits the host's outgoing bandwidth on `devices` with `tc tbf` (bandwidthLimit.ts). An
   * error names the host and the tc commands. Returns what ran, for the fault event.
   */
  async limitBandwidth(devices: readonly string[], spec: BandwidthSpec): Promise<HostCommands> {
    const { script, commands } = tbfApplyScript(this.options.address, devices, spec);
    await this.step(`limit bandwidth (${commands.join('; ')}; tc as root or sudo -n)`, ['sh', '-c', script], undefined, 15_000);
    return { host: this.options.name, command: 'tc (as root, or sudo -n tc)', script: commands.join('\n') };
  }

  /** Removes raftlab's limit from `devices` (those limitBandwidth returned): only while their root qdisc is still a tbf. */
  async removeBandwidth(devices: readonly string[]): Promise<HostCommands> {
    const { script, commands } = tbfRemoveScript(this.options.address, devices);
    await this.step(`remove the bandwidth limit (${commands.join('; ')}; tc as root or sudo -n)`, ['sh', '-c', script], undefined, 15_000);
    return { host: this.options.name, command: 'tc (as root, or sudo -n tc)', script: commands.join('\n') };
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
