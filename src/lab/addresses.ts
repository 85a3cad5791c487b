/**
 * The endpoints a cluster's sockets bind. TCP sockets bind a wildcard port (`tcp://HOST:*`,
 * ZeroMQ's "pick a free port"), and whoever bound it reads the real endpoint back
 * (`lastEndpoint`): the lab for its own control and telemetry sockets, each node for its
 * peer and client sockets, which it reports in its 'ready' telemetry. The lab then tells
 * the other nodes with `setPeer` (src/lab/cluster/peerDirectory.ts). Nothing picks a port by
 * binding and releasing it any more, which raced with every other process on the machine
 * (issue 9: "Address already in use" under load, when a port was taken between the lab's
 * release and the node's bind). A node on another host binds its host's address the same
 * way (docs/multi-host.md).
 *
 * ipc:// paths are still chosen here (a path cannot be a wildcard); they live in a short
 * per-run directory of ours, so nobody else takes them, and libzmq limits them to 107 bytes.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeOwnedTempDir } from './leftovers';

export class AddressAllocator {
  private ipcDir: string | null = null;
  private counter = 0;

  /** `host`: the address tcp sockets bind (loopback unless the cluster spans hosts). */
  constructor(
    private readonly transport: 'tcp' | 'ipc',
    private readonly host = '127.0.0.1',
  ) {}

  /** A bind endpoint for one socket: `tcp://HOST:*`, or a fresh ipc path. */
  next(label: string): string {
    if (this.transport === 'tcp') return tcpWildcard(this.host);
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

/** `tcp://HOST:*`, with an IPv6 host in brackets. */
export function tcpWildcard(host: string): string {
  return `tcp://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:*`;
}
