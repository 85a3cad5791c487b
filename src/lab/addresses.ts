/**
 * Endpoint allocation for a cluster. TCP ports are taken by binding port 0 and releasing
 * it (the node binds it again a moment later); the tiny race is retried by the node's
 * start-up failure being reported and the lab restarting it. ipc:// paths live in a short
 * per-run directory because libzmq limits them to 107 bytes.
 */
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeOwnedTempDir } from './leftovers';

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('could not read the bound port'));
      srv.close(() => resolve(addr.port));
    });
  });
}

export class AddressAllocator {
  private ipcDir: string | null = null;
  private counter = 0;

  constructor(private readonly transport: 'tcp' | 'ipc') {}

  async next(label: string): Promise<string> {
    if (this.transport === 'tcp') return `tcp://127.0.0.1:${await freeTcpPort()}`;
    // A short base (/tmp/rl-XXXXXX) keeps every path far below the 107-byte limit.
    // Marked with this lab, so the next start removes it if the lab dies first (leftovers.ts).
    this.ipcDir ??= makeOwnedTempDir('rl-');
    const path = join(this.ipcDir, `${label}-${++this.counter}.sock`);
    if (Buffer.byteLength(path) > 100) throw new Error(`ipc path too long for libzmq: ${path}`);
    return `ipc://${path}`;
  }

  /** Removes the ipc socket directory (the sockets are closed by then). */
  dispose(): void {
    if (this.ipcDir) rmSync(this.ipcDir, { recursive: true, force: true });
    this.ipcDir = null;
  }
}
