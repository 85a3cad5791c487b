/**
 * The lab API a reconnecting page and the faults panel rely on, against real node processes:
 *   - run:history holds every event emitted before it was asked (the recording is flushed
 *     first), so a subscriber that asks after subscribing misses nothing;
 *   - LabState.faults lists each fault in force, dated, and fault:remove undoes one of them
 *     (the nodes' link rules and the other faults stay), recorded as a heal of that fault.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/contract/runEvents';
import type { LabState } from '../../src/contract/labApi';
import { withDefaults } from '../../src/contract/clusterOptions';
import { useClusterTeardown } from './helpers/lifecycle';
import { waitFor } from './helpers/waitFor';
import { openTestLab } from './helpers/testLab';

useClusterTeardown();

describe('run:history and fault:remove (the lab side of reload-safe views and the faults panel)', () => {
  it('history has everything pushed so far; one fault is removed while the others stay', async () => {
    const { lab } = await openTestLab('history');
    const pushed: RunEvent[] = [];
    lab.subscribe((channel, payload) => {
      if (channel === 'lab:events') pushed.push(...(payload as { events: RunEvent[] }).events);
    });
    await lab.handle('cluster:start', { options: withDefaults({ nodes: 3, electionTimeoutMinMs: 300, electionTimeoutMaxMs: 600, heartbeatMs: 60, workload: { clients: 0 } }) });
    await waitFor(() => lab.current?.leader() ?? null, { what: 'a leader', timeoutMs: 20_000, intervalMs: 50 });

    // Everything pushed before the request is in the answer, in the same order.
    const seenBefore = pushed.length;
    const history = await lab.handle('run:history', {});
    expect(history.running).toBe(true);
    expect(history.events[0]).toMatchObject({ type: 'run', phase: 'started' });
    const recorded = new Set(history.events.map((e) => JSON.stringify(e)));
    const missing = pushed.slice(0, seenBefore).filter((e) => !recorded.has(JSON.stringify(e)));
    expect(missing, 'pushed events the history lacks').toEqual([]);

    await lab.handle('fault:apply', { fault: { kind: 'link', from: 1, to: 2, symmetric: true, jitterMs: 20, duplicate: 0.1 } });
    let state: LabState = await lab.handle('fault:apply', { fault: { kind: 'clock', node: 3, rate: 2 } });
    expect(state.faults?.map((f) => f.id)).toEqual(['link:1-2', 'clock:3']);
    expect(state.faults?.[0].description).toBe('link 1 ↔ 2: ±20 ms jitter, duplicate 10%');
    expect(state.faults?.every((f) => typeof f.since === 'number' && f.since > 0)).toBe(true);

    state = await lab.handle('fault:remove', { id: 'link:1-2' });
    expect(state.faults?.map((f) => f.id), 'the clock fault stays').toEqual(['clock:3']);
    expect(lab.current?.faults.rulesFor(1), 'node 1 has no link rules left').toEqual([]);
    await expect(lab.handle('fault:remove', { id: 'link:1-2' })).rejects.toThrow(/no link:1-2 fault in force/);
    state = await lab.handle('fault:remove', { id: 'clock:3' });
    expect(state.faults).toEqual([]);

    const heals = (await lab.handle('run:history', {})).events.filter((e) => e.type === 'fault' && e.action === 'heal');
    expect(heals.map((e) => (e as { fault: { kind: string } }).fault.kind)).toEqual(['link', 'clock']);

    await lab.handle('cluster:stop', {});
    const after = await lab.handle('run:history', {});
    expect(after.running).toBe(false);
    expect(after.events.at(-1)).toMatchObject({ type: 'run', phase: 'stopped' });
  });
});
