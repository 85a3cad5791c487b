/**
 * The lab's own machine as a HostShell: commands run as direct child processes (no shell,
 * so nothing needs quoting), which keeps `localhost` exactly as it was before hosts existed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { collectProcess } from './collectProcess';
import { describeArgv, HostShellError, type HostShell, type RunOptions, type RunResult, type SpawnOptions } from './hostShell';

export class LocalHostShell implements HostShell {
  readonly host = 'localhost';
  private readonly children = new Set<ChildProcess>();

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const child = this.start(argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    const r = await collectProcess(child, { input: opts.input, timeoutMs });
    if (r.spawnError) throw new HostShellError(this.host, `run \`${describeArgv(argv)}\``, r.spawnError.message, 'local');
    if (r.timedOut) throw new HostShellError(this.host, `run \`${describeArgv(argv)}\``, `timed out after ${timeoutMs} ms`, 'local');
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  spawn(argv: string[], opts: SpawnOptions = {}): ChildProcess {
    return this.start(argv, { stdio: opts.stdio ?? ['pipe', 'pipe', 'pipe'] });
  }

  async close(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
  }

  private start(argv: string[], opts: { stdio: SpawnOptions['stdio'] }): ChildProcess {
    if (argv.length === 0) throw new HostShellError(this.host, 'run', 'empty command', 'local');
    const [command, ...args] = argv;
    const child = spawn(command, args, { stdio: opts.stdio });
    this.children.add(child);
    child.once('close', () => this.children.delete(child));
    return child;
  }
}
