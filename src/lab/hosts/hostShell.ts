/**
 * A shell on a host: how the lab runs commands where its nodes live (issue 13). The same
 * shape serves the lab's own machine (LocalHostShell) and a machine reached over OpenSSH
 * (SshHostShell), so launching nodes, killing them and applying kernel faults
 * (kernelFaults.ts) are written once.
 *
 * Commands are argv arrays, never shell strings: each shell quotes for its own transport.
 * Secrets (node configs with CURVE keys) travel only as `input` (stdin), never in an argv,
 * where `ps` on either machine would show them.
 */
import type { ChildProcess, StdioOptions } from 'node:child_process';

export interface RunOptions {
  /** Written to the command's stdin, then stdin is closed. The only way to pass a secret. */
  input?: string | Buffer;
  /** Kill the command (the ssh client, for a remote one) after this many ms. Default 30 s. */
  timeoutMs?: number;
}

export interface RunResult {
  /** The command's exit code (128 + n when a signal n ended it, as a shell reports it). */
  code: number;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Default: three pipes. */
  stdio?: StdioOptions;
}

export interface HostShell {
  /** The host as the user named it ("localhost", "h2", "user@db3"). */
  readonly host: string;
  /** Runs a command to completion. Rejects (HostShellError) only when the command could not be run; a non-zero exit is a result. */
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** Starts a long-running command (a node); the caller owns the returned process. */
  spawn(argv: string[], opts?: SpawnOptions): ChildProcess;
  /** Ends the shell's connection and whatever it started that still runs. */
  close(): Promise<void>;
}

/** A command that could not be run on a host: the message names the host and the step ("ssh h2: connect: ..."). */
export class HostShellError extends Error {
  override readonly name = 'HostShellError';

  constructor(
    readonly host: string,
    readonly step: string,
    detail: string,
    readonly via: 'ssh' | 'local' = 'ssh',
  ) {
    super(`${via === 'ssh' ? `ssh ${host}` : host}: ${step}: ${detail}`);
  }
}

/** Shortens a command for an error message (argv joined, at most 120 characters). */
export function describeArgv(argv: readonly string[]): string {
  const text = argv.join(' ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The exit code a shell would report for a process result: the code, or 128 + signal number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null, signals: Record<string, number>): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (signals[signal] ?? 0);
  return -1;
}
