/**
 * The lab API over a WebSocket, for browser mode (the same `LabApi` the Electron preload
 * exposes as `window.lab`).
 *
 * Wire format (JSON text frames), shared with the browser-mode server:
 *   client -> server  {kind:'invoke', id, channel, request}
 *   server -> client  {kind:'result', id, result: LabResult}
 *   server -> client  {kind:'push', channel, payload}
 *
 * Requests sent before the socket opens wait for it. When the socket closes, every
 * request still waiting is answered with an error (never replayed later: a "kill node 3"
 * that arrives a minute late is worse than one that failed) and the client reconnects
 * with backoff, unless the server refused us (bad token), which retrying cannot fix.
 */
import type { LabApi, LabChannel, LabPush, LabPushChannel, LabRequest, LabResponse, LabResult } from '../../../src/contract/labApi';
import { validatePush } from '../../../src/contract/labApiValidate';

/** The subset of the browser WebSocket this client uses (a fake in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'closed'; reason: string; retrying: boolean };

export interface BrowserLabOptions {
  url: string;
  createSocket?: WebSocketFactory;
  /** A request without an answer after this long fails (ms). Cluster start can take a while. */
  requestTimeoutMs?: number;
  /** Reconnect backoff bounds (ms); doubles from min up to max. */
  reconnectDelayMs?: { min: number; max: number };
  /** Where problems that are not answers to a request get reported. */
  warn?: (message: string) => void;
}

/** `LabApi` plus what only a network connection has: a status and an explicit close. */
export interface BrowserLab extends LabApi {
  readonly status: ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Closes the socket for good (no reconnect); pending requests fail. */
  close(): void;
}

/** WebSocket.OPEN; the constant is not available outside browsers. */
const OPEN = 1;
/**
 * Close codes that mean "do not come back": the server's answer to a missing or wrong
 * token (4401, src/lab/server/labServer.ts) and forbidden (4403). Retrying cannot fix those.
 */
const REFUSED_CODES = new Set([4401, 4403]);

interface Pending {
  resolve: (result: LabResult<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** ws(s)://host/api?token=..., with the token taken from the page's own address. */
export function browserLabUrl(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

export function createBrowserLab(options: BrowserLabOptions): BrowserLab {
  const createSocket: WebSocketFactory = options.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
  const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  const backoff = options.reconnectDelayMs ?? { min: 500, max: 5000 };
  const warn = options.warn ?? ((message: string) => console.warn(`[lab] ${message}`));

  const pending = new Map<number, Pending>();
  /** Frames waiting for the socket to open. */
  const outbox: string[] = [];
  const listeners = new Map<LabPushChannel, Set<(payload: never) => void>>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let status: ConnectionStatus = { state: 'connecting' };
  let closedForGood = false;
  let retryDelay = backoff.min;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  function setStatus(next: ConnectionStatus): void {
    status = next;
    for (const listener of statusListeners) listener(next);
  }

  function connect(): void {
    retryTimer = null;
    setStatus({ state: 'connecting' });
    const ws = createSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      retryDelay = backoff.min;
      setStatus({ state: 'open' });
      for (const frame of outbox.splice(0)) ws.send(frame);
    };
    ws.onmessage = (ev) => handleMessage(ev.data);
    ws.onerror = () => {
      // The close event that follows carries the details; nothing to do twice.
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      failAll(`connection to the lab server closed${ev.reason ? ` (${ev.reason})` : ''}`);
      const refused = REFUSED_CODES.has(ev.code);
      const retrying = !closedForGood && !refused;
      const reason = refused
        ? `the lab server refused the connection${ev.reason ? `: ${ev.reason}` : ''} (check the token in the address)`
        : closedForGood ? 'closed' : `connection lost (code ${ev.code}); reconnecting`;
      setStatus({ state: 'closed', reason, retrying });
      if (retrying) {
        retryTimer = setTimeout(connect, retryDelay);
        retryDelay = Math.min(backoff.max, retryDelay * 2);
      }
    };
  }

  function failAll(error: string): void {
    outbox.length = 0;
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.resolve({ ok: false, error });
    }
  }

  function handleMessage(data: unknown): void {
    if (typeof data !== 'string') {
      warn('ignored a non-text message from the lab server');
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch (err) {
      warn(`ignored a message that is not JSON: ${(err as Error).message}`);
      return;
    }
    if (typeof msg !== 'object' || msg === null) {
      warn('ignored a message that is not an object');
      return;
    }
    const m = msg as Record<string, unknown>;
    if (m.kind === 'result') {
      handleResult(m.id, m.result);
    } else if (m.kind === 'push') {
      const checked = validatePush(String(m.channel), m.payload);
      if (!checked.ok) {
        warn(`ignored a malformed push: ${checked.error}`);
        return;
      }
      const set = listeners.get(checked.channel);
      if (!set) return;
      for (const listener of [...set]) {
        try {
          (listener as (payload: unknown) => void)(checked.payload);
        } catch (err) {
          // One broken listener must not starve the others of events.
          warn(`a ${checked.channel} listener threw: ${(err as Error).message}`);
        }
      }
    } else {
      warn(`ignored a message of unknown kind ${JSON.stringify(m.kind)}`);
    }
  }

  function handleResult(id: unknown, result: unknown): void {
    const p = typeof id === 'number' ? pending.get(id) : undefined;
    if (!p) {
      warn(`ignored a result for unknown request id ${JSON.stringify(id)}`);
      return;
    }
    pending.delete(id as number);
    clearTimeout(p.timer);
    const r = result as { ok?: unknown; value?: unknown; error?: unknown } | null;
    if (r && r.ok === true) p.resolve({ ok: true, value: r.value });
    else if (r && r.ok === false && typeof r.error === 'string') p.resolve({ ok: false, error: r.error });
    else p.resolve({ ok: false, error: 'the lab server sent a malformed result' });
  }

  connect();

  return {
    mode: 'browser',
    get status() {
      return status;
    },
    invoke<C extends LabChannel>(channel: C, request: LabRequest<C>): Promise<LabResult<LabResponse<C>>> {
      return new Promise((resolve) => {
        if (closedForGood) {
          resolve({ ok: false, error: 'the connection to the lab server is closed' });
          return;
        }
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ ok: false, error: `${channel} got no answer within ${Math.round(requestTimeoutMs / 1000)} s` });
        }, requestTimeoutMs);
        pending.set(id, { resolve: resolve as (r: LabResult<unknown>) => void, timer });
        const frame = JSON.stringify({ kind: 'invoke', id, channel, request });
        if (socket && socket.readyState === OPEN) socket.send(frame);
        else outbox.push(frame);
      });
    },
    on<P extends LabPushChannel>(channel: P, listener: (payload: LabPush[P]) => void): () => void {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },
    close() {
      closedForGood = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      failAll('the connection to the lab server was closed');
      const ws = socket;
      if (ws) ws.close(1000, 'client closed');
      else setStatus({ state: 'closed', reason: 'closed', retrying: false });
    },
  };
}
