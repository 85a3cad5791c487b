/**
 * The pure parts of time travel (src/lab/timeTravel.ts): tying the journals' shared clock to
 * run time by paired role changes, and the request checks of the two channels
 * (src/contract/labApiValidate.ts). The whole path on a real recorded run is in
 * test/integration/lab.timeTravel.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/contract/runEvents';
import type { NodeReplay } from '../../../src/replay/nodeReplay';
import { validateRequest } from '../../../src/contract/labApiValidate';
import { alignClocks } from '../../../src/lab/timeTravel';

const EPOCH = 1_700_000_000_000;
const replay = (node: number, from: number) => ({ node, span: { from, to: from + 1000 } }) as unknown as NodeReplay;
const role = (node: number, t: number, r: string, term: number) => ({ type: 'role', node, t, role: r, term, leader: null }) as unknown as RunEvent;

describe('alignClocks', () => {
  it('pairs each replayed role change with the recorded one of the same node, role and term, skipping the startup event', () => {
    const events = [role(1, 100, 'follower', 0), role(1, 1500.2, 'candidate', 1), role(1, 1503.4, 'leader', 1), role(2, 120, 'follower', 0), role(2, 1502.1, 'follower', 1)];
    const steps = [
      { t: EPOCH + 1500.25, node: 1, role: 'candidate', term: 1, preCandidate: false },
      { t: EPOCH + 1503.43, node: 1, role: 'leader', term: 1, preCandidate: false },
      { t: EPOCH + 1502.12, node: 2, role: 'follower', term: 1, preCandidate: false },
    ];
    const a = alignClocks([replay(1, EPOCH + 90), replay(2, EPOCH + 110)], steps, events);
    expect(a.method).toBe('role events');
    expect(a.offset - EPOCH).toBeGreaterThan(0.01);
    expect(a.offset - EPOCH).toBeLessThan(0.06);
  });

  it('falls back to the ready events, then to the journals\' start, and says which', () => {
    const ready = [{ type: 'ready', node: 1, t: 95 } as unknown as RunEvent];
    expect(alignClocks([replay(1, EPOCH + 90)], [], ready)).toEqual({ offset: EPOCH - 5, method: 'ready events' });
    expect(alignClocks([replay(1, EPOCH + 90), replay(2, EPOCH + 80)], [], [])).toEqual({ offset: EPOCH + 80, method: 'journal start' });
  });
});

describe('time-travel requests', () => {
  it('accepts the documented shapes', () => {
    expect(validateRequest('run:stateAt', { atMs: 1234.5 }).ok).toBe(true);
    expect(validateRequest('run:stateAt', { runDir: '/tmp/run', atMs: 0 }).ok).toBe(true);
    expect(validateRequest('run:messages', { fromMs: 0, toMs: 10, maxItems: 100 }).ok).toBe(true);
  });

  it('refuses bad ones with a sentence naming the field', () => {
    expect(validateRequest('run:stateAt', {})).toEqual({ ok: false, error: 'run:stateAt request.atMs is required' });
    expect(validateRequest('run:stateAt', { atMs: Number.NaN })).toMatchObject({ ok: false, error: expect.stringMatching(/atMs must be a number/) });
    expect(validateRequest('run:messages', { fromMs: 10, toMs: 0, maxItems: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/toMs must not be before fromMs/) });
    expect(validateRequest('run:messages', { fromMs: 0, toMs: 1, maxItems: 0 })).toMatchObject({ ok: false, error: expect.stringMatching(/maxItems must be a whole number/) });
    expect(validateRequest('run:messages', { fromMs: 0, toMs: 1, maxItems: 5, extra: 1 })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown field "extra"/) });
  });
});
