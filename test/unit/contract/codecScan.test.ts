/**
 * The pre-decode scan (codecScan.ts) and the per-kind frame limits (FRAME_LIMITS): a frame
 * whose declared structure exceeds its kind's budget is refused before msgpackr builds a
 * single object, in time that does not grow with the frame; every frame our own senders
 * produce passes.
 */
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { decodeFrame, encodeFrame, FRAME_LIMITS, PROTOCOL_VERSION } from '../../../src/contract/codec';
import { scanMsgpack } from '../../../src/contract/codecScan';
import { LIMITS } from '../../../src/contract/limits';
import type { Entry, Message } from '../../../src/raft/types';
import { raftMessageValues } from '../../../src/node/transport/peerTransport';
import { CLIENT_REQUESTS, CLUSTER, TELEMETRY } from './codecFixtures';

const packr = new Packr({ useRecords: false });
const RAFT = { clusterId: CLUSTER, kinds: ['raft' as const], maxBytes: 16 << 20 };

/** An envelope head for `kind` followed by `body` bytes (a hand-built body). */
function frameWithBody(kind: string, body: Uint8Array): Uint8Array {
  const head = packr.pack([PROTOCOL_VERSION, CLUSTER, kind, null]);
  const out = new Uint8Array(head.byteLength - 1 + body.byteLength);
  out.set(head.subarray(0, head.byteLength - 1));
  out.set(body, head.byteLength - 1);
  return out;
}

/** array32 of `n` copies of the one-byte value `item`. */
function flood(item: number, n: number): Uint8Array {
  const out = new Uint8Array(5 + n).fill(item);
  out[0] = 0xdd;
  new DataView(out.buffer).setUint32(1, n);
  return out;
}

describe('pre-decode scan', () => {
  it('refuses the 16 MiB frame of tiny maps (and of tiny arrays) at once, as bounds', () => {
    for (const item of [0x80, 0x90]) {
      const frame = frameWithBody('raft', flood(item, (16 << 20) - 64));
      const start = performance.now();
      const result = decodeFrame(frame, RAFT);
      const ms = performance.now() - start;
      expect(result).toMatchObject({ ok: false, reason: 'bounds' });
      // Refused at the batch header: no per-item work at all.
      expect(ms).toBeLessThan(20);
    }
  });

  it('stops at the value budget however the values nest, and refuses maps in raft frames', () => {
    // 40,000 messages of two empty arrays each: every container is small, the total is not.
    const parts: number[] = [0xdd, 0, 0, 0x9c, 0x40];
    for (let i = 0; i < 40_000; i++) parts.push(0x92, 0x90, 0x90);
    const nested = frameWithBody('raft', Uint8Array.from(parts));
    expect(decodeFrame(nested, RAFT)).toMatchObject({ ok: false, reason: 'bounds', detail: expect.stringMatching(/65536/) });
    const withMap = frameWithBody('raft', Uint8Array.from([0x91, 0x81, 0xa1, 0x61, 0x01]));
    expect(decodeFrame(withMap, RAFT)).toMatchObject({ ok: false, reason: 'bounds', detail: expect.stringMatching(/map/) });
    // Telemetry takes maps, within its own budget.
    const telemetryFlood = frameWithBody('telemetry', flood(0x80, FRAME_LIMITS.telemetry.maxItems + 1));
    expect(decodeFrame(telemetryFlood, { clusterId: CLUSTER, kinds: ['telemetry'], maxBytes: 4 << 20 })).toMatchObject({ ok: false, reason: 'bounds' });
  });

  it('refuses nesting beyond the kind depth and lying lengths as the right reasons', () => {
    const deep = frameWithBody('raft', new Uint8Array(20).fill(0x91));
    expect(decodeFrame(deep, RAFT)).toMatchObject({ ok: false, reason: 'bounds', detail: expect.stringMatching(/deeper/) });
    expect(scanMsgpack(Uint8Array.from([0xdc, 0x00, 0x05, 0x01]), { maxItems: 100, maxDepth: 4, allowMaps: true })).toMatchObject({ reason: 'malformed' });
    expect(scanMsgpack(Uint8Array.from([0xc4, 0x05, 0x01]), { maxItems: 100, maxDepth: 4, allowMaps: true })).toMatchObject({ reason: 'malformed' });
    expect(scanMsgpack(Uint8Array.from([0x01, 0x02]), { maxItems: 100, maxDepth: 4, allowMaps: true })).toMatchObject({ reason: 'malformed', detail: expect.stringMatching(/trailing/) });
    expect(scanMsgpack(Uint8Array.from([0xc1]), { maxItems: 100, maxDepth: 4, allowMaps: true })).toMatchObject({ reason: 'malformed' });
  });

  it('checks version, cluster and kind from the envelope head before scanning the body', () => {
    const foreign = frameWithBody('raft', flood(0x80, 1 << 20));
    expect(decodeFrame(foreign, { ...RAFT, clusterId: 'other' })).toMatchObject({ ok: false, reason: 'cluster' });
    expect(decodeFrame(foreign, { ...RAFT, kinds: ['client'] })).toMatchObject({ ok: false, reason: 'type' });
  });

  it('passes every frame our senders build, up to the largest AppendEntries the validators accept', () => {
    const entries: Entry[] = Array.from({ length: LIMITS.entriesPerMessage }, (_, i) => ({ index: i + 1, term: 1, kind: 'command', data: Uint8Array.of(i & 0xff) }));
    entries[0] = { index: 1, term: 1, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2, 3], outgoing: [1, 2] } };
    const append: Message = { type: 'append', from: 1, to: 2, term: 1, prevIndex: 0, prevTerm: 0, entries, commit: 0 };
    const frame = encodeFrame('raft', CLUSTER, [append]);
    expect(scanMsgpack(frame, FRAME_LIMITS.raft)).toBeNull();
    expect(decodeFrame(frame, RAFT).ok).toBe(true);
    // The batcher's count is an upper bound of what the scan counts.
    const counted = raftMessageValues(append) + 6;
    expect(counted).toBeLessThanOrEqual(FRAME_LIMITS.raft.maxItems);
    expect(counted).toBeGreaterThanOrEqual(countValues(frame));
    expect(scanMsgpack(encodeFrame('client', CLUSTER, CLIENT_REQUESTS), FRAME_LIMITS.client)).toBeNull();
    expect(scanMsgpack(encodeFrame('telemetry', CLUSTER, TELEMETRY), FRAME_LIMITS.telemetry)).toBeNull();
  });
});

/** Values in a frame, by binary search on the scan's budget. */
function countValues(frame: Uint8Array): number {
  let lo = 1;
  let hi = 1 << 20;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (scanMsgpack(frame, { maxItems: mid, maxDepth: 16, allowMaps: true }) === null) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
