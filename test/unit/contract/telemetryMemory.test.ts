/**
 * The memory fields of metrics telemetry (heapUsedBytes, externalBytes; docs/performance.md,
 * memory per node): optional, so recordings and nodes from before them still decode.
 */
import { describe, expect, it } from 'vitest';
import { validateTelemetryBatch } from '../../../src/contract/telemetry';
import { TELEMETRY } from './codecFixtures';

const metrics = TELEMETRY.events.find((e) => e.type === 'metrics');
if (metrics === undefined) throw new Error('codecFixtures has no metrics event');
const batch = (extra: Record<string, unknown>) => ({ node: 1, seq: 0, events: [{ ...metrics, ...extra }] });

describe('metrics telemetry memory fields', () => {
  it('accepts heap and external bytes, and their absence', () => {
    expect(validateTelemetryBatch(batch({ heapUsedBytes: 40_000_000, externalBytes: 10_000_000 })).ok).toBe(true);
    expect(validateTelemetryBatch(batch({})).ok).toBe(true);
  });

  it('refuses a negative or fractional byte count, naming the field', () => {
    for (const bad of [{ heapUsedBytes: -1 }, { externalBytes: 1.5 }]) {
      const r = validateTelemetryBatch(batch(bad));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(Object.keys(bad)[0]);
    }
  });
});
