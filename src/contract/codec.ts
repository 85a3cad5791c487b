/**
 * The one wire codec: every ZeroMQ frame between nodes, clients and the lab.
 *
 * A frame is the msgpack encoding of an envelope `[version, clusterId, kind, body]`:
 *   - `version` lets a node refuse frames from an incompatible build;
 *   - `clusterId` keeps two labs (or a stale process of an earlier run) from talking to
 *     each other through a reused port;
 *   - `kind` names the body's type (`FrameBodies`).
 * Raft bodies are batches (`Message[]`) in the positional layout of codecRaftWire.ts;
 * the others are plain msgpack maps of the contract types.
 *
 * `decodeFrame` never throws: untrusted bytes come back as `{ ok: false, reason }`, the
 * size limit AND the structure's counts (codecScan.ts: values, nesting, maps) are checked
 * before any decoding, and the decoded value is validated in full (validate*.ts) before
 * anyone sees it.
 *
 * Sealed frames: on CURVE sockets the envelope has a fifth field, a seal
 * `bin8(senderId u32 BE ++ mac[16])` written LAST, whose MAC covers every byte before it.
 * The codec only places and finds the seal (`FrameSealer`, `FrameSeal`); the transport
 * computes and checks the MAC with keys only the sender and the receiver hold
 * (src/wire/frameSeal.ts), which is what binds a frame to its sender's node id.
 *
 * No Node imports: src/contract is shared with the renderer. Standard msgpack only
 * (msgpackr records are off: shared record structures broke across processes, docs/platform-facts.md#msgpack).
 */
import { Unpackr } from 'msgpackr';
import type { Message } from '../raft/types';
import type { ClientRequestBatch, ClientResponseBatch } from './client';
import type { ControlReply, ControlRequest } from './control';
import type { TelemetryBatch } from './telemetry';
import { writeRaftBatch, type RaftBatch } from './codecRaftWire';
import { MsgpackWriter } from './codecWriter';
import { scanMsgpack, type ScanLimits } from './codecScan';
import { checkClientRequestBatch, checkClientResponseBatch } from './client';
import { checkControlReply, checkControlRequest } from './control';
import { describe, describeError, ValidationError, type Check } from './validateCore';
import { parseRaftFrameBody } from './validateRaft';
import { checkTelemetryBatch } from './telemetry';

export const PROTOCOL_VERSION = 1;

/** The body type carried by each frame kind. */
export interface FrameBodies {
  raft: RaftBatch;
  client: ClientRequestBatch;
  clientReply: ClientResponseBatch;
  control: ControlRequest;
  controlReply: ControlReply;
  telemetry: TelemetryBatch;
}

export type FrameKind = keyof FrameBodies;

export const FRAME_KINDS: readonly FrameKind[] = ['raft', 'client', 'clientReply', 'control', 'controlReply', 'telemetry'];

/**
 * What each kind of frame may legitimately weigh: its byte size (each socket sets ZeroMQ's
 * maxMessageSize just above this, socketLimits.ts) and its structure (codecScan.ts).
 * Senders keep their frames within these (the peer batcher counts items, the telemetry
 * publisher scans its own batches), so a refusal always means a sender outside the contract.
 *   - raft: 16 MiB because a snapshot travels as one message; positional arrays only, so
 *     no maps at all; 2^16 values covers the largest message the validators accept
 *     (LIMITS.entriesPerMessage = 8,192 entries of at most 6 values, plus a config). The
 *     worst frame the scan lets through, 65,536 empty arrays, decodes in ~20 ms here.
 *   - client / clientReply: 4 MiB (a 1 MiB value is up to 4 MiB of UTF-8).
 *   - control / controlReply: small commands and status reports.
 *   - telemetry: a 50 ms batch holds a few hundred events of a few values each (a metrics
 *     event of a 25-node leader has ~1,000); the publisher halves a batch over the budget.
 */
