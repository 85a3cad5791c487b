/**
 * A host reached with the system OpenSSH client (issue 13: "the tools such users already
 * run"). Using the `ssh` binary rather than a library means the user's ~/.ssh/config (aliases,
 * ProxyJump, per-host keys), their agent and their known_hosts all apply unchanged.
 *
 * - One multiplexed connection per host: ControlMaster=auto with a ControlPath in a private
 *   (0700) temp folder, so the first command opens the connection and every later command
 *   and node session rides on it without a new handshake; ControlPersist keeps it a while
 *   after the last session so a burst of commands does not reconnect. close() ends it
 *   (`ssh -O exit`).
 * - BatchMode=yes: never a password or passphrase prompt the lab cannot answer; a host that
 *   needs one fails with ssh's own message, named by host and step.
 * - ConnectTimeout and ServerAlive*: an unreachable or vanished host is an error within
 *   seconds, not a hang.
 * - argv is quoted by the one quoting function (shellQuote.ts) for the remote login shell.
 *   Secrets go only through stdin (`input`), never into an argv (docs/multi-host.md#the-keys).
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions as NodeSpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectProcess } from './collectProcess';
import { describeArgv, HostShellError, type HostShell, type RunOptions, type RunResult, type SpawnOptions } from './hostShell';
import { quoteCommand } from './shellQuote';

/** What ssh exits with when ssh itself failed (not the remote command): ssh(1), EXIT STATUS. */
const SSH_FAILED = 255;

export interface SshHostShellOptions {
  /** An ssh config file (`ssh -F`), replacing ~/.ssh/config; tests pass the netns harness's. */
  configFile?: string;
  /** The ssh binary (default: `ssh` on PATH). */
  sshPath?: string;
  /** Seconds to wait for the TCP connection and handshake (default 10). */
  connectTimeoutS?: number;
  /** Seconds the multiplexed connection stays after its last session (default 60). */
  persistS?: number;
  /** Starts processes; tests pass a recorder to check what reached an argv. */
  spawn?: (command: string, args: string[], options: NodeSpawnOptions) => ChildProcess;
}

export class SshHostShell implements HostShell {
  private readonly controlDir: string;
  private readonly spawnImpl: NonNullable<SshHostShellOptions['spawn']>;
  private readonly children = new Set<ChildProcess>();
  private connected: Promise<void> | undefined;
  private closed = false;

  constructor(
    /** The destination as ssh takes it: an alias from the ssh config, `host` or `user@host`. */
    readonly host: string,
    private readonly options: SshHostShellOptions = {},
  ) {
    if (host === '' || host.startsWith('-') || /[\s\0]/.test(host)) {
      // A destination starting with "-" would be read as an ssh option (CVE-2017-1000117-style injection).
      throw new HostShellError(host, 'configure', `not a valid ssh destination: ${JSON.stringify(host)}`);
    }
    this.controlDir = mkdtempSync(join(tmpdir(), 'raftlab-ssh-'));
    this.spawnImpl = options.spawn ?? ((command, args, o) => nodeSpawn(command, args, o));
  }

