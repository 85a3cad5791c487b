/**
 * The bandwidth fault is tc tbf on a remote host (docs/multi-host.md, "Bandwidth limits"):
 * the fault controller refuses it, saying why, on a cluster without remote hosts and for a
 * node that runs on the lab's machine, before anything is run or recorded.
 */
import { describe, expect, it } from 'vitest';
import { FaultController } from '../../../src/lab/cluster/faultController';
import type { NodeFleet } from '../../../src/lab/cluster/nodeFleet';
import type { HostsLauncher } from '../../../src/lab/hosts/hostsLauncher';

function controller(hosts: Partial<HostsLauncher> | null) {
  const recorded: unknown[] = [];
  const fleet = { hosts } as unknown as NodeFleet;
  const c = new FaultController({ fleet, nodes: () => [1, 2, 3], leader: () => 1, voters: () => [1, 2, 3], random: () => 0, record: (ev) => recorded.push(ev), warn: () => undefined });
  return { c, recorded };
}

describe('a bandwidth limit where the lab has no kernel to change', () => {
  it('is refused on a cluster whose nodes all run on this machine', async () => {
    const { c, recorded } = controller(null);
    await expect(c.apply({ kind: 'bandwidth', node: 2, rateKbit: 256 })).rejects.toThrow(
      /this cluster has no remote hosts: a bandwidth limit is tc tbf on a remote host's network device: kernel-level, it needs a remote host with root .*docs\/multi-host\.md/,
    );
    expect(recorded).toEqual([]);
    expect(c.plan.bandwidth.size).toBe(0);
  });

  it('is refused for a node placed on this machine in a cluster that has remote hosts', async () => {
    let ran = false;
    const { c, recorded } = controller({
      remote: true,
      remoteHostOf: (n: number) => (n === 3 ? null : { index: n - 1, name: `h${n}` }),
      limitBandwidth: () => {
        ran = true;
        return Promise.reject(new Error('not to be called'));
      },
    } as Partial<HostsLauncher>);
    await expect(c.apply({ kind: 'bandwidth', node: 3, rateKbit: 256 })).rejects.toThrow(/node 3 runs on this machine, not on a remote host/);
    expect(ran).toBe(false);
    expect(recorded).toEqual([]);
  });

  it('names the node when it is not in the cluster', async () => {
    const { c } = controller(null);
    await expect(c.apply({ kind: 'bandwidth', node: 9, rateKbit: 256 })).rejects.toThrow(/there is no node 9 in this cluster/);
  });
});
