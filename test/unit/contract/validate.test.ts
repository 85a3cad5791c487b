import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeFrame, FRAME_KINDS, PROTOCOL_VERSION, type FrameKind } from '../../../src/contract/codec';
import { MsgpackWriter } from '../../../src/contract/codecWriter';
import { validateClientRequestBatch, validateClientResponseBatch } from '../../../src/contract/client';
import { validateControlReply, validateControlRequest, validateLinkRules } from '../../../src/contract/control';
import { LIMITS } from '../../../src/contract/limits';
import { validateRaftBatch } from '../../../src/contract/validateRaft';
import { validateTelemetryBatch } from '../../../src/contract/telemetry';
import { CLIENT_REQUESTS, CLUSTER, TELEMETRY } from './codecFixtures';

const packr = new Packr({ useRecords: false });

/** Packs an envelope with a foreign encoder and decodes it with our codec. */
function decodeBody(kind: FrameKind, body: unknown, maxBytes = 1 << 22) {
  return decodeFrame(packr.pack([PROTOCOL_VERSION, CLUSTER, kind, body]), { clusterId: CLUSTER, kinds: FRAME_KINDS, maxBytes });
}

/**
 * Raft frames are positional arrays only: a map anywhere in one is refused by the
 * pre-decode scan (codecScan.ts) as 'bounds', before any object is built.
 */
function expectMapRefused(body: unknown) {
  expect(decodeBody('raft', body), JSON.stringify(body)?.slice(0, 200)).toMatchObject({ ok: false, reason: 'bounds', detail: expect.stringMatching(/map/) });
}

function expectInvalid(kind: FrameKind, body: unknown, detail?: RegExp) {
  const result = decodeBody(kind, body);
  expect(result, JSON.stringify(body)?.slice(0, 200)).toMatchObject({ ok: false, reason: 'invalid' });
  if (detail && !result.ok) expect(result.detail).toMatch(detail);
}

const bin = (...b: number[]) => Uint8Array.from(b);
const vote = (over: Partial<Record<number, unknown>> = {}) => {
  const t: unknown[] = [1, 1, 2, 5, 10, 4, false, false];
  for (const [i, v] of Object.entries(over)) t[Number(i)] = v;
  return t;
};

