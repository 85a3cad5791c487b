/** Shared helpers for the transport tests: condition waits with deadlines, temp ipc dirs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor as waitUntil } from '../../integration/helpers/waitFor';

/**
 * Polls `condition` until true; fails with `what` after `timeoutMs`. The transport tests'
 * short form of the one waitFor (test/integration/helpers/waitFor.ts).
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  await waitUntil(condition, { what, timeoutMs, intervalMs: 5 });
}

/**
 * Repeats `action` every few ms until `condition` holds: how a sender finds out that a
 * freshly connected ZeroMQ link is up (sends before the handshake are dropped, by design).
 */
export async function repeatUntil(action: () => void, condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  await waitUntil(
    () => {
      if (condition()) return true;
      action();
      return false;
    },
    { what, timeoutMs, intervalMs: 10 },
  );
}

/** A short temp directory for ipc:// sockets (paths must stay under 107 bytes). */
export function ipcDir(): { dir: string; endpoint: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rl-'));
  return {
    dir,
    endpoint: (name) => `ipc://${join(dir, name)}`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