export const FRAME_LIMITS: { readonly [K in FrameKind]: { readonly maxBytes: number } & Readonly<ScanLimits> } = {
  raft: { maxBytes: 16 << 20, maxItems: 1 << 16, maxDepth: 8, allowMaps: false },
  client: { maxBytes: 4 << 20, maxItems: 1 << 17, maxDepth: 8, allowMaps: true },
  clientReply: { maxBytes: 4 << 20, maxItems: 1 << 17, maxDepth: 8, allowMaps: true },
  control: { maxBytes: 1 << 20, maxItems: 1 << 16, maxDepth: 8, allowMaps: true },
  controlReply: { maxBytes: 1 << 20, maxItems: 1 << 16, maxDepth: 10, allowMaps: true },
  telemetry: { maxBytes: 4 << 20, maxItems: 1 << 16, maxDepth: 12, allowMaps: true },
};

/** Bytes of a seal's payload (sender id + MAC) and of the whole trailer (bin8 header + payload). */
export const SEAL_PAYLOAD_BYTES = 20;
export const SEAL_MAC_BYTES = 16;
const SEAL_TRAILER_BYTES = SEAL_PAYLOAD_BYTES + 2;

/** Seals frames as one sender: `mac` gets every byte of the frame before the seal. */
export interface FrameSealer {
  readonly sender: number;
  mac(signed: Uint8Array): Uint8Array;
}

/** A received frame's seal: who claims to have sent it, the MAC, and the bytes it covers. */
export interface FrameSeal {
  sender: number;
  mac: Uint8Array;
  signed: Uint8Array;
}

/**
 * Why a frame was refused:
 *   oversized  larger than the receiver's limit (checked before decoding);
 *   bounds     declares more values, deeper nesting or maps than its kind may hold
 *              (codecScan.ts, checked before decoding);
 *   malformed  not msgpack, truncated, trailing bytes, or not an envelope;
 *   version    another protocol version;
 *   cluster    another cluster's frame;
 *   type       unknown kind, or a kind this socket does not accept;
 *   invalid    the body does not match its contract type.
 */
export type RejectReason = 'oversized' | 'bounds' | 'malformed' | 'version' | 'cluster' | 'type' | 'invalid';

export const REJECT_REASONS: readonly RejectReason[] = ['oversized', 'bounds', 'malformed', 'version', 'cluster', 'type', 'invalid'];

/** A decoded frame; `seal` only when the frame carries one. */
export type DecodedFrame<K extends FrameKind = FrameKind> = { [P in K]: { ok: true; kind: P; body: FrameBodies[P]; seal?: FrameSeal } }[K];

export interface RejectedFrame {
  ok: false;
  reason: RejectReason;
  detail: string;
}

export interface FrameExpectation<K extends FrameKind> {
  clusterId: string;
  /** Kinds this receiver accepts; anything else is rejected as 'type'. */
  kinds: readonly K[];
  /** Frames larger than this many bytes are rejected as 'oversized' without decoding. */
  maxBytes: number;
}

const BODY_CHECKS: { [K in FrameKind]: Check<FrameBodies[K]> } = {
  raft: parseRaftFrameBody,
  client: checkClientRequestBatch,
  clientReply: checkClientResponseBatch,
  control: checkControlRequest,
  controlReply: checkControlReply,
  telemetry: checkTelemetryBatch,
};

// One writer and one reader per process (per renderer): both are synchronous and never
// re-entered, so sharing them is safe and keeps their buffers warm.
const writer = new MsgpackWriter();
// int64AsType 'number': a foreign uint64 becomes a (possibly unsafe) number that the
// validators then reject, instead of a bigint.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/**
 * Encodes one frame. Returns a fresh buffer (safe to hand to ZeroMQ, which sends large
 * buffers by reference). Throws TypeError only for values outside the contract types,
 * which the type system already rules out.
 */
/** What encodeFrame takes: the decoded bodies, and for 'raft' also a plain batch without ids. */
export type EncodableBodies = Omit<FrameBodies, 'raft'> & { raft: RaftBatch | readonly Message[] };

