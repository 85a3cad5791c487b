/**
 * Runs a started process to completion for a HostShell: writes the input, gathers stdout and
 * stderr, and kills it at a deadline. Shared by the local and the ssh shell so both report
 * results and timeouts the same way.
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { exitCodeOf } from './hostShell';

export interface Collected {
  code: number;
  stdout: string;
  stderr: string;
  /** The deadline passed and the process was killed. */
  timedOut: boolean;
  /** The process could not be started (ENOENT, ...). */
  spawnError?: Error;
}

/** Output beyond this many bytes per stream is cut (a command's output is for checks and logs, not data). */
const OUTPUT_LIMIT = 4 * 1024 * 1024;

export function collectProcess(child: ChildProcess, opts: { input?: string | Buffer; timeoutMs: number }): Promise<Collected> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout?.on('data', (b: Buffer) => {
      if (outBytes < OUTPUT_LIMIT) out.push(b);
      outBytes += b.length;
    });
    child.stderr?.on('data', (b: Buffer) => {
      if (errBytes < OUTPUT_LIMIT) err.push(b);
      errBytes += b.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (e) => {
      spawnError = e;
    });
    // 'close' comes after the streams ended, so the output is complete.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: exitCodeOf(code, signal, constants.signals as Record<string, number>),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ...(spawnError ? { spawnError } : {}),
      });
    });
    if (child.stdin) {
      // A command that exits without reading its stdin closes the pipe: EPIPE is its choice, not our failure.
      child.stdin.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') spawnError ??= e;
      });
      child.stdin.end(opts.input ?? '');
    }
  });
}
