/**
 * Hostile input for a node's listening sockets: frames that must all be refused, grouped
 * by the reason the node should count them under (NodeMetrics.rejectedFrames). Generated
 * from a seed, so a failure reproduces.
 *
 * A "message" here is what one ZeroMQ send carries: one frame, or several parts (which
 * the node must refuse as 'parts'). Every message must produce exactly one rejection
 * (misrouted Raft messages are counted per message; each batch here carries one).
 */
import { Packr } from 'msgpackr';
import { encodeFrame, PROTOCOL_VERSION, type FrameKind } from '../../../src/contract/codec';
import type { ClientRequestBatch } from '../../../src/contract/client';
import type { Message } from '../../../src/raft/types';
import { SeededRng } from '../../../src/raft/rng';

/** The counter key a node should increment for a message, and the message's parts. */
export interface GarbageMessage {
  reason: 'malformed' | 'version' | 'cluster' | 'type' | 'invalid' | 'parts' | 'misrouted' | 'random';
  parts: Uint8Array[];
}

/** Reproducible garbage: the project's one seeded generator (src/raft/rng.ts). */
export function seededRng(seed: number): () => number {
  const rng = new SeededRng(seed);
  return () => rng.nextFloat();
}

const packr = new Packr({ useRecords: false });

function randomBytes(rng: () => number, max: number): Uint8Array {
  const out = new Uint8Array(Math.floor(rng() * max));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rng() * 256);
  return out;
}

function truncated(rng: () => number, frame: Uint8Array): Uint8Array {
  return frame.slice(0, Math.floor(rng() * frame.byteLength));
}

/** Options shared by both sockets' generators. */
export interface GarbageOptions {
  clusterId: string;
  /** How many messages of each family (default 300). */
  perFamily?: number;
  seed?: number;
}

/**
 * Garbage for a node's peer PULL socket (frame kind 'raft'). `self` is the node's id and
 * `peer` a real peer id, so the well-formed-but-misrouted messages look plausible.
 */
export function peerGarbage(opts: GarbageOptions & { self: number; peer: number }): GarbageMessage[] {
  const rng = seededRng(opts.seed ?? 1);
  const n = opts.perFamily ?? 300;
  // Term 0: even if a frame slipped through it would be ignored as stale (§5.1).
  const heartbeat: Message = { type: 'heartbeat', from: opts.peer, to: opts.self, term: 0, commit: 0, seq: 1 };
  const valid = encodeFrame('raft', opts.clusterId, [heartbeat]);
  return families(rng, n, opts.clusterId, 'raft', valid, [heartbeat], 'telemetry', (i) => [{ ...heartbeat, to: opts.self + 100 + (i % 50) }]);
}

/** Garbage for a node's client ROUTER socket (frame kind 'client'). */
export function clientGarbage(opts: GarbageOptions): GarbageMessage[] {
  const rng = seededRng(opts.seed ?? 2);
  const n = opts.perFamily ?? 300;
  const body: ClientRequestBatch = { requests: [{ client: 'garbage', seq: 1, op: { op: 'put', key: 'never', value: 'written' } }] };
  const valid = encodeFrame('client', opts.clusterId, body);
  return families(rng, n, opts.clusterId, 'client', valid, body, 'raft', null);
}

function families(
  rng: () => number,
  n: number,
  clusterId: string,
  kind: FrameKind,
  valid: Uint8Array,
  body: unknown,
  wrongKind: FrameKind,
  misrouted: ((i: number) => Message[]) | null,
): GarbageMessage[] {
  const out: GarbageMessage[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ reason: 'random', parts: [randomBytes(rng, 2048)] });
    out.push({ reason: 'malformed', parts: [truncated(rng, valid)] });
    out.push({ reason: 'version', parts: [packr.pack([PROTOCOL_VERSION + 1 + (i % 5), clusterId, kind, body])] });
    out.push({ reason: 'cluster', parts: [encodeFrame(kind as 'raft', `foreign-${i % 7}`, body as Message[])] });
    out.push({ reason: 'type', parts: [packr.pack([PROTOCOL_VERSION, clusterId, i % 2 === 0 ? wrongKind : 'bogus', body])] });
    out.push({ reason: 'invalid', parts: [packr.pack([PROTOCOL_VERSION, clusterId, kind, i % 2 === 0 ? 'not a body' : { requests: [{ seq: -1 }] }])] });
    out.push({ reason: 'parts', parts: [valid, randomBytes(rng, 64)] });
    if (misrouted) out.push({ reason: 'misrouted', parts: [encodeFrame('raft', clusterId, misrouted(i))] });
  }
  // Interleave the families so the node sees a mix, not one kind at a time.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** How many messages of each reason a list holds. */
export function countByReason(messages: GarbageMessage[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of messages) counts[m.reason] = (counts[m.reason] ?? 0) + 1;
  return counts;
}
