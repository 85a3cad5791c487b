/**
 * Which host each node runs on (the `hosts` and `placement` cluster options,
 * src/contract/clusterOptions.ts; docs/multi-host.md). A node is placed by `placement[i]`
 * when given, otherwise round-robin over `hosts`. No hosts, or `localhost`: this machine,
 * exactly as before hosts existed.
 */
import type { ClusterOptions, HostEntry } from '../../contract/clusterOptions';

export type HostPlace =
  | { kind: 'local' }
  | {
      kind: 'ssh';
      /** The entry as the user wrote it (for messages). */
      name: string;
      /** What `ssh` is given: an alias, `user@host`, or `ssh://user@host:port`. */
      destination: string;
      /** The IPv4 address the host's nodes bind (and peers reach them at). */
      address: string;
    };

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** One hosts entry as a place; throws naming the entry when no bind address can be told. */
export function placeOf(entry: HostEntry): HostPlace {
  const ssh = typeof entry === 'string' ? entry : entry.ssh;
  if (ssh === 'localhost' && (typeof entry === 'string' || entry.address === undefined)) return { kind: 'local' };
  const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(ssh);
  if (!m) throw new Error(`hosts: ${JSON.stringify(ssh)} is not [user@]host[:port]`);
  const [, user, host, port] = m;
  const address = typeof entry === 'string' ? host : (entry.address ?? host);
  if (!IPV4.test(address)) {
    throw new Error(`hosts: ${JSON.stringify(ssh)} needs the address its nodes bind: write { ssh: "${ssh}", address: "<its IPv4 address>" }`);
  }
  const destination = port ? `ssh://${user ? `${user}@` : ''}${host}:${port}` : ssh;
  return { kind: 'ssh', name: ssh, destination, address };
}

/** The places of `options.hosts` (one local place without hosts). */
export function placesOf(options: Pick<ClusterOptions, 'hosts'>): HostPlace[] {
  return (options.hosts ?? ['localhost']).map(placeOf);
}

/** The index into `places` of node `id` (1-based ids): placement[id - 1], else round-robin (one rule with the renderer's). */
export { hostIndexOf } from '../../contract/clusterOptions';

/** True when some node may run off this machine. */
export function hasRemoteHosts(options: Pick<ClusterOptions, 'hosts'>): boolean {
  return placesOf(options).some((p) => p.kind === 'ssh');
}
