/**
 * Running the system tools the netns harness is built from (`ip`, `sshd`, `ssh-keygen`).
 * Every call is synchronous and argv-only (no shell), and a failure throws with the command
 * line and its stderr, so a harness that cannot build its hosts says exactly which step broke.
 */
import { spawnSync } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` and returns its result without judging the exit code. */
export function tryCommand(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): CommandResult {
  const [command, ...args] = argv;
  const result = spawnSync(command, args, {
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 15_000,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (result.error) {
    return { code: -1, stdout: '', stderr: `${argv[0]}: ${result.error.message}` };
  }
  return { code: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? (result.signal ? `killed by ${result.signal}` : '') };
}

/** Runs `argv`; throws naming the step and the command when it exits non-zero. */
export function command(step: string, argv: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const result = tryCommand(argv, opts);
  if (result.code !== 0) {
    throw new Error(`netns harness: ${step}: \`${argv.join(' ')}\` exited ${result.code}: ${result.stderr.trim() || result.stdout.trim() || '(no output)'}`);
  }
  return result.stdout;
}

/** The absolute path of `name` on PATH, or undefined. */
export function which(name: string): string | undefined {
  const result = tryCommand(['sh', '-c', 'command -v "$1"', 'which', name]);
  const path = result.stdout.trim();
  return result.code === 0 && path.startsWith('/') ? path : undefined;
}
