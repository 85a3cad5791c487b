/**
 * Hostile and damaged input: the decoder must answer {ok:false} with the right reason and
 * never throw, whatever the bytes.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FRAME_KINDS, REJECT_REASONS, type FrameKind } from '../../../src/contract/codec';
import type { AppendRequest, Message } from '../../../src/raft/types';
import { ALL_MESSAGES, CLIENT_REQUESTS, CLIENT_RESPONSES, CLUSTER, CONTROL_REPLIES, CONTROL_REQUESTS, TELEMETRY } from './codecFixtures';

const ALL = { clusterId: CLUSTER, kinds: FRAME_KINDS, maxBytes: 1 << 20 };

/** Deterministic PRNG (mulberry32) so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validFrames(): Array<[FrameKind, Uint8Array]> {
  return [
    ['raft', encodeFrame('raft', CLUSTER, ALL_MESSAGES.filter((m) => m.type !== 'append'))],
    // The fixture's append carries a 70 KB entry: truncate a small append instead.
    ['raft', encodeFrame('raft', CLUSTER, [{ ...ALL_MESSAGES[3], entries: (ALL_MESSAGES[3] as AppendRequest).entries.slice(0, 4) } as Message])],
    ['client', encodeFrame('client', CLUSTER, { requests: CLIENT_REQUESTS.requests.slice(0, 5) })],
    ['clientReply', encodeFrame('clientReply', CLUSTER, CLIENT_RESPONSES)],
    ['control', encodeFrame('control', CLUSTER, CONTROL_REQUESTS[2])],
    ['controlReply', encodeFrame('controlReply', CLUSTER, CONTROL_REPLIES[2])],
    ['telemetry', encodeFrame('telemetry', CLUSTER, TELEMETRY)],
  ];
}

/**
 * Decodes, failing the test if decodeFrame throws or returns a malformed rejection.
 * Plain checks rather than expect() per call: these loops run tens of thousands of times.
 */
function decodeSafely(bytes: Uint8Array) {
  let result: ReturnType<typeof decodeFrame>;
  try {
    result = decodeFrame(bytes, ALL);
  } catch (error) {
    throw new Error(`decodeFrame threw on ${Buffer.from(bytes.subarray(0, 32)).toString('hex')}: ${String(error)}`);
  }
  if (!result.ok && (!REJECT_REASONS.includes(result.reason) || typeof result.detail !== 'string')) {
    throw new Error(`bad rejection ${JSON.stringify(result)}`);
  }
  return result;
}