describe('Raft body validation', () => {
  it('accepts a well-formed tuple and rejects each wrong field type', () => {
    expect(decodeBody('raft', [vote()])).toMatchObject({ ok: true, body: { messages: [{ type: 'vote', term: 5 }] } });
    expectInvalid('raft', [vote({ 3: -1 })], /\[0\]\[3\].*non-negative integer/);
    expectInvalid('raft', [vote({ 3: 1.5 })]);
    expectInvalid('raft', [vote({ 3: NaN })]);
    expectInvalid('raft', [vote({ 3: Infinity })]);
    expectInvalid('raft', [vote({ 3: 2 ** 53 })]);
    expectInvalid('raft', [vote({ 3: '5' })]);
    expectInvalid('raft', [vote({ 1: 0 })], /node id/);
    expectInvalid('raft', [vote({ 2: -3 })], /node id/);
    expectInvalid('raft', [vote({ 6: 0 })], /boolean/);
    expectInvalid('raft', [vote({ 0: 9 })], /unknown message type/);
    expectInvalid('raft', [vote({ 0: 'vote' })], /unknown message type/);
    expectInvalid('raft', [[...vote(), true]], /8 fields/);
    expectInvalid('raft', [vote().slice(0, 7)]);
    expectInvalid('raft', [[1, 1, 2]], /too short/);
    expectMapRefused([{ type: 'vote' }]);
    expectInvalid('raft', [], /empty/);
    expectMapRefused({ 0: vote() });
  });

  it('checks entries: kind codes, config presence, bytes, id sets', () => {
    const append = (entries: unknown[]) => [[3, 1, 2, 5, 0, 0, entries, 0, 0]];
    expect(decodeBody('raft', append([[1, 5, 0, bin(1)], [2, 5, 2, bin(), [[1, 2]]]])).ok).toBe(true);
    expectInvalid('raft', append([[1, 5, 3, bin(1)]]), /entry kind/);
    expectInvalid('raft', append([[1, 5, 0, 'data']]), /bytes/);
    expectInvalid('raft', append([[1, 5, 0, [1, 2]]]), /bytes/);
    expectInvalid('raft', append([[1, 5, 2, bin()]]), /config entry tuple must have 5/);
    expectInvalid('raft', append([[1, 5, 0, bin(), [[1]]]]), /4 fields/);
    expectInvalid('raft', append([[1, 5, 2, bin(), [[1, 1]]]]), /duplicate/);
    expectInvalid('raft', append([[1, 5, 2, bin(), [[1, 0]]]]), /node id/);
    expectInvalid('raft', append([[1, 5, 2, bin(), [[1], [2], [3], [4]]]]), /1, 2 or 3 fields/);
    expectMapRefused(append([[1, 5, 2, bin(), { voters: [1] }]]));
    expectMapRefused(append([{ index: 1 }]));
    expectInvalid('raft', [[3, 1, 2, 5, 0, 0, 'entries', 0, 0]], /array of entries/);
  });

  it('carries the AppendEntries stamp both ways and the snapshot checksum (src/raft stale rejections and §7 checks)', () => {
    const ok = (t: unknown[]) => decodeBody('raft', [t]);
    expect(ok([3, 1, 2, 5, 0, 0, [], 0, 42])).toMatchObject({ ok: true, body: { messages: [{ type: 'append', seq: 42 }] } });
    expectInvalid('raft', [[3, 1, 2, 5, 0, 0, [], 0]], /append tuple must have 9 fields/);
    expectInvalid('raft', [[3, 1, 2, 5, 0, 0, [], 0, -1]], /non-negative integer/);
    expect(ok([4, 2, 1, 5, false, 0, 3, 1, 2, 42])).toMatchObject({ ok: true, body: { messages: [{ type: 'appendResp', seq: 42 }] } });
    expectInvalid('raft', [[4, 2, 1, 5, false, 0, 3, 1, 2]], /appendResp tuple must have 10 fields/);
    const snap = (checksum: unknown) => [7, 1, 2, 5, 10, 4, [[1, 2, 3]], bin(1, 2), checksum];
    expect(ok(snap(0xffffffff))).toMatchObject({ ok: true, body: { messages: [{ type: 'snapshot', checksum: 0xffffffff }] } });
    expectInvalid('raft', [snap(2 ** 32)], /32-bit checksum/);
    expectInvalid('raft', [snap(1.5)], /32-bit checksum/);
    expectInvalid('raft', [snap(-1)], /32-bit checksum/);
    expectInvalid('raft', [[7, 1, 2, 5, 10, 4, [[1, 2, 3]], bin(1, 2)]], /snapshot tuple must have 9 fields/);
  });

  it('bounds message and entry counts', () => {
    const w = new MsgpackWriter();
    const frameWithEntries = (count: number) => {
      w.reset();
      w.arrayHeader(4);
      w.number(1);
      w.string(CLUSTER);
      w.string('raft');
      w.arrayHeader(1);
      w.arrayHeader(9);
      for (const v of [3, 1, 2, 5, 0, 0]) w.number(v);
      w.arrayHeader(count);
      for (let i = 0; i < count; i++) {
        w.arrayHeader(4);
        w.number(i + 1);
        w.number(5);
        w.number(1);
        w.bytes(new Uint8Array(0));
      }
      w.number(0); // commit
      w.number(0); // seq
      return w.finish();
    };
    const expected = { clusterId: CLUSTER, kinds: ['raft' as const], maxBytes: 1 << 24 };
    expect(decodeFrame(frameWithEntries(LIMITS.entriesPerMessage), expected).ok).toBe(true);
    expect(decodeFrame(frameWithEntries(LIMITS.entriesPerMessage + 1), expected)).toMatchObject({ ok: false, reason: 'invalid' });
    const tooMany = Array.from({ length: LIMITS.raftMessagesPerFrame + 1 }, () => [8, 1, 2, 3]);
    expectInvalid('raft', tooMany, /more than/);
  });

  it('is exposed as a non-throwing validator', () => {
    expect(validateRaftBatch([[8, 1, 2, 3]])).toEqual({ ok: true, value: [{ type: 'timeoutNow', from: 1, to: 2, term: 3 }] });
    expect(validateRaftBatch(null)).toMatchObject({ ok: false });
  });
});

describe('Raft body ids (message ids, src/contract/debug.ts)', () => {
  it('takes one number per message and refuses a list that does not match', () => {
    const m = vote();
    expect(decodeBody('raft', [2, [7], [m]])).toMatchObject({ ok: true, body: { ids: { incarnation: 2, ns: [7] } } });
    expectInvalid('raft', [2, [7, 8], [m]], /2 message numbers for 1 messages/);
    expectInvalid('raft', [2, [-1], [m]], /message number 0/);
    expectInvalid('raft', [-2, [1], [m]], /incarnation/);
    expectInvalid('raft', [2, [1]], /expected \[incarnation, ids, messages\]/);
  });
});

