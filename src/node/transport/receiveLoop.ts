/**
 * The receive loop every socket runs: one pending `receive()` at a time (zeromq.js allows
 * no more), each message handed to `onMessage`, and an orderly end when the socket closes.
 * Closing a socket during traffic can make a pending receive throw ENOTSOCK (field notes):
 * that is the end of the loop, not an error. Anything `onMessage` throws is reported and
 * the loop goes on: one bad message must never stop a node from listening.
 */
import type { Readable } from 'zeromq';
import { errorCode } from './sendPump';

export interface LoopSocket extends Readable {
  readonly closed: boolean;
}

export async function receiveLoop(
  socket: LoopSocket,
  onMessage: (parts: Buffer[]) => void,
  onError: (error: unknown, context: string) => void,
): Promise<void> {
  while (!socket.closed) {
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
    try {
      onMessage(parts);
    } catch (error) {
      onError(error, 'handling a received message');
    }
  }
}