describe('codec under hostile input', () => {
  it('rejects thousands of random byte strings as malformed (or another non-ok reason), never throwing', () => {
    const random = rng(1);
    const reasons = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 64);
      const bytes = new Uint8Array(length);
      for (let k = 0; k < length; k++) bytes[k] = Math.floor(random() * 256);
      // Bias some strings towards looking like an envelope (fixarray(4), version 1).
      if (i % 2 === 0 && length > 2) {
        bytes[0] = 0x94;
        bytes[1] = 0x01;
      }
      const result = decodeSafely(bytes);
      if (result.ok) expect.fail(`random bytes decoded: ${Buffer.from(bytes).toString('hex')}`);
      reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
    }
    expect(reasons.get('malformed')).toBeGreaterThan(1000);
  });

  it('rejects every truncation of every valid frame as malformed', () => {
    for (const [kind, frame] of validFrames()) {
      expect(decodeSafely(frame).ok, kind).toBe(true);
      for (let cut = 0; cut < frame.byteLength; cut++) {
        const result = decodeSafely(frame.subarray(0, cut));
        if (result.ok || result.reason !== 'malformed') expect.fail(`${kind} cut at ${cut}: ${JSON.stringify(result)}`);
      }
    }
  });

  it('rejects trailing bytes after a valid frame', () => {
    for (const [kind, frame] of validFrames()) {
      const longer = new Uint8Array(frame.byteLength + 1);
      longer.set(frame);
      expect(decodeSafely(longer), kind).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('survives bit flips: each result is either a rejection or a frame that re-validates', () => {
    const random = rng(2);
    let rejected = 0;
    let flips = 0;
    for (const [kind, frame] of validFrames()) {
      for (let i = 0; i < 1500; i++) {
        const damaged = Uint8Array.from(frame);
        const position = Math.floor(random() * damaged.byteLength);
        damaged[position] ^= 1 << Math.floor(random() * 8);
        flips++;
        const result = decodeSafely(damaged);
        if (!result.ok) {
          rejected++;
          continue;
        }
        // A flip inside a payload byte can leave a valid frame: it must then be fully valid,
        // which re-encoding and decoding again confirms.
        const again = decodeSafely(encodeFrame(result.kind, CLUSTER, result.body as never));
        if (!again.ok) expect.fail(`${kind} flip at ${position} decoded but does not re-validate: ${again.detail}`);
      }
    }
    expect(rejected).toBeGreaterThan(flips / 10);
  });

  it('rejects deep nesting without a stack overflow escaping', () => {
    for (const depth of [1_000, 100_000, 1_000_000]) {
      const bytes = new Uint8Array(depth + 1).fill(0x91);
      bytes[depth] = 0xc0;
      expect(decodeSafely(bytes)).toMatchObject({ ok: false });
      // Deep nesting inside a real envelope's body.
      const prefix = [0x94, 0x01, 0xa0 | CLUSTER.length, ...new TextEncoder().encode(CLUSTER), 0xa4, ...new TextEncoder().encode('raft')];
      const nested = new Uint8Array(prefix.length + depth + 1).fill(0x91);
      nested.set(prefix);
      nested[nested.length - 1] = 0xc0;
      expect(decodeSafely(nested)).toMatchObject({ ok: false });
    }
  });

  it('rejects huge claimed array, map, string and binary lengths without allocating them', () => {
    const claims = [
      [0xdd, 0xff, 0xff, 0xff, 0xff], // array32 of 4 billion
      [0xdf, 0xff, 0xff, 0xff, 0xff], // map32
      [0xdb, 0xff, 0xff, 0xff, 0xff], // str32
      [0xc6, 0xff, 0xff, 0xff, 0xff], // bin32
      [0xc9, 0xff, 0xff, 0xff, 0xff, 0x01], // ext32
      [0xdc, 0xff, 0xff], // array16
    ];
    for (const claim of claims) {
      expect(decodeSafely(Uint8Array.from(claim))).toMatchObject({ ok: false, reason: 'malformed' });
      // The same claim as the body of a proper envelope.
      const prefix = [0x94, 0x01, 0xa0 | CLUSTER.length, ...new TextEncoder().encode(CLUSTER), 0xa4, ...new TextEncoder().encode('raft')];
      expect(decodeSafely(Uint8Array.from([...prefix, ...claim]))).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('rejects the never-used 0xC1 byte and msgpack extension values in bodies', () => {
    expect(decodeSafely(Uint8Array.from([0xc1]))).toMatchObject({ ok: false });
    const prefix = [0x94, 0x01, 0xa0 | CLUSTER.length, ...new TextEncoder().encode(CLUSTER), 0xa7, ...new TextEncoder().encode('control')];
    // {id: 0xC1, command: {cmd: 'ping'}}
    const body = [0x82, 0xa2, 0x69, 0x64, 0xc1, 0xa7, ...new TextEncoder().encode('command'), 0x81, 0xa3, 0x63, 0x6d, 0x64, 0xa4, 0x70, 0x69, 0x6e, 0x67];
    // The pre-scan (codecScan.ts) refuses the never-used byte before msgpackr can turn it into a value.
    expect(decodeSafely(Uint8Array.from([...prefix, ...body]))).toMatchObject({ ok: false, reason: 'malformed' });
    // id as a timestamp extension (decoded as a Date) and as a bigint extension.
    for (const ext of [[0xd6, 0xff, 0, 0, 0, 1], [0xd4, 0x42, 0x05], [0xcf, 0, 0, 0, 0, 0, 0, 0, 1]]) {
      const withExt = [0x82, 0xa2, 0x69, 0x64, ...ext, 0xa7, ...new TextEncoder().encode('command'), 0x81, 0xa3, 0x63, 0x6d, 0x64, 0xa4, 0x70, 0x69, 0x6e, 0x67];
      const result = decodeSafely(Uint8Array.from([...prefix, ...withExt]));
      // uint64 1 is a legitimate id; the extensions are not.
      if (ext[0] === 0xcf) expect(result.ok).toBe(true);
      else expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });
});
