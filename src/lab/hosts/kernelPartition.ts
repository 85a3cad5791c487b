/**
 * Partitions made by the kernel of the hosts (the `partitions: "nft"` cluster option;
 * docs/multi-host.md, "Kernel partitions"), Jepsen's way: a host drops every packet from
 * the addresses of the hosts it is cut from. The rules live in one nft table of their own,
 * `inet raftlab`, so putting them in place, replacing them and removing them (also the
 * leftovers of a lab that died) never touches anyone else's rules.
 *
 * A host-level DROP cuts every node of one host from every node of the other, whatever
 * their ports (so a node restarted on a new port stays cut). A blocked pair of nodes is
 * therefore made by the kernel only when the partition cuts all of the two hosts' nodes
 * from each other in that direction; any other blocked pair (two nodes of one host, a host
 * whose nodes are on both sides, a node on the lab's machine) stays with the in-node filter
 * (src/node/faults), which the run's fault event says. The lab's own address is never
 * dropped (a host entry may be the lab's machine reached over ssh).
 *
 * Pure: the commands are strings; remoteHost.ts runs them.
 */
import type { NodeId } from '../../raft/types';

/** The dedicated table: `nft delete table inet raftlab` removes everything raftlab put there. */
export const NFT_TABLE = 'inet raftlab';

export interface KernelCut {
  /** Per remote host index: the source addresses its kernel drops (possibly none). */
  drops: Map<number, string[]>;
  /** The blocked pairs the kernel makes. */
  kernel: Array<[NodeId, NodeId]>;
  /** The blocked pairs left to the in-node filter. */
  filter: Array<[NodeId, NodeId]>;
}

/** Where a node runs, for the cut: its remote host's index and address, or null on this machine. */
export type NodeHost = (node: NodeId) => { host: number; address: string } | null;

/**
 * Splits `blocked` (ordered pairs a -> b that must not talk) between the kernel and the
 * filter. `nodes` is every node of the cluster; `remoteHosts` the indexes of every remote
 * host (each gets an entry in `drops`, empty when it drops nothing, so stale rules go).
 */
export function kernelCut(
  blocked: ReadonlyArray<readonly [NodeId, NodeId]>,
  nodes: readonly NodeId[],
  hostOf: NodeHost,
  remoteHosts: readonly number[],
  /** The lab's own address: never dropped, or the lab would lose the host's telemetry and control. */
  labAddress: string,
): KernelCut {
  const isBlocked = new Set(blocked.map(([a, b]) => `${a}>${b}`));
  const nodesOn = new Map<number, NodeId[]>();
  for (const n of nodes) {
    const h = hostOf(n);
    if (h) nodesOn.set(h.host, [...(nodesOn.get(h.host) ?? []), n]);
  }
  const drops = new Map<number, string[]>(remoteHosts.map((h) => [h, []]));
  const kernel: Array<[NodeId, NodeId]> = [];
  const filter: Array<[NodeId, NodeId]> = [];
  for (const [a, b] of blocked) {
    const ha = hostOf(a);
    const hb = hostOf(b);
    const hostWide =
      ha !== null &&
      hb !== null &&
      ha.host !== hb.host &&
      ha.address !== hb.address &&
      ha.address !== labAddress &&
      (nodesOn.get(ha.host) ?? []).every((x) => (nodesOn.get(hb.host) ?? []).every((y) => isBlocked.has(`${x}>${y}`)));
    if (!hostWide) {
      filter.push([a, b]);
      continue;
    }
    kernel.push([a, b]);
    const list = drops.get(hb.host) ?? [];
    if (!list.includes(ha.address)) list.push(ha.address);
    drops.set(hb.host, list);
  }
  for (const list of drops.values()) list.sort();
  return { drops, kernel, filter };
}

/**
 * The nft script (for `nft -f -`) that makes a host drop packets from `sources`, replacing
 * whatever the table held, in one transaction: the table is declared (so the delete never
 * fails on a fresh host), deleted, and made again. With no sources it only deletes.
 */
export function nftScript(sources: readonly string[]): string {
  const lines = [`table ${NFT_TABLE}`, `delete table ${NFT_TABLE}`];
  if (sources.length > 0) {
    lines.push(
      `table ${NFT_TABLE} {`,
      '  chain input {',
      // A drop in any base chain of the hook is final, whatever other tables accept.
      '    type filter hook input priority 0; policy accept;',
      `    ip saddr { ${sources.join(', ')} } drop`,
      '  }',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}
