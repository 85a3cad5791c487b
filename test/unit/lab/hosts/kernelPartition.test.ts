/**
 * Which cut links the hosts' kernels make (src/lab/hosts/kernelPartition.ts): a host drops
 * another host's address only when the partition cuts all their nodes apart in that
 * direction; every other blocked pair stays with the in-node filter.
 */
import { describe, expect, it } from 'vitest';
import { kernelCut, nftScript, NFT_TABLE } from '../../../../src/lab/hosts/kernelPartition';
import { resolvePartition } from '../../../../src/lab/partitions';

const ADDRESS = ['10.0.0.11', '10.0.0.12', '10.0.0.13'];
const LAB = '10.0.0.1';
/** Node n on host placement[n - 1] (null: the lab's machine). */
const hostsBy = (placement: Array<number | null>) => (n: number) => {
  const h = placement[n - 1];
  return h === null || h === undefined ? null : { host: h, address: ADDRESS[h] };
};
const never = () => 0;

describe('kernelCut', () => {
  it('isolating the leader with one node per host: every cut link is the kernel, each host drops the other side', () => {
    const p = resolvePartition({ preset: 'isolate-node', node: 1 }, [1, 2, 3], null, never);
    const cut = kernelCut(p.blocked, [1, 2, 3], hostsBy([0, 1, 2]), [0, 1, 2], LAB);
    expect(cut.filter).toEqual([]);
    expect(cut.kernel).toHaveLength(p.blocked.length);
    expect(cut.drops).toEqual(
      new Map([
        [0, ['10.0.0.12', '10.0.0.13']],
        [1, ['10.0.0.11']],
        [2, ['10.0.0.11']],
      ]),
    );
  });

  it('a host with nodes on both sides, two nodes of one host and a local node stay with the filter', () => {
    // Nodes 1 and 4 share host 0; node 5 runs on the lab's machine.
    const placement = [0, 1, 2, 0, null];
    const p = resolvePartition({ groups: [[1, 2], [3, 4, 5]] }, [1, 2, 3, 4, 5], null, never);
    const cut = kernelCut(p.blocked, [1, 2, 3, 4, 5], hostsBy(placement), [0, 1, 2], LAB);
    // Host 1 (node 2) and host 2 (node 3): all their nodes are apart, both ways.
    expect(cut.kernel).toEqual([
      [2, 3],
      [3, 2],
    ]);
    expect(cut.filter).toHaveLength(p.blocked.length - 2);
    expect(cut.drops).toEqual(
      new Map([
        [0, []],
        [1, ['10.0.0.13']],
        [2, ['10.0.0.12']],
      ]),
    );
  });

  it('never drops the lab address, and a healed plan leaves every host an empty drop list', () => {
    const labHosts = (n: number) => (n === 1 ? { host: 0, address: LAB } : { host: n - 1, address: ADDRESS[n - 1] });
    const p = resolvePartition({ preset: 'isolate-node', node: 1 }, [1, 2, 3], null, never);
    const cut = kernelCut(p.blocked, [1, 2, 3], labHosts, [0, 1, 2], LAB);
    expect(cut.filter).toEqual([
      [1, 2],
      [1, 3],
    ]);
    expect(kernelCut([], [1, 2, 3], hostsBy([0, 1, 2]), [0, 1, 2], LAB).drops).toEqual(new Map([[0, []], [1, []], [2, []]]));
  });
});

describe('nftScript', () => {
  it('replaces the raftlab table in one transaction, and only deletes it when nothing is dropped', () => {
    expect(nftScript(['10.0.0.12'])).toBe(
      [`table ${NFT_TABLE}`, `delete table ${NFT_TABLE}`, `table ${NFT_TABLE} {`, '  chain input {', '    type filter hook input priority 0; policy accept;', '    ip saddr { 10.0.0.12 } drop', '  }', '}', ''].join('\n'),
    );
    expect(nftScript([])).toBe(`table ${NFT_TABLE}\ndelete table ${NFT_TABLE}\n`);
  });
});
