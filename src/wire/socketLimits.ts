/**
 * Per-socket size and queue limits: each socket takes only what its kind of frame may
 * legitimately weigh (FRAME_LIMITS in src/contract/codec.ts), and queues little.
 *
 * ZeroMQ's own inbound size guard (ZMQ_MAXMSGSIZE) sits 64 KiB ABOVE the codec's limit on
 * purpose: a frame between the two reaches the codec, is refused as 'oversized' and shows
 * up in the rejection counters; only frames beyond it are cut off by libzmq itself, which
 * disconnects the sender (and lost the next queued message too, docs/platform-facts.md#zeromq)
 * but protects memory without a trace.
 *
 * Receive high-water marks: libzmq queues up to 1,000 messages per connection by default,
 * which at 16 MiB a frame is gigabytes for one hostile (or just fast) sender. A few dozen is
 * plenty for a receiver that drains its socket continuously (receiveLoop.ts); beyond it
 * libzmq stops reading the connection and the sender's own high-water mark (and
 * `sendTimeout: 0`) drops instead, which every sender here tolerates.
 */
import { FRAME_LIMITS, type FrameKind } from '../contract/codec';

const SLACK_BYTES = 64 * 1024;

/** Receive queue per connection, in messages, by the kind of frame a socket takes in. */
export const RECEIVE_HWM: { readonly [K in FrameKind]: number } = {
  raft: 64,
  client: 64,
  clientReply: 64,
  control: 16,
  controlReply: 64,
  telemetry: 32,
};

/** The codec's byte limit for frames of `kind` on a socket configured with `maxFrameBytes`. */
export function frameByteLimit(kind: FrameKind, maxFrameBytes: number): number {
  if (!(Number.isSafeInteger(maxFrameBytes) && maxFrameBytes > 0)) {
    throw new RangeError(`maxFrameBytes must be a positive integer, got ${maxFrameBytes}`);
  }
  return Math.min(maxFrameBytes, FRAME_LIMITS[kind].maxBytes);
}

/** ZMQ_MAXMSGSIZE for a socket receiving frames of `kind`. */
export function socketMessageLimit(kind: FrameKind, maxFrameBytes: number): number {
  return frameByteLimit(kind, maxFrameBytes) + SLACK_BYTES;
}

/** Options every receiving socket of `kind` sets. */
export function receiveLimits(kind: FrameKind, maxFrameBytes: number): { maxMessageSize: number; receiveHighWaterMark: number } {
  return { maxMessageSize: socketMessageLimit(kind, maxFrameBytes), receiveHighWaterMark: RECEIVE_HWM[kind] };
}
