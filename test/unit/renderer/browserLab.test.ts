import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browserLabUrl, createBrowserLab } from '../../../renderer/src/api/browserLab';
import type { ConnectionStatus, WebSocketLike } from '../../../renderer/src/api/browserLab';
import type { LabState } from '../../../src/contract/labApi';

/** A scripted WebSocket: records what the client sends and lets the test play the server. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send before open');
    this.sent.push(JSON.parse(data));
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.serverClose(code ?? 1000, reason ?? '');
  }
  // Server side:
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const STATE: LabState = { phase: 'idle', runId: null, runDir: null, options: null, nodes: [], blocked: [], links: [], workload: null, startedAt: null };

describe('browserLabUrl', () => {
  it('builds ws(s)://host/api?token= from the page address', () => {
    expect(browserLabUrl({ protocol: 'http:', host: '127.0.0.1:5173', search: '?token=ab%2Fc&x=1' })).toBe('ws://127.0.0.1:5173/api?token=ab%2Fc');
    expect(browserLabUrl({ protocol: 'https:', host: 'lab.local', search: '' })).toBe('wss://lab.local/api?token=');
  });
});

describe('createBrowserLab', () => {
  let sockets: FakeSocket[];
  let warnings: string[];
  const create = (extra: Partial<Parameters<typeof createBrowserLab>[0]> = {}) =>
    createBrowserLab({
      url: 'ws://host/api?token=t',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      warn: (m) => warnings.push(m),
      reconnectDelayMs: { min: 100, max: 400 },
      ...extra,
    });

  beforeEach(() => {
    sockets = [];
    warnings = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('queues requests until the socket opens, then matches results by id', async () => {
    const lab = create();
    expect(lab.mode).toBe('browser');
    const a = lab.invoke('lab:state', {});
    const b = lab.invoke('node:kill', { node: 3 });
    const s = sockets[0];
    expect(s.url).toBe('ws://host/api?token=t');
    expect(s.sent).toEqual([]);
    s.open();
    expect(s.sent).toEqual([
      { kind: 'invoke', id: 1, channel: 'lab:state', request: {} },
      { kind: 'invoke', id: 2, channel: 'node:kill', request: { node: 3 } },
    ]);
    // Answers may come in any order.
    s.receive({ kind: 'result', id: 2, result: { ok: false, error: 'node 3 is not running' } });
    s.receive({ kind: 'result', id: 1, result: { ok: true, value: STATE } });
    await expect(a).resolves.toEqual({ ok: true, value: STATE });
    await expect(b).resolves.toEqual({ ok: false, error: 'node 3 is not running' });
  });

  it('delivers valid pushes to subscribers until they unsubscribe, and drops malformed ones with a warning', () => {
    const lab = create();
    const s = sockets[0];
    s.open();
    const batches: unknown[] = [];
    const off = lab.on('lab:events', (p) => batches.push(p.events.length));
    const states: LabState[] = [];
    lab.on('lab:state', (p) => states.push(p));
    s.receive({ kind: 'push', channel: 'lab:events', payload: { events: [{ type: 'commit', t: 5, node: 1, index: 3 }] } });
    s.receive({ kind: 'push', channel: 'lab:state', payload: STATE });
    s.receive({ kind: 'push', channel: 'lab:events', payload: { events: 'nope' } });
    s.receive({ kind: 'push', channel: 'lab:unknown', payload: {} });
    s.receive('not json');
    s.receive({ kind: 'result', id: 99, result: { ok: true, value: 1 } });
    off();
    s.receive({ kind: 'push', channel: 'lab:events', payload: { events: [] } });
    expect(batches).toEqual([1]);
    expect(states).toEqual([STATE]);
    expect(warnings).toHaveLength(4);
    expect(warnings.join('\n')).toMatch(/malformed push/);
    expect(warnings.join('\n')).toMatch(/not JSON/);
    expect(warnings.join('\n')).toMatch(/unknown request id 99/);
  });

  it('a listener that throws does not stop the others', () => {
    const lab = create();
    sockets[0].open();
    const seen: number[] = [];
    lab.on('lab:events', () => {
      throw new Error('boom');
    });
    lab.on('lab:events', (p) => seen.push(p.events.length));
    sockets[0].receive({ kind: 'push', channel: 'lab:events', payload: { events: [] } });
    expect(seen).toEqual([0]);
    expect(warnings[0]).toMatch(/boom/);
  });

  it('fails pending requests when the connection drops and reconnects with backoff', async () => {
    const lab = create();
    const statuses: ConnectionStatus[] = [];
    lab.onStatus((st) => statuses.push(st));
    sockets[0].open();
    const pending = lab.invoke('cluster:stop', {});
    sockets[0].serverClose(1006);
    await expect(pending).resolves.toEqual({ ok: false, error: 'connection to the lab server closed' });
    expect(lab.status).toMatchObject({ state: 'closed', retrying: true });
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    sockets[1].serverClose(1006);
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2); // the delay doubled
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    sockets[2].open();
    expect(lab.status).toEqual({ state: 'open' });
    expect(statuses.map((st) => st.state)).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);
  });

  it('does not retry when the server refuses the token', () => {
    const lab = create();
    sockets[0].serverClose(4401, 'missing or wrong token');
    expect(lab.status).toMatchObject({ state: 'closed', retrying: false });
    expect((lab.status as { reason: string }).reason).toMatch(/refused.*wrong token.*check the token/);
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(1);
  });

  it('times out a request that never gets an answer', async () => {
    const lab = create({ requestTimeoutMs: 5000 });
    sockets[0].open();
    const r = lab.invoke('run:list', {});
    vi.advanceTimersByTime(5000);
    await expect(r).resolves.toEqual({ ok: false, error: 'run:list got no answer within 5 s' });
    // A late answer is then ignored (with a warning), not delivered twice.
    sockets[0].receive({ kind: 'result', id: 1, result: { ok: true, value: { runs: [] } } });
    expect(warnings[0]).toMatch(/unknown request id 1/);
  });

  it('treats a malformed result as an error answer', async () => {
    const lab = create();
    sockets[0].open();
    const r = lab.invoke('lab:state', {});
    sockets[0].receive({ kind: 'result', id: 1, result: { ok: 'maybe' } });
    await expect(r).resolves.toEqual({ ok: false, error: 'the lab server sent a malformed result' });
  });

  it('close() fails pending requests, closes the socket and stops reconnecting', async () => {
    const lab = create();
    sockets[0].open();
    const r = lab.invoke('lab:state', {});
    lab.close();
    await expect(r).resolves.toMatchObject({ ok: false });
    expect(sockets[0].closedWith?.code).toBe(1000);
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(1);
    await expect(lab.invoke('lab:state', {})).resolves.toMatchObject({ ok: false, error: expect.stringMatching(/closed/) });
  });
});
