/**
 * ZeroMQ's own inbound size guard (ZMQ_MAXMSGSIZE), set on every receiving socket.
 *
 * It sits ABOVE the codec's limit on purpose: a frame between the two limits reaches the
 * codec, is refused as 'oversized' and shows up in the rejection counters; only frames far
 * beyond it are cut off by libzmq itself, which disconnects the sender (and lost the next
 * queued message too, docs/platform-facts.md#zeromq) but protects memory from absurd sizes without a trace.
 */
export function socketMessageLimit(maxFrameBytes: number): number {
  if (!(Number.isSafeInteger(maxFrameBytes) && maxFrameBytes > 0)) {
    throw new RangeError(`maxFrameBytes must be a positive integer, got ${maxFrameBytes}`);
  }
  return Math.min(maxFrameBytes * 2 + 64 * 1024, 2 ** 31 - 1);
}