describe('client body validation', () => {
  const request = (over: Record<string, unknown> = {}) => ({ client: 'c', seq: 1, op: { op: 'put', key: 'k', value: 'v' }, ...over });

  it('rejects wrong types, extra or missing fields, unknown ops and oversized strings', () => {
    expect(decodeBody('client', { requests: [request()] }).ok).toBe(true);
    expectInvalid('client', { requests: [request({ seq: -1 })] }, /requests\[0\]\.seq/);
    expectInvalid('client', { requests: [request({ client: '' })] }, /shorter/);
    expectInvalid('client', { requests: [request({ extra: 1 })] }, /unexpected field/);
    expectInvalid('client', { requests: [{ client: 'c', seq: 1 }] }, /missing field "op"/);
    expectInvalid('client', { requests: [request({ op: { op: 'incr', key: 'k' } })] }, /unknown op/);
    expectInvalid('client', { requests: [request({ op: { op: 'get', key: 'k', value: 'v' } })] }, /unexpected field/);
    expectInvalid('client', { requests: [request({ op: { op: 'put', key: 'k'.repeat(LIMITS.keyLength + 1), value: 'v' } })] }, /longer/);
    expectInvalid('client', { requests: [request({ op: { op: 'put', key: 7, value: 'v' } })] }, /string/);
    expectInvalid('client', { requests: [request({ op: [] })] }, /object/);
    expectInvalid('client', { requests: request() }, /array/);
    expectInvalid('client', { requests: [], more: [] }, /unexpected field/);
    expectInvalid('client', [request()], /object/);
  });

  it('neutralizes __proto__ keys: they are unexpected fields, and nothing is polluted', () => {
    const hostile = JSON.parse('{"client":"c","seq":1,"op":{"op":"get","key":"k"},"__proto__":{"polluted":true}}') as object;
    expectInvalid('client', { requests: [hostile] }, /unexpected field/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds batch length', () => {
    const many = Array.from({ length: LIMITS.clientRequestsPerBatch + 1 }, (_, i) => request({ seq: i }));
    expectInvalid('client', { requests: many }, /longer than/);
  });

  it('checks responses per status', () => {
    expect(validateClientResponseBatch({ responses: [{ client: 'c', seq: 1, status: 'ok', value: null, index: 3 }] }).ok).toBe(true);
    expect(validateClientResponseBatch({ responses: [{ client: 'c', seq: 1, status: 'ok', value: null }] }).ok).toBe(false);
    expect(validateClientResponseBatch({ responses: [{ client: 'c', seq: 1, status: 'fail', error: 'timeout' }] }).ok).toBe(false);
    expect(validateClientResponseBatch({ responses: [{ client: 'c', seq: 1, status: 'info', error: 'timeout', leader: 2 }] }).ok).toBe(false);
    expect(validateClientResponseBatch({ responses: [{ client: 'c', seq: 1, status: 'maybe' }] })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/responses\[0\]\.status: unknown status/),
    });
    expect(validateClientRequestBatch(CLIENT_REQUESTS)).toEqual({ ok: true, value: CLIENT_REQUESTS });
  });

  it("accepts the 'duplicate' info a node sends for a stale retry (src/node/clientService.ts)", () => {
    // The hand-written validator refused it, so one stale retry made the whole reply batch
    // "invalid"; the type (declared with the validator now) always allowed it.
    expect(validateClientResponseBatch({ responses: [{ client: 'c', seq: 1, status: 'info', error: 'duplicate' }] }).ok).toBe(true);
  });
});

