/** Node placement over the `hosts` option (src/lab/hosts/placement.ts; docs/multi-host.md). */
import { describe, expect, it } from 'vitest';
import { validateClusterOptions } from '../../../../src/contract/clusterOptions';
import { hasRemoteHosts, hostIndexOf, placeOf, placesOf } from '../../../../src/lab/hosts/placement';

describe('hosts and placement', () => {
  it('without hosts every node is local, as before hosts existed', () => {
    expect(placesOf({})).toEqual([{ kind: 'local' }]);
    expect(hasRemoteHosts({})).toBe(false);
    expect([1, 2, 3].map((id) => hostIndexOf({}, id))).toEqual([0, 0, 0]);
  });

  it('reads [user@]host[:port] and { ssh, address }', () => {
    expect(placeOf('root@10.0.0.2')).toEqual({ kind: 'ssh', name: 'root@10.0.0.2', destination: 'root@10.0.0.2', address: '10.0.0.2' });
    expect(placeOf('me@10.0.0.3:2222')).toMatchObject({ destination: 'ssh://me@10.0.0.3:2222', address: '10.0.0.3' });
    expect(placeOf({ ssh: 'h1', address: '10.231.4.11' })).toEqual({ kind: 'ssh', name: 'h1', destination: 'h1', address: '10.231.4.11' });
    expect(() => placeOf('h1')).toThrow(/needs the address its nodes bind/);
    expect(placeOf('localhost')).toEqual({ kind: 'local' });
  });

  it('places round-robin unless placement says otherwise', () => {
    const hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    expect([1, 2, 3, 4, 5].map((id) => hostIndexOf({ hosts }, id))).toEqual([0, 1, 2, 0, 1]);
    expect([1, 2, 3, 4].map((id) => hostIndexOf({ hosts, placement: [2, 2] }, id))).toEqual([2, 2, 2, 0]);
  });

  it('the options refuse what cannot work, naming the field', () => {
    expect(validateClusterOptions({ hosts: ['-oProxyCommand=x'] })).toHaveProperty('hosts.0');
    expect(validateClusterOptions({ hosts: ['a', 'b'], placement: [0, 2] })).toHaveProperty('placement');
    expect(validateClusterOptions({ hosts: ['10.0.0.2'], transport: 'ipc' })).toHaveProperty('transport');
    expect(validateClusterOptions({ hosts: [{ ssh: 'h1', address: 'eth0' }] })).not.toEqual({});
    expect(validateClusterOptions({ hosts: ['root@10.0.0.2', { ssh: 'h1', address: '10.0.0.9' }], placement: [1] })).toEqual({});
  });
});
