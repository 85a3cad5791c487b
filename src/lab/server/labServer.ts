/**
 * Browser mode: the lab served to an ordinary browser from plain Node (no Electron).
 *
 * One node:http server on 127.0.0.1 does two things:
 * - serves the built renderer (`out/renderer`) as static files, with the same CSP as the
 *   desktop app. The page itself is not secret;
 * - signs a browser in: the printed address carries a one-time code, exchanged on first
 *   load for the API secret in an HttpOnly, SameSite=Strict cookie, then redirected away
 *   so the address bar keeps nothing that still works (./signIn);
 * - accepts WebSocket connections at `/api`, the lab API in the message shapes of
 *   ./wireMessages. Only a client holding the secret (the cookie, or `?token=` for
 *   programmatic clients), connecting from this server's own origin, gets in (see
 *   ./accessGuard for why each check exists): a foreign Origin or Host is refused with
 *   HTTP 403; a missing or bad secret gets close code 4401 right after the handshake.
 *
 * Every invocation goes through `dispatchLabRequest` (validation, errors as data), exactly
 * like Electron IPC; every push from the lab and every reply goes to its client through a
 * `PushGate`, which bounds memory when a client stops reading.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { LabService } from '../../contract/labService';
import type { LabResult } from '../../contract/labApi';
import { contentSecurityPolicy } from '../api/csp';
import { mimeTypeFor, resolveStaticFile } from '../api/staticFiles';
import { createToken, hostAllowed, originAllowed, tokenMatches } from './accessGuard';
import { dispatchLabRequest, errorMessage } from '../api/dispatch';
import { encodePush, encodeResult, parseClientMessage } from './wireMessages';
import { DEFAULT_PUSH_GATE_LIMITS, PushGate, type PushGateLimits } from './pushGate';
import { SignIn } from './signIn';

/** The API endpoint path; the renderer connects to `ws://HOST/api` (the cookie signs it in). */
export const API_PATH = '/api';

/** Largest client frame accepted; lab requests are small JSON objects. */
const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;

/**
 * Close code for a missing or wrong token (4000-4999 are the application's). The renderer's
 * client treats it as final ("check the token in the address") instead of reconnecting.
 */
export const CLOSE_BAD_TOKEN = 4401;

/** How long close() lets clients acknowledge the close frame before cutting them off. */
const CLOSE_GRACE_MS = 1000;

export interface LabServerOptions {
  lab: LabService;
  /** Directory of the built renderer (contains index.html), normally `out/renderer`. */
  staticDir: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Loopback only, on purpose: the server must not be reachable from other machines. */
  host?: '127.0.0.1';
  /** Back-pressure limits per client (tests shrink them). */
  pushLimits?: PushGateLimits;
  /** Where to report problems no client can be told about; defaults to console.error. */
  log?: (message: string) => void;
}

export interface LabServer {
  /** The first address to open: `http://127.0.0.1:PORT/?code=ONE-TIME-CODE` (works once). */
  url: string;
  /** Another one-time sign-in address (for a second browser or a test page). */
  signInUrl(): string;
  /** The API secret: for programmatic clients (`/api?token=`), never printed. */
  token: string;
  port: number;
  /** Disconnects every client and stops listening. Does not shut the lab down. */
  close(): Promise<void>;
}