describe('control body validation', () => {
  it('checks commands and link rules strictly', () => {
    expect(validateControlRequest({ id: 1, command: { cmd: 'ping' } }).ok).toBe(true);
    expect(validateControlRequest({ id: 1, command: { cmd: 'reboot' } }).ok).toBe(false);
    expect(validateControlRequest({ id: -1, command: { cmd: 'ping' } }).ok).toBe(false);
    expect(validateControlRequest({ id: 1, command: { cmd: 'setTimerRate', factor: 0 } }).ok).toBe(false);
    expect(validateControlRequest({ id: 1, command: { cmd: 'setTimerRate', factor: NaN } }).ok).toBe(false);
    expect(validateControlRequest({ id: 1, command: { cmd: 'setFsyncDelay', ms: -1 } }).ok).toBe(false);
    expect(validateControlRequest({ id: 1, command: { cmd: 'setPeer', id: 2, address: '' } }).ok).toBe(false);
    expect(validateLinkRules([{ peer: 2, direction: 'out', drop: 0.5 }]).ok).toBe(true);
    expect(validateLinkRules([{ peer: 2, direction: 'out', drop: 1.5 }]).ok).toBe(false);
    expect(validateLinkRules([{ peer: 2, direction: 'both' }]).ok).toBe(false);
    expect(validateLinkRules([{ peer: 2, direction: 'in', delayMs: LIMITS.linkDelayMs.max + 1 }]).ok).toBe(false);
    expect(validateLinkRules([{ peer: 2, direction: 'in', jitterMs: Infinity }]).ok).toBe(false);
    expect(validateLinkRules([{ peer: 2, direction: 'in', block: 'yes' }]).ok).toBe(false);
  });

  it('discriminates replies by ok', () => {
    expect(validateControlReply({ id: 1, ok: true }).ok).toBe(true);
    expect(validateControlReply({ id: 1, ok: false, error: 'x' }).ok).toBe(true);
    expect(validateControlReply({ id: 1, ok: false }).ok).toBe(false);
    expect(validateControlReply({ id: 1, ok: true, error: 'x' }).ok).toBe(false);
    expect(validateControlReply({ id: 1, ok: 'yes' }).ok).toBe(false);
    expect(validateControlReply({ id: 1, ok: true, result: { id: 1 } }).ok).toBe(false);
  });
});

describe('telemetry body validation', () => {
  const event = (e: Record<string, unknown>) => ({ node: 1, seq: 0, events: [e] });

  it('accepts every known event type and rejects unknown ones', () => {
    expect(validateTelemetryBatch(TELEMETRY)).toEqual({ ok: true, value: TELEMETRY });
    expect(validateTelemetryBatch(event({ t: 1, type: 'gossip' }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/events\[0\]\.type: unknown type/),
    });
    expect(validateTelemetryBatch(event({ t: 1 })).ok).toBe(false);
  });

  it('checks t and every field strictly', () => {
    expect(validateTelemetryBatch(event({ t: 1, type: 'commit', index: 3 })).ok).toBe(true);
    expect(validateTelemetryBatch(event({ type: 'commit', index: 3 })).ok).toBe(false);
    expect(validateTelemetryBatch(event({ t: NaN, type: 'commit', index: 3 })).ok).toBe(false);
    expect(validateTelemetryBatch(event({ t: -1, type: 'commit', index: 3 })).ok).toBe(false);
    expect(validateTelemetryBatch(event({ t: '1', type: 'commit', index: 3 })).ok).toBe(false);
    expect(validateTelemetryBatch(event({ t: 1, type: 'commit', index: 3, extra: {} })).ok).toBe(false);
    expect(validateTelemetryBatch(event({ t: 1, type: 'log', level: 'debug', message: 'x' })).ok).toBe(false);
    expect(validateTelemetryBatch(event({ t: 1, type: 'log', level: 'info', message: 'x'.repeat(LIMITS.textLength + 1) })).ok).toBe(false);
    expect(validateTelemetryBatch({ node: 0, seq: 0, events: [] }).ok).toBe(false);
    expect(validateTelemetryBatch({ node: 1, seq: 0, events: [], extra: 1 }).ok).toBe(false);
  });

  it('rejects extra nesting inside metrics', () => {
    const metrics = TELEMETRY.events.find((e) => e.type === 'metrics')!;
    const deeper = { ...metrics, traffic: { '1': { append: { sent: { nested: 1 }, received: 0, bytesSent: 0, bytesReceived: 0 } } } };
    expect(validateTelemetryBatch({ node: 1, seq: 0, events: [deeper] })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/traffic\.1\.append\.sent/),
    });
    const tooManyPeers = { ...metrics, progress: Object.fromEntries(Array.from({ length: LIMITS.recordKeys + 1 }, (_, i) => [String(i), { match: 0, next: 1 }])) };
    expect(validateTelemetryBatch({ node: 1, seq: 0, events: [tooManyPeers] }).ok).toBe(false);
  });
});

describe('record keys', () => {
  it('refuses keys that would shadow Object.prototype members', () => {
    const metrics = TELEMETRY.events.find((e) => e.type === 'metrics')!;
    const shadowing = { ...metrics, rejectedFrames: JSON.parse('{"toString": 1}') as Record<string, number> };
    expect(validateTelemetryBatch({ node: 1, seq: 0, events: [shadowing] })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/reserved key "toString"/),
    });
  });
});
