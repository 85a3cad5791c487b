/** The `preCandidate` flag of role telemetry (thesis §9.6): optional, a boolean when present. */
import { describe, expect, it } from 'vitest';
import { validateTelemetryBatch } from '../../../src/contract/telemetry';

const batch = (role: Record<string, unknown>) => ({ node: 1, seq: 0, events: [{ t: 1, type: 'role', role: 'candidate', term: 3, leader: null, ...role }] });

describe('role telemetry preCandidate', () => {
  it('accepts the flag, and its absence (older nodes and recordings)', () => {
    expect(validateTelemetryBatch(batch({ preCandidate: true })).ok).toBe(true);
    expect(validateTelemetryBatch(batch({ preCandidate: false })).ok).toBe(true);
    expect(validateTelemetryBatch(batch({})).ok).toBe(true);
  });

  it('refuses anything but a boolean, naming the field', () => {
    const r = validateTelemetryBatch(batch({ preCandidate: 'yes' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/preCandidate/);
  });
});
