/** OS process checks for tests that must prove no process is left behind. */
import { waitFor } from './waitFor';

/** True while a process with this pid exists (signal 0 probes without signalling). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but is not ours; ESRCH: it is gone.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until none of `pids` exists; fails naming the survivors. */
export async function waitForPidsGone(pids: number[], opts: { timeoutMs: number; what: string }): Promise<void> {
  await waitFor(() => pids.every((p) => !pidAlive(p)), {
    timeoutMs: opts.timeoutMs,
    intervalMs: 20,
    what: opts.what,
    describe: () => `still alive: ${pids.filter(pidAlive).join(', ') || 'none'}`,
  });
}

/** SIGKILLs whichever of `pids` still exist (cleanup after a failed test; ignores the gone). */
export function killSurvivors(pids: number[]): number[] {
  const killed: number[] = [];
  for (const pid of pids) {
    if (!pidAlive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return killed;
}