export function encodeFrame<K extends FrameKind>(kind: K, clusterId: string, body: EncodableBodies[K], sealer?: FrameSealer): Uint8Array {
  writer.reset();
  try {
    writer.arrayHeader(sealer ? 5 : 4);
    writer.number(PROTOCOL_VERSION);
    writer.string(clusterId);
    writer.string(kind);
    if (kind === 'raft') {
      const batch = body as RaftBatch | readonly Message[];
      if (Array.isArray(batch)) writeRaftBatch(writer, batch as readonly Message[]);
      else writeRaftBatch(writer, (batch as RaftBatch).messages, (batch as RaftBatch).ids);
    } else writer.value(body);
    if (sealer) {
      const mac = sealer.mac(writer.peek());
      if (mac.byteLength !== SEAL_MAC_BYTES) throw new TypeError(`a seal MAC must be ${SEAL_MAC_BYTES} bytes, got ${mac.byteLength}`);
      if (!(Number.isInteger(sealer.sender) && sealer.sender >= 0 && sealer.sender <= 0xffffffff)) throw new TypeError(`seal sender ${sealer.sender} is not a u32`);
      const seal = new Uint8Array(SEAL_PAYLOAD_BYTES);
      new DataView(seal.buffer).setUint32(0, sealer.sender);
      seal.set(mac, 4);
      writer.bytes(seal);
    }
    return writer.finish();
  } catch (error) {
    writer.reset();
    throw error;
  }
}

/** Decodes and validates one frame. Never throws. */
export function decodeFrame<K extends FrameKind>(bytes: Uint8Array, expected: FrameExpectation<K>): DecodedFrame<K> | RejectedFrame {
  try {
    return decodeUnguarded(bytes, expected);
  } catch (error) {
    // Every known failure is classified below; this is the last line of the "never throws"
    // promise against whatever the decoder or a check did not anticipate.
    return reject('malformed', `decoding failed unexpectedly: ${describeError(error)}`);
  }
}

function decodeUnguarded<K extends FrameKind>(bytes: Uint8Array, expected: FrameExpectation<K>): DecodedFrame<K> | RejectedFrame {
  if (!(bytes instanceof Uint8Array)) return reject('malformed', `expected bytes, got ${describe(bytes)}`);
  if (bytes.byteLength > expected.maxBytes) {
    return reject('oversized', `${bytes.byteLength} bytes exceeds the limit of ${expected.maxBytes}`);
  }
  if (bytes.byteLength === 0) return reject('malformed', 'empty frame');
  // The envelope's head names version, cluster and kind in a few bytes: refuse on those
  // before anything else, and scan the rest against the declared kind's own limits.
  const head = peekEnvelope(bytes);
  if (head !== null) {
    if (head.version !== PROTOCOL_VERSION) return reject('version', `protocol version ${head.version}, expected ${PROTOCOL_VERSION}`);
    if (head.clusterId !== expected.clusterId) {
      return reject('cluster', `frame for cluster ${JSON.stringify(head.clusterId)}, this is ${JSON.stringify(expected.clusterId)}`);
    }
    if (!(expected.kinds as readonly string[]).includes(head.kind)) {
      const known = (FRAME_KINDS as readonly string[]).includes(head.kind);
      return reject('type', `${known ? 'unexpected' : 'unknown'} frame kind ${JSON.stringify(head.kind)}`);
    }
  }
  const bounds = scanMsgpack(bytes, head !== null ? FRAME_LIMITS[head.kind as FrameKind] : scanLimitsOf(expected.kinds));
  if (bounds !== null) return reject(bounds.reason, bounds.detail);
  let envelope: unknown;
  try {
    envelope = unpackr.unpack(bytes);
  } catch (error) {
    // Truncation, trailing bytes, invalid tokens, RangeError from deep nesting...
    return reject('malformed', `not valid msgpack: ${describeError(error)}`);
  }
  if (!Array.isArray(envelope) || envelope.length === 0) {
    return reject('malformed', `expected an envelope array, got ${describe(envelope)}`);
  }
  // Version first: a later protocol may change the envelope's shape itself.
  if (envelope[0] !== PROTOCOL_VERSION) {
    return reject('version', `protocol version ${describe(envelope[0])}, expected ${PROTOCOL_VERSION}`);
  }
  if (envelope.length !== 4 && envelope.length !== 5) return reject('malformed', `envelope has ${envelope.length} fields, expected 4 (or 5 with a seal)`);
  const [, clusterId, kind, body, sealField] = envelope as [unknown, unknown, unknown, unknown, unknown];
  let seal: FrameSeal | undefined;
  if (envelope.length === 5) {
    // The seal must be the literal trailer, so that what its MAC covers is exactly the bytes before it.
    const at = bytes.byteLength - SEAL_TRAILER_BYTES;
    if (!(sealField instanceof Uint8Array) || sealField.byteLength !== SEAL_PAYLOAD_BYTES || bytes[at] !== 0xc4 || bytes[at + 1] !== SEAL_PAYLOAD_BYTES) {
      return reject('malformed', `the seal is ${describe(sealField)}, expected ${SEAL_PAYLOAD_BYTES} bytes at the end of the frame`);
    }
    const view = new DataView(sealField.buffer, sealField.byteOffset, SEAL_PAYLOAD_BYTES);
    seal = { sender: view.getUint32(0), mac: sealField.subarray(4), signed: bytes.subarray(0, at) };
  }
  if (typeof clusterId !== 'string') return reject('malformed', `cluster id is ${describe(clusterId)}`);
  if (clusterId !== expected.clusterId) {
    return reject('cluster', `frame for cluster ${describe(clusterId)}, this is ${JSON.stringify(expected.clusterId)}`);
  }
  if (typeof kind !== 'string') return reject('malformed', `frame kind is ${describe(kind)}`);
  if (!(expected.kinds as readonly string[]).includes(kind)) {
    const known = (FRAME_KINDS as readonly string[]).includes(kind);
    return reject('type', `${known ? 'unexpected' : 'unknown'} frame kind ${describe(kind)}`);
  }
  const frameKind = kind as K;
  try {
    const value = BODY_CHECKS[frameKind](body);
    return (seal ? { ok: true, kind: frameKind, body: value, seal } : { ok: true, kind: frameKind, body: value }) as DecodedFrame<K>;
  } catch (error) {
    if (error instanceof ValidationError) return reject('invalid', `${kind} body: ${error.message}`);
    // A hostile value the checks did not anticipate (or a bug in them): still a rejection.
    return reject('invalid', `${kind} body: validation failed unexpectedly: ${describeError(error)}`);
  }
}

const headDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Version, cluster id and kind read straight from a well-formed envelope head
 * (fixarray 4 or 5, positive fixint, fixstr or str8, fixstr), or null when the head has any
 * other shape: the full decode then classifies the frame.
 */
function peekEnvelope(bytes: Uint8Array): { version: number; clusterId: string; kind: string } | null {
  if (bytes.byteLength < 4 || (bytes[0] !== 0x94 && bytes[0] !== 0x95) || bytes[1] > 0x7f) return null;
  const version = bytes[1];
  let pos = 2;
  let length: number;
  if (bytes[pos] >= 0xa0 && bytes[pos] <= 0xbf) length = bytes[pos++] & 0x1f;
  else if (bytes[pos] === 0xd9 && pos + 1 < bytes.byteLength) {
    length = bytes[pos + 1];
    pos += 2;
  } else return null;
  if (pos + length >= bytes.byteLength) return null;
  const kindHeader = bytes[pos + length];
  if (!(kindHeader >= 0xa0 && kindHeader <= 0xbf)) return null;
  const kindStart = pos + length + 1;
  const kindLength = kindHeader & 0x1f;
  if (kindStart + kindLength > bytes.byteLength) return null;
  try {
    const clusterId = headDecoder.decode(bytes.subarray(pos, pos + length));
    const kind = headDecoder.decode(bytes.subarray(kindStart, kindStart + kindLength));
    return { version, clusterId, kind };
  } catch {
    return null; // invalid UTF-8: the full decode reports it as malformed
  }
}

/** The loosest structure among the kinds a receiver accepts (sockets accept one kind each). */
function scanLimitsOf(kinds: readonly FrameKind[]): ScanLimits {
  let limits: ScanLimits = { maxItems: 0, maxDepth: 0, allowMaps: false };
  for (const kind of kinds) {
    const k = FRAME_LIMITS[kind];
    if (!k) continue;
    limits = { maxItems: Math.max(limits.maxItems, k.maxItems), maxDepth: Math.max(limits.maxDepth, k.maxDepth), allowMaps: limits.allowMaps || k.allowMaps };
  }
  // A receiver that names no known kind refuses everything as 'type' after decoding a small frame.
  if (limits.maxItems === 0) limits = { maxItems: 1 << 16, maxDepth: 8, allowMaps: true };
  return limits;
}

function reject(reason: RejectReason, detail: string): RejectedFrame {
  return { ok: false, reason, detail };
}
