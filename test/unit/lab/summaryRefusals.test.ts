/** summary.json's refusals per node: the core's counts from the metrics, summed over restarts (issue 9). */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/contract/runEvents';
import { computeSummary, countRefusals } from '../../../src/lab/export/summary';

const metrics = (t: number, node: number, refused?: Record<string, number>): RunEvent => ({ type: 'metrics', t, node, ...(refused ? { refused } : {}) }) as unknown as RunEvent;

describe('refusals in the summary', () => {
  it('takes the latest count per node and reason, and banks a count that restarted from zero', () => {
    const events = [
      metrics(1, 1, { malformed: 3 }),
      metrics(2, 1, { malformed: 7, unknown_sender: 1 }),
      // Node 1 restarted: its core counts from 0 again.
      metrics(3, 1, { malformed: 2 }),
      metrics(4, 2, {}),
      metrics(5, 3),
    ];
    expect(countRefusals(events)).toEqual({ '1': { malformed: 9, unknown_sender: 1 } });
    expect(computeSummary(events, [], { checkBudgetMs: 10 }).refusals).toEqual({ '1': { malformed: 9, unknown_sender: 1 } });
  });

  it('leaves the field out when nothing was refused', () => {
    expect(computeSummary([metrics(1, 1, {})], [], { checkBudgetMs: 10 }).refusals).toBeUndefined();
  });
});
