/**
 * The hand-written hot path (the msgpack writer codecWriter.ts, the pre-decode scan
 * codecScan.ts and msgpackr behind decodeFrame in codec.ts) and the schema-derived
 * validators (src/contract/control.ts, client.ts, telemetry.ts) must agree: a value the
 * declaration accepts survives encodeFrame/decodeFrame unchanged, and a value it refuses
 * is refused by decodeFrame as 'invalid' (never let through, never crashing the decoder).
 * Inputs: the codec fixtures, and random mutations of them (a field replaced by a random
 * JSON value, removed, or a foreign field added) from fast-check.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateClientRequestBatch, validateClientResponseBatch } from '../../../src/contract/client';
import { decodeFrame, encodeFrame, type FrameBodies, type FrameKind } from '../../../src/contract/codec';
import { validateControlReply, validateControlRequest } from '../../../src/contract/control';
import { validateTelemetryBatch } from '../../../src/contract/telemetry';
import type { ValidationResult } from '../../../src/contract/validateCore';
import { CLIENT_REQUESTS, CLIENT_RESPONSES, CLUSTER, CONTROL_REPLIES, CONTROL_REQUESTS, TELEMETRY } from './codecFixtures';

type SchemaKind = Exclude<FrameKind, 'raft'>;

const CASES: { kind: SchemaKind; validate: (v: unknown) => ValidationResult<unknown>; samples: unknown[] }[] = [
  { kind: 'client', validate: validateClientRequestBatch, samples: [{ requests: CLIENT_REQUESTS.requests.slice(0, 6) }] },
  { kind: 'clientReply', validate: validateClientResponseBatch, samples: [CLIENT_RESPONSES] },
  { kind: 'control', validate: validateControlRequest, samples: CONTROL_REQUESTS },
  { kind: 'controlReply', validate: validateControlReply, samples: CONTROL_REPLIES },
  { kind: 'telemetry', validate: validateTelemetryBatch, samples: [TELEMETRY] },
];

/** Every path to a value inside `v` (object keys and array indexes), the root excluded. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  const children: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : v !== null && typeof v === 'object' ? Object.entries(v) : [];
  for (const [key, child] of children) {
    out.push([...prefix, key]);
    paths(child, [...prefix, key], out);
  }
  return out;
}

type Mutation = { how: 'replace'; with: unknown } | { how: 'remove' } | { how: 'add'; key: string; with: unknown };

function mutate(value: unknown, path: (string | number)[], m: Mutation): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (m.how === 'replace') parent[last] = m.with;
  else if (m.how === 'remove') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[m.key] = m.with;
    else parent[last] = { [m.key]: m.with };
  }
  return copy;
}

// Values a hostile or buggy sender could put anywhere: the edges of every bound the
// declarations have, wrong types, and small random JSON.
const nasty = fc.oneof(
  fc.constantFrom(-1, 0, 1, 1.5, 2 ** 53, -0, 1e308, 'leader', '', 'x'.repeat(300), null, true, false, [], {}, [1, 2], { a: 1 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ how: fc.constant('replace' as const), with: nasty }),
  fc.constant({ how: 'remove' as const }),
  fc.record({ how: fc.constant('add' as const), key: fc.constantFrom('extra', 'toString', 'type', 'ok'), with: nasty }),
);

function roundTrip(kind: SchemaKind, value: unknown) {
  return decodeFrame(encodeFrame(kind, CLUSTER, value as FrameBodies[SchemaKind]), { clusterId: CLUSTER, kinds: [kind], maxBytes: 4 << 20 });
}

describe.each(CASES)('$kind frames: the hot-path codec and the declaration agree', ({ kind, validate, samples }) => {
  it('accepts every fixture, unchanged', () => {
    for (const sample of samples) {
      expect(validate(sample)).toEqual({ ok: true, value: sample });
      expect(roundTrip(kind, sample)).toMatchObject({ ok: true, kind, body: sample });
    }
  });

  it('accepts and refuses random mutations alike', () => {
    const sampleAndPath = fc.nat({ max: samples.length - 1 }).chain((i) => fc.tuple(fc.constant(samples[i]), fc.constantFrom(...paths(samples[i]))));
    fc.assert(
      fc.property(sampleAndPath, mutation, ([sample, path], m) => {
        const mutated = mutate(sample, path, m);
        const schema = validate(mutated);
        const frame = roundTrip(kind, mutated);
        if (schema.ok) {
          // What the declaration accepts crosses the wire as the declaration decodes it
          // (through JSON: the writer sends -0 as the integer 0, which is the same number).
          expect(frame.ok).toBe(true);
          if (frame.ok) expect(JSON.parse(JSON.stringify(frame.body))).toEqual(JSON.parse(JSON.stringify(schema.value)));
        } else {
          expect(frame).toMatchObject({ ok: false, reason: 'invalid' });
          // Both name the same problem: the codec's detail is the declaration's error.
          if (!frame.ok) expect(frame.detail).toContain(schema.error);
        }
      }),
      { numRuns: 300, seed: 8 },
    );
  });
});
