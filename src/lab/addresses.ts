/**
 * Endpoint allocation for a cluster. TCP ports are taken by binding a port and releasing it
 * (the node binds it again a moment later). That leaves a race (issue 9, still open: the fix
 * at the right depth is nodes binding port 0 and reporting their endpoint in `ready`). Its
 * common loser was the run itself: a 25-node start allocates 75 ports from the kernel's
 * ephemeral range, and the nodes' own outgoing ZeroMQ connections draw from that same range,
 * so one of them could take a port a later node was about to bind ("Address already in use",
 * seen in the 25-node e2e start). Listening ports are therefore picked below the ephemeral
 * range, where outgoing connections never land; port 0 stays the fallback. ipc:// paths live
 * in a short per-run directory because libzmq limits them to 107 bytes.
 */
import { createServer } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeOwnedTempDir } from './leftovers';

/** Binds `port` on loopback and releases it; the port bound (the kernel's pick for 0), or null if taken. */
function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(null) : reject(err)));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('could not read the bound port'));
      srv.close(() => resolve(addr.port));
    });
  });
}

/** The kernel's ephemeral port range (Linux), or null where it cannot be read. */
export function ephemeralPortRange(): { low: number; high: number } | null {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low ? { low, high } : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Where listening ports are drawn from: [10000, start of the ephemeral range), when that leaves room. */
const LISTEN_LOW = 10_000;

export async function freeTcpPort(random: () => number = Math.random): Promise<number> {
  const eph = ephemeralPortRange();
  if (eph && eph.low - LISTEN_LOW >= 1000) {
    for (let i = 0; i < 20; i++) {
      const port = await tryPort(LISTEN_LOW + Math.floor(random() * (eph.low - LISTEN_LOW)));
      if (port !== null) return port;
    }
  }
  const port = await tryPort(0);
  if (port === null) throw new Error('no free TCP port on 127.0.0.1');
  return port;
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
