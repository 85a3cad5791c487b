import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/contract/runEvents';
import { clockRows } from '../../../renderer/src/model/clockBounds';

const clock = (t: number, node: number, offsetMs: number, boundMs: number): RunEvent => ({ t, node, type: 'clock', host: `h${node}`, offsetMs, boundMs, delayMs: 2 * boundMs, samples: 8 });

describe('clockRows (the time-travel panel\'s remote clocks)', () => {
  it('keeps each node\'s newest estimate and the widest bound it ever had, whatever order the events come in', () => {
    const rows = clockRows([clock(20, 3, 0.5, 0.2), clock(10, 2, 1, 0.9), clock(5, 3, 0.4, 0.7), clock(30, 2, 1.2, 0.3)]);
    expect(rows).toEqual([
      { node: 2, host: 'h2', offsetMs: 1.2, boundMs: 0.3, widestMs: 0.9 },
      { node: 3, host: 'h3', offsetMs: 0.5, boundMs: 0.2, widestMs: 0.7 },
    ]);
  });

  it('has no row for a local cluster (no clock events)', () => {
    expect(clockRows([{ t: 1, node: 1, type: 'role', role: 'leader', term: 2 } as RunEvent])).toEqual([]);
  });
});
