/**
 * Control commands from the lab to a node are acknowledged once in force, and the node
 * reports the resulting fault state as 'faultRules' telemetry (what the renderer shows).
 * A bad command is refused with a reason, never half-applied.
 */
import { describe, expect, it } from 'vitest';
import type { LinkRule } from '../../src/contract/control';
import type { NodeId } from '../../src/raft/types';
import { kvTargetOf, TestKvClient } from './helpers/kvClient';
import { onCleanup, useClusterTeardown } from './helpers/lifecycle';
import { TestCluster, type EventOf } from './helpers/testCluster';
import { waitFor } from './helpers/waitFor';

useClusterTeardown();

/** Waits for the node's next 'faultRules' event after `from` that satisfies `match`. */
function nextFaultRules(tc: TestCluster, node: NodeId, from: number, match: (e: EventOf<'faultRules'>) => boolean): Promise<EventOf<'faultRules'>> {
  return waitFor(() => tc.eventsOf('faultRules', node, from).find(match), {
    timeoutMs: 5000,
    what: `a matching faultRules event from node ${node}`,
    describe: () => JSON.stringify(tc.eventsOf('faultRules', node, from)),
  });
}

describe('control commands', () => {
  it('setLinkRules, setTimerRate and setFsyncDelay are acknowledged and reflected in faultRules telemetry', async () => {
    const tc = await TestCluster.start({ options: { nodes: 3, fsync: 'always' }, label: 'control' });
    const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15_000 });
    const node = tc.ids().find((id) => id !== leader)!;
    const rules: LinkRule[] = [
      { peer: leader, direction: 'out', delayMs: 5, jitterMs: 2 },
      { peer: leader, direction: 'in', drop: 0.01 },
    ];

    let mark = tc.mark();
    expect(await tc.cluster.control(node, { cmd: 'setLinkRules', rules })).toMatchObject({ ok: true });
    const afterRules = await nextFaultRules(tc, node, mark, () => true);
    expect(afterRules).toMatchObject({ rules, timerRate: 1, fsyncDelayMs: 0 });

    mark = tc.mark();
    expect(await tc.cluster.control(node, { cmd: 'setTimerRate', factor: 2 })).toMatchObject({ ok: true });
    expect(await nextFaultRules(tc, node, mark, () => true)).toMatchObject({ rules, timerRate: 2, fsyncDelayMs: 0 });

    mark = tc.mark();
    expect(await tc.cluster.control(node, { cmd: 'setFsyncDelay', ms: 15 })).toMatchObject({ ok: true });
    expect(await nextFaultRules(tc, node, mark, () => true)).toMatchObject({ rules, timerRate: 2, fsyncDelayMs: 15 });

    // Out-of-range values are refused with a reason, and change nothing: the control
    // declaration's bounds (LIMITS in src/contract/limits.ts) stop them before they are sent.
    mark = tc.mark();
    await expect(tc.cluster.control(node, { cmd: 'setTimerRate', factor: 0 })).rejects.toThrow(/refused setTimerRate: .*factor/);
    await expect(tc.cluster.control(node, { cmd: 'setFsyncDelay', ms: -5 })).rejects.toThrow(/refused setFsyncDelay: .*ms/);
    await expect(tc.cluster.control(node, { cmd: 'setTimerRate', factor: 500 })).rejects.toThrow(/refused setTimerRate: .*factor: expected a number in \[0\.01, 100\]/);
    expect(tc.eventsOf('faultRules', node, mark)).toEqual([]);

    // Clearing: every rule gone, clock and disk back to normal.
    mark = tc.mark();
    await tc.cluster.control(node, { cmd: 'setLinkRules', rules: [] });
    await tc.cluster.control(node, { cmd: 'setTimerRate', factor: 1 });
    await tc.cluster.control(node, { cmd: 'setFsyncDelay', ms: 0 });
    await nextFaultRules(tc, node, mark, (e) => e.rules.length === 0 && e.timerRate === 1 && e.fsyncDelayMs === 0);

    // The disk delay is real: on the leader every write waits for it (a leader counts
    // itself in the quorum only once its own entry is durable, §5.3/§10.2.1 of the thesis).
    await tc.cluster.control(leader, { cmd: 'setFsyncDelay', ms: 40 });
    const client = new TestKvClient(kvTargetOf(tc));
    onCleanup(() => client.close());
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      expect(await client.put(`slow-${i}`, 'x')).toMatchObject({ status: 'ok' });
      expect(performance.now() - start).toBeGreaterThanOrEqual(40);
    }
    expect(tc.violations()).toEqual([]);
  });
});
