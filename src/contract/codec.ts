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
 * size limit is checked before any decoding, and the decoded value is validated in full
 * (validate*.ts) before anyone sees it.
 *
 * No Node imports: src/contract is shared with the renderer. Standard msgpack only
 * (msgpackr records are off: shared record structures broke across processes, docs/platform-facts.md#msgpack).
 */
import { Unpackr } from 'msgpackr';
import type { Message } from '../raft/types';
import type { ClientRequestBatch, ClientResponseBatch } from './client';
import type { ControlReply, ControlRequest } from './control';
import type { TelemetryBatch } from './telemetry';
import { writeRaftBatch } from './codecRaftWire';
import { MsgpackWriter } from './codecWriter';
import { checkClientRequestBatch, checkClientResponseBatch } from './validateClient';
import { checkControlReply, checkControlRequest } from './validateControl';
import { describe, describeError, ValidationError, type Check } from './validateCore';
import { parseRaftBatch } from './validateRaft';
import { checkTelemetryBatch } from './validateTelemetry';

export const PROTOCOL_VERSION = 1;

/** The body type carried by each frame kind. */
export interface FrameBodies {
  raft: Message[];
  client: ClientRequestBatch;
  clientReply: ClientResponseBatch;
  control: ControlRequest;
  controlReply: ControlReply;
  telemetry: TelemetryBatch;
}

export type FrameKind = keyof FrameBodies;

export const FRAME_KINDS: readonly FrameKind[] = ['raft', 'client', 'clientReply', 'control', 'controlReply', 'telemetry'];

/**
 * Why a frame was refused:
 *   oversized  larger than the receiver's limit (checked before decoding);
 *   malformed  not msgpack, truncated, trailing bytes, or not an envelope;
 *   version    another protocol version;
 *   cluster    another cluster's frame;
 *   type       unknown kind, or a kind this socket does not accept;
 *   invalid    the body does not match its contract type.
 */
export type RejectReason = 'oversized' | 'malformed' | 'version' | 'cluster' | 'type' | 'invalid';

export const REJECT_REASONS: readonly RejectReason[] = ['oversized', 'malformed', 'version', 'cluster', 'type', 'invalid'];

export type DecodedFrame<K extends FrameKind = FrameKind> = { [P in K]: { ok: true; kind: P; body: FrameBodies[P] } }[K];

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
  raft: parseRaftBatch,
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
export function encodeFrame<K extends FrameKind>(kind: K, clusterId: string, body: FrameBodies[K]): Uint8Array {
  writer.reset();
  try {
    writer.arrayHeader(4);
    writer.number(PROTOCOL_VERSION);
    writer.string(clusterId);
    writer.string(kind);
    if (kind === 'raft') writeRaftBatch(writer, body as Message[]);
    else writer.value(body);
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
  if (envelope.length !== 4) return reject('malformed', `envelope has ${envelope.length} fields, expected 4`);
  const [, clusterId, kind, body] = envelope as [unknown, unknown, unknown, unknown];
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
    return { ok: true, kind: frameKind, body: value } as DecodedFrame<K>;
  } catch (error) {
    if (error instanceof ValidationError) return reject('invalid', `${kind} body: ${error.message}`);
    // A hostile value the checks did not anticipate (or a bug in them): still a rejection.
    return reject('invalid', `${kind} body: validation failed unexpectedly: ${describeError(error)}`);
  }
}

function reject(reason: RejectReason, detail: string): RejectedFrame {
  return { ok: false, reason, detail };
}
