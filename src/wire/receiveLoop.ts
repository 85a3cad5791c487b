/**
 * The receive loop every socket runs: one pending `receive()` at a time (zeromq.js allows
 * no more), each message handed to `onMessage`, and an orderly end when the socket closes.
 * Closing a socket during traffic can make a pending receive throw ENOTSOCK (docs/platform-facts.md#zeromq):
 * that is the end of the loop, not an error. Anything `onMessage` throws is reported and
 * the loop goes on: one bad message must never stop a node from listening.
 *
 * WHY the loop yields every few ms: while messages are queued, `receive()` resolves at once
 * (a microtask), so a backlog is drained without ever letting timers run. libzmq hands
 * messages over in batches of thousands, and a node flooded with frames (garbage, or a
 * burst of client batches) starved its tick timer for hundreds of ms: no heartbeats went
 * out and the followers elected another leader. Yielding a macrotask once message handling
 * has taken SLICE_MS since the last turn keeps ticks and heartbeats on time; the cost is
 * two clock reads per message.
 */
import type { Readable } from 'zeromq';
import { errorCode } from './sendPump';

export interface LoopSocket extends Readable {
  readonly closed: boolean;
}

/** Longest stretch of message handling before timers and I/O get a turn. */
const SLICE_MS = 5;

export async function receiveLoop(
  socket: LoopSocket,
  onMessage: (parts: Buffer[]) => void,
  onError: (error: unknown, context: string) => void,
): Promise<void> {
  let busyMs = 0;
  while (!socket.closed) {
    if (busyMs >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      busyMs = 0;
    }
    let parts: Buffer[];
    try {
      parts = await socket.receive();
    } catch (error) {
      const code = errorCode(error);
      if (socket.closed || code === 'ENOTSOCK' || code === 'ETERM') return;
      onError(error, 'receiving');
      // Yield a macrotask so a persistent failure cannot spin the event loop.
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    const start = performance.now();
    try {
      onMessage(parts);
    } catch (error) {
      onError(error, 'handling a received message');
    }
    busyMs += performance.now() - start;
  }
}
