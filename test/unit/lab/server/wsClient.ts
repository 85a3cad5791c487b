// Test helpers for talking to the lab server: connect with a chosen Origin, and wait for
// frames by predicate with a deadline (never by sleeping).
import { WebSocket } from 'ws';

/** A decoded server frame, loosely typed so tests can probe any field. */
export type Frame = Record<string, unknown>;

export type Connection =
  | { ok: true; ws: WebSocket; frames: Frame[]; closed: Promise<number> }
  | { ok: false; status: number };

/** Opens a WebSocket; resolves with the HTTP status when the server refuses the upgrade. */
export function connect(url: string, origin: string | undefined, headers: Record<string, string> = {}): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? { headers } : { origin, headers });
    const frames: Frame[] = [];
    // Listen for the close from the start: a server may close right after the handshake.
    const closed = new Promise<number>((resolveClose) => ws.once('close', (code) => resolveClose(code)));
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
    ws.once('open', () => resolve({ ok: true, ws, frames, closed }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** Resolves with the first frame (already received or future) matching `match`. */
export function waitForFrame(ws: WebSocket, frames: Frame[], match: (frame: Frame) => boolean, deadlineMs = 5000): Promise<Frame> {
  const found = frames.find(match);
  if (found !== undefined) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`no matching frame within ${deadlineMs} ms; got ${JSON.stringify(frames)}`));
    }, deadlineMs);
    function onMessage(data: unknown): void {
      const frame = JSON.parse(String(data)) as Frame;
      if (match(frame)) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(frame);
      }
    }
    ws.on('message', onMessage);
  });
}

/** Resolves with the close code once the server closes the connection. */
export function waitForClose(ws: WebSocket, deadlineMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket not closed within ${deadlineMs} ms`)), deadlineMs);
    ws.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** `promise`, or a rejection once `deadlineMs` has passed. */
export function withDeadline<T>(promise: Promise<T>, deadlineMs = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${deadlineMs} ms`)), deadlineMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
