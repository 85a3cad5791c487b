/**
 * The browser-mode WebSocket protocol (JSON text frames):
 *
 *   client -> server  { kind: 'invoke', id, channel, request }
 *   server -> client  { kind: 'result', id, result: { ok: true, value } | { ok: false, error } }
 *   server -> client  { kind: 'push', channel, payload }        (LabPush)
 *
 * `id` is chosen by the client to pair results with invocations; results may arrive out
 * of order. The renderer's WebSocket client speaks the same shapes.
 */
import type { LabPush, LabPushChannel, LabResult } from '../../contract/labApi';

export interface InvokeMessage {
  kind: 'invoke';
  id: number;
  channel: string;
  request: unknown;
}

export interface ResultMessage {
  kind: 'result';
  id: number;
  result: LabResult<unknown>;
}

export interface PushMessage<P extends LabPushChannel = LabPushChannel> {
  kind: 'push';
  channel: P;
  payload: LabPush[P];
}

/**
 * A parsed client frame, or why it is unusable; `id` is present when the frame carried a
 * usable one, so the server can still answer that invocation with an error result.
 */
export type ParsedClientMessage = { ok: true; message: InvokeMessage } | { ok: false; error: string; id?: number };

/**
 * Parses one text frame from a client. Only the envelope is checked here; `channel` and
 * `request` are validated by `dispatchLabRequest` so a bad request still gets a result.
 */
export function parseClientMessage(text: string): ParsedClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'frame must be a JSON object' };
  }
  const frame = value as Record<string, unknown>;
  if (frame.kind !== 'invoke') return { ok: false, error: `unknown frame kind ${JSON.stringify(frame.kind)}` };
  if (typeof frame.id !== 'number' || !Number.isSafeInteger(frame.id)) {
    return { ok: false, error: 'invoke frame needs an integer id' };
  }
  if (typeof frame.channel !== 'string') return { ok: false, error: 'invoke frame needs a string channel', id: frame.id };
  return { ok: true, message: { kind: 'invoke', id: frame.id, channel: frame.channel, request: frame.request } };
}

/** Encodes a push frame (done once per push, then sent to every client). */
export function encodePush<P extends LabPushChannel>(channel: P, payload: LabPush[P]): string {
  const message: PushMessage<P> = { kind: 'push', channel, payload };
  return JSON.stringify(message);
}

/** Encodes the answer to one invocation. */
export function encodeResult(id: number, result: LabResult<unknown>): string {
  const message: ResultMessage = { kind: 'result', id, result };
  return JSON.stringify(message);
}
