/**
 * Quitting stops the cluster first, so no node process outlives the app.
 *
 * `before-quit` cannot wait for a promise, so the first one is cancelled, the lab is shut
 * down, and then the app exits with `app.exit` (which does not emit `before-quit` again).
 * Shutdown is bounded: if the lab hangs, the app still exits after `timeoutMs`; the node
 * processes then see their parent's IPC channel close and exit on their own.
 */
import { app } from 'electron';
import type { LabService } from '../src/contract/labService';
import { errorMessage } from '../src/lab/api/dispatch';

export function shutdownLabOnQuit(getLab: () => LabService | null, timeoutMs = 15_000): void {
  let state: 'running' | 'stopping' | 'done' = 'running';

  app.on('before-quit', (event) => {
    if (state === 'done') return;
    const lab = getLab();
    if (lab === null) {
      state = 'done';
      return;
    }
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    void stopWithin(lab, timeoutMs).then((exitCode) => {
      state = 'done';
      app.exit(exitCode);
    });
  });

  // Ctrl+C in the terminal that launched the app, or a service manager's SIGTERM: take the
  // same path as the Quit menu item rather than dying with the cluster still running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => app.quit());
  }
}

/** Resolves with the exit code: 0 when the lab shut down cleanly in time, else 1. */
async function stopWithin(lab: LabService, timeoutMs: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([lab.shutdown().then(() => 'done' as const), timedOut]);
    if (outcome === 'timeout') {
      console.error(`the lab did not shut down within ${timeoutMs} ms; exiting anyway`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.error(`the lab failed to shut down: ${errorMessage(err)}`);
    return 1;
  } finally {
    clearTimeout(timer);
  }
}
