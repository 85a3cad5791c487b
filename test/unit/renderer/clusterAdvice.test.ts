import { describe, expect, it } from 'vitest';
import { adviseTimeouts } from '../../../renderer/src/components/clusterAdvice';

const twoCores = { cores: 2, labLagMs: 4, nodeLagMs: 10 };

describe('adviseTimeouts (the start panel warning)', () => {
  it('keeps quiet for the default 5 nodes at 150-300 ms on 2 cores', () => {
    expect(adviseTimeouts({ nodes: 5, electionTimeoutMinMs: 150, heartbeatMs: 50 }, twoCores).warning).toBeNull();
  });

  it('warns for 9 and 25 nodes at the defaults on 2 cores (the churn seen in issue 15) and suggests longer timeouts', () => {
    const nine = adviseTimeouts({ nodes: 9, electionTimeoutMinMs: 150, heartbeatMs: 50 }, twoCores);
    expect(nine.warning).toMatch(/9 nodes on 2 cores/);
    expect(nine.suggested).toEqual({ electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 60 });
    const big = adviseTimeouts({ nodes: 25, electionTimeoutMinMs: 150, heartbeatMs: 50 }, twoCores);
    expect(big.suggested.electionTimeoutMinMs).toBe(750);
    expect(adviseTimeouts({ nodes: 25, ...big.suggested }, twoCores).warning, 'the suggestion itself passes').toBeNull();
  });

  it('takes the measured loop lag into account', () => {
    const lagging = adviseTimeouts({ nodes: 3, electionTimeoutMinMs: 150, heartbeatMs: 50 }, { cores: 8, labLagMs: 400, nodeLagMs: null });
    expect(lagging.suggested.electionTimeoutMinMs).toBe(1200);
    expect(lagging.warning).toMatch(/400 ms late/);
  });

  it('warns when the heartbeat is more than half the election timeout', () => {
    expect(adviseTimeouts({ nodes: 3, electionTimeoutMinMs: 1000, heartbeatMs: 600 }, twoCores).warning).toMatch(/heartbeat of 600 ms/);
  });
});
