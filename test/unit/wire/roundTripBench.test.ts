import { describe, expect, it } from 'vitest';
import { benchZmqRoundTrip } from '../../bench/zmqRoundTrip';

describe('benchZmqRoundTrip', () => {
  for (const transport of ['tcp', 'ipc'] as const) {
    it(`measures a two-process round trip over ${transport}`, async () => {
      const result = await benchZmqRoundTrip({ count: 300, warmup: 30, transport });
      expect(result.count).toBe(300);
      expect(result.p50Us).toBeGreaterThan(0);
      expect(result.p99Us).toBeGreaterThanOrEqual(result.p50Us);
      // A loopback round trip is well under 50 ms even on a busy machine.
      expect(result.p50Us).toBeLessThan(50_000);
    });
  }

  it('fails clearly when the echo script is missing', async () => {
    await expect(benchZmqRoundTrip({ echoScript: '/nonexistent/echo.mjs' })).rejects.toThrow(/echo script not found/);
  });
});