/** Starts the browser-mode server; resolves once it is listening. */
export async function startLabServer(options: LabServerOptions): Promise<LabServer> {
  const { lab, staticDir } = options;
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`the lab server binds 127.0.0.1 only (got host ${JSON.stringify(host)})`);
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new Error(`port must be a whole number from 0 to 65535 (got ${requestedPort})`);
  }
  try {
    await access(join(staticDir, 'index.html'));
  } catch {
    throw new Error(`no built renderer at ${join(staticDir, 'index.html')}: run \`npm run build\` first`);
  }
  const log = options.log ?? ((message: string) => console.error(`lab server: ${message}`));
  const pushLimits = options.pushLimits ?? DEFAULT_PUSH_GATE_LIMITS;
  const token = createToken();
  const clients = new Map<WebSocket, PushGate>();
  // Set once listening: the CSP and the Host/Origin checks need the actual port.
  let port = 0;
  let csp = '';
  let signIn: SignIn | null = null;

  const server = createServer((req, res) => {
    serveStatic(req, res).catch((err: unknown) => {
      log(`serving ${req.url ?? '?'} failed: ${errorMessage(err)}`);
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, port)) return sendText(res, 403, 'Forbidden: unexpected Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method Not Allowed');
    }
    // Use the raw path, not a parsed URL: URL parsing would silently resolve `..` segments,
    // and we want to refuse them, not reinterpret them.
    const [rawPath, query = ''] = (req.url ?? '/').split('?', 2);
    if ((rawPath === '/' || rawPath === '/index.html') && signIn !== null) {
      const params = new URLSearchParams(query);
      if (params.has('code') || params.has('token')) return completeSignIn(req, res, signIn, params);
    }
    const lookup = await resolveStaticFile(staticDir, rawPath);
    if (!lookup.ok) {
      const status = { 'bad-request': 400, forbidden: 403, 'not-found': 404 }[lookup.reason];
      return sendText(res, status, { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Error');
    }
    const body = await readFile(lookup.file);
    res.writeHead(200, {
      ...securityHeaders(csp),
      'Content-Type': mimeTypeFor(lookup.file),
      'Content-Length': body.length,
      // A local development tool: always revalidate so a rebuilt renderer shows up.
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** Exchanges a one-time code (or the secret itself) for the cookie and strips it from the address. */
  function completeSignIn(req: IncomingMessage, res: ServerResponse, session: SignIn, params: URLSearchParams): void {
    const accepted = session.redeem(params.get('code')) || tokenMatches(token, params.get('token'));
    if (accepted) log('a browser signed in');
    if (!accepted && !session.hasSession(req.headers.cookie)) {
      return sendText(res, 403, 'This sign-in address was already used or is not valid: each one works once. Restart the lab server to get a new one.');
    }
    res.writeHead(303, {
      ...securityHeaders(csp),
      Location: '/',
      'Cache-Control': 'no-store',
      'Content-Length': 0,
      ...(accepted ? { 'Set-Cookie': session.sessionCookie() } : {}),
    });
    res.end();
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log(`handshake socket error: ${err.message}`));
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    if (url.pathname !== API_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(req.headers.host, port)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!originAllowed(req.headers.origin, port)) return refuseUpgrade(socket, 403, 'Forbidden');
    const signedIn = (signIn?.hasSession(req.headers.cookie) ?? false) || tokenMatches(token, url.searchParams.get('token'));
    if (!signedIn) {
      // Our own page without the right token (opened from a stale or trimmed URL). Browsers
      // hide the status of a refused handshake, so complete it and close with a code the
      // page can show; no frame from this socket is ever read.
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', (err) => log(`refused client socket error: ${err.message}`));
        ws.close(CLOSE_BAD_TOKEN, 'missing or wrong token: open the URL the server printed');
      });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => acceptClient(ws));
  });

  function acceptClient(ws: WebSocket): void {
    const gate = new PushGate(
      {
        send: (data) => ws.send(data),
        bufferedAmount: () => ws.bufferedAmount,
        pauseInput: () => ws.pause(),
        resumeInput: () => ws.resume(),
        terminate: (reason) => {
          log(`dropping a client: ${reason}`);
          ws.terminate();
        },
      },
      pushLimits,
    );
    clients.set(ws, gate);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'binary frames are not supported');
        return;
      }
      const parsed = parseClientMessage(rawDataToString(data));
      if (!parsed.ok) {
        if (parsed.id !== undefined) reply(ws, gate, parsed.id, { ok: false, error: parsed.error });
        // Without an id there is nothing to answer: the client is not speaking the protocol.
        else ws.close(1008, parsed.error.slice(0, 120));
        return;
      }
      const { id, channel, request } = parsed.message;
      void dispatchLabRequest(lab, channel, request).then((result) => reply(ws, gate, id, result));
    });
    ws.on('close', () => {
      gate.close();
      clients.delete(ws);
    });
    ws.on('error', (err) => log(`client socket error: ${err.message}`));
  }

  function reply(ws: WebSocket, gate: PushGate, id: number, result: LabResult<unknown>): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    let frame: string;
    try {
      frame = encodeResult(id, result);
    } catch (err) {
      // e.g. a bigint or a cycle in a lab response: still answer, and say why.
      frame = encodeResult(id, { ok: false, error: `response could not be encoded: ${errorMessage(err)}` });
    }
    // Under the same back-pressure as pushes: a client that stops reading cannot make its
    // replies (an events list, a run file) pile up without bound (./pushGate).
    gate.reply(frame);
  }

  const unsubscribe = lab.subscribe((channel, payload) => {
    if (clients.size === 0) return;
    let encoded: string;
    try {
      encoded = encodePush(channel, payload);
    } catch (err) {
      log(`push on ${channel} could not be encoded: ${errorMessage(err)}`);
      return;
    }
    for (const gate of clients.values()) gate.offer(channel, payload, encoded);
  });

  try {
    port = await listen(server, requestedPort, host);
  } catch (err) {
    unsubscribe();
    throw err;
  }
  csp = contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
  const session = new SignIn(token, port);
  signIn = session;
  const signInUrl = (): string => `http://127.0.0.1:${port}/?code=${session.issueCode()}`;

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    unsubscribe();
    const closed = [...clients.entries()].map(([ws, gate]) => {
      gate.close();
      return closeClient(ws);
    });
    await Promise.all(closed);
    wss.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  return {
    url: signInUrl(),
    signInUrl,
    token,
    port,
    close: () => (closing ??= close()),
  };
}

/** Headers every page response carries. */
function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    // A sign-in address carries a code: never send it to anyone as a Referer.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
  };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  // Destroy only once the response is flushed, or the client sees a reset instead of a status.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Sends a clean close (1001 Going Away) and waits briefly for the client to answer. */
function closeClient(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, CLOSE_GRACE_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'lab server shutting down');
  });
}