  /**
   * The options every ssh invocation for this host shares. (The command always follows a
   * `--`: ssh parses options again after the destination, so a command starting with "-"
   * would otherwise be taken for one.)
   */
  private baseArgs(): string[] {
    return [
      ...(this.options.configFile ? ['-F', this.options.configFile] : []),
      '-o', 'BatchMode=yes',
      '-o', `ConnectTimeout=${this.options.connectTimeoutS ?? 10}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'ServerAliveCountMax=3',
      '-o', 'ControlMaster=auto',
      // %C: a hash of the connection's parameters, short enough for a unix socket path.
      '-o', `ControlPath=${join(this.controlDir, '%C')}`,
      '-o', `ControlPersist=${this.options.persistS ?? 60}`,
      // No forwarding of the agent or X11 to the host: the lab needs neither there.
      '-a', '-x',
    ];
  }

  /**
   * Opens the multiplexed connection (once; later calls share it). Fails naming the host and
   * the step "connect" with ssh's own explanation (unknown host key, refused, no key, ...).
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new HostShellError(this.host, 'connect', 'the shell is closed'));
    this.connected ??= (async () => {
      const r = await this.collect(['-T', this.host, '--', 'exit 0'], {}, (this.options.connectTimeoutS ?? 10) * 1000 + 5000);
      if (r.spawnError) throw new HostShellError(this.host, 'connect', `cannot start ${this.sshPath()}: ${r.spawnError.message}`);
      if (r.timedOut) throw new HostShellError(this.host, 'connect', 'timed out');
      if (r.code !== 0) throw new HostShellError(this.host, 'connect', r.stderr.trim() || `ssh exited ${r.code}`);
    })();
    // A failed connect may be retried by the next call (the host may come up).
    this.connected.catch(() => {
      this.connected = undefined;
    });
    return this.connected;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const step = `run \`${describeArgv(argv)}\``;
    const line = this.commandLine(argv, step);
    await this.connect();
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const r = await this.collect(['-T', this.host, '--', line], { input: opts.input }, timeoutMs);
    if (r.spawnError) throw new HostShellError(this.host, step, r.spawnError.message);
    if (r.timedOut) throw new HostShellError(this.host, step, `timed out after ${timeoutMs} ms (the remote command may still be running)`);
    if (r.code === SSH_FAILED && !(await this.masterAlive())) {
      // 255 is also a legal exit code of a remote command: only a lost connection makes it ssh's.
      throw new HostShellError(this.host, step, `connection lost: ${r.stderr.trim() || 'ssh exited 255'}`);
    }
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * Starts a long-running remote command over the shared connection. The connection must be
   * open (await connect() first) for the session to ride on it; otherwise this ssh opens its own.
   * Ending the returned process's stdin is how the remote command learns the lab is gone.
   */
  spawn(argv: string[], opts: SpawnOptions = {}): ChildProcess {
    const line = this.commandLine(argv, `spawn \`${describeArgv(argv)}\``);
    if (this.closed) throw new HostShellError(this.host, `spawn \`${describeArgv(argv)}\``, 'the shell is closed');
    return this.start(['-T', this.host, '--', line], opts.stdio ?? ['pipe', 'pipe', 'pipe']);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const child of this.children) child.kill('SIGTERM');
    // Ends the master (and with it every session on it) instead of waiting for ControlPersist.
    const r = await collectProcess(this.spawnImpl(this.sshPath(), [...this.baseArgs(), '-O', 'exit', this.host], { stdio: ['pipe', 'pipe', 'pipe'] }), { timeoutMs: 5000 });
    rmSync(this.controlDir, { recursive: true, force: true });
    // "No such file" / "Control socket connect": there was no master (never connected, or it already ended).
    if (r.code !== 0 && !/No such file|Control socket connect|No ControlPath/i.test(r.stderr)) {
      throw new HostShellError(this.host, 'close', r.stderr.trim() || `ssh -O exit exited ${r.code}`);
    }
  }

  /** True while the multiplexed connection is up (`ssh -O check`). */
  async masterAlive(): Promise<boolean> {
    if (this.closed) return false;
    const r = await collectProcess(this.spawnImpl(this.sshPath(), [...this.baseArgs(), '-O', 'check', this.host], { stdio: ['pipe', 'pipe', 'pipe'] }), { timeoutMs: 5000 });
    return r.code === 0;
  }

  private commandLine(argv: string[], step: string): string {
    try {
      return quoteCommand(argv);
    } catch (err) {
      throw new HostShellError(this.host, step, err instanceof Error ? err.message : String(err));
    }
  }

  private sshPath(): string {
    return this.options.sshPath ?? 'ssh';
  }

  private start(args: string[], stdio: SpawnOptions['stdio']): ChildProcess {
    const child = this.spawnImpl(this.sshPath(), [...this.baseArgs(), ...args], { stdio });
    this.children.add(child);
    child.once('close', () => this.children.delete(child));
    return child;
  }

  private collect(args: string[], opts: { input?: string | Buffer }, timeoutMs: number) {
    return collectProcess(this.start(args, ['pipe', 'pipe', 'pipe']), { input: opts.input, timeoutMs });
  }
}
