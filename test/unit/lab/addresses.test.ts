/**
 * Endpoint allocation (src/lab/addresses.ts): tcp sockets bind a wildcard port and nothing
 * picks a port by binding and releasing it (issue 9's race); ipc paths stay short and unique.
 */
import { describe, expect, it } from 'vitest';
import { Pull } from 'zeromq';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { AddressAllocator, tcpWildcard } from '../../../src/lab/addresses';
import * as addresses from '../../../src/lab/addresses';

describe('AddressAllocator', () => {
  it('hands out tcp wildcard endpoints on its host, never a concrete port', () => {
    const a = new AddressAllocator('tcp');
    expect(a.next('peer1')).toBe('tcp://127.0.0.1:*');
    expect(new AddressAllocator('tcp', '10.0.0.7').next('peer1')).toBe('tcp://10.0.0.7:*');
    expect(tcpWildcard('::1')).toBe('tcp://[::1]:*');
    // The bind-and-release helper is gone: no caller can bring the race back.
    expect(Object.keys(addresses)).not.toContain('freeTcpPort');
  });

  it('a wildcard endpoint binds, and the socket tells the port the kernel picked', async () => {
    const sockets = [new Pull({ linger: 0 }), new Pull({ linger: 0 })];
    try {
      const ends: string[] = [];
      for (const s of sockets) {
        await s.bind(new AddressAllocator('tcp').next('peer'));
        ends.push(s.lastEndpoint!);
      }
      for (const e of ends) expect(e).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(ends[0]).not.toBe(ends[1]);
    } finally {
      for (const s of sockets) s.close();
    }
  });

  it('gives ipc sockets distinct short paths in a directory of its own, removed on dispose', () => {
    const a = new AddressAllocator('ipc');
    const p1 = a.next('peer1');
    const p2 = a.next('peer1');
    expect(p1).toMatch(/^ipc:\/\//);
    expect(p1).not.toBe(p2);
    expect(Buffer.byteLength(p1)).toBeLessThan(107);
    const dir = dirname(p1.slice('ipc://'.length));
    expect(existsSync(dir)).toBe(true);
    a.dispose();
    expect(existsSync(dir)).toBe(false);
  });
});
