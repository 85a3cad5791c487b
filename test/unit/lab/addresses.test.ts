import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { ephemeralPortRange, freeTcpPort } from '../../../src/lab/addresses';

const listen = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(() => new Promise((r) => srv.close(() => r()))));
  });

describe('freeTcpPort (listening ports for nodes)', () => {
  it('draws from below the ephemeral range, where the nodes\' own outgoing connections never land', async () => {
    const eph = ephemeralPortRange();
    const port = await freeTcpPort();
    if (eph) expect(port).toBeLessThan(eph.low);
    // And it is free: a node can bind it.
    const close = await listen(port);
    await close();
  });

  it('skips a port that is taken and still finds a free one', async () => {
    const taken = await freeTcpPort();
    const close = await listen(taken);
    try {
      // The first draw hits the taken port; the next ones move on.
      let calls = 0;
      const eph = ephemeralPortRange();
      const span = eph ? eph.low - 10_000 : 1;
      const port = await freeTcpPort(() => (calls++ === 0 ? (taken - 10_000 + 0.5) / span : Math.random()));
      expect(port).not.toBe(taken);
    } finally {
      await close();
    }
  });
});
