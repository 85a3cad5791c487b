import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOSE_BAD_TOKEN, startLabServer, type LabServer } from '../../../../src/lab/server/labServer';
import { FakeLab } from '../api/fakeLab';
import { IDLE_LAB_STATE } from '../../../../src/contract/labApi';
import { connect, waitForClose, waitForFrame, withDeadline, type Frame } from './wsClient';

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser-mode lab server', () => {
  let dir: string;
  let staticDir: string;
  let lab: FakeLab;
  let server: LabServer;
  let origin: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftlab-server-'));
    staticDir = join(dir, 'renderer');
    await mkdir(join(staticDir, 'assets'), { recursive: true });
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>raftlab</title>');
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log("app")');
    await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET');
    await symlink(join(dir, 'secret.txt'), join(staticDir, 'assets', 'link.txt'));
    lab = new FakeLab();
    server = await startLabServer({ lab, staticDir, port: 0, log: () => {} });
    origin = `http://127.0.0.1:${server.port}`;
  });

  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL with a one-time code, never the 64-hex-digit secret', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?code=[0-9a-f]{32}$`));
    expect(server.url).not.toContain(server.token);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.signInUrl()).not.toBe(server.url);
  });

  describe('signing a browser in (docs/security.md#browser-mode-token)', () => {
    const path = (url: string) => url.slice(url.indexOf('/', 'http://'.length));

    it('exchanges the code once for an HttpOnly, SameSite=Strict cookie and redirects it out of the address bar', async () => {
      const first = await rawGet(server.port, path(server.url));
      expect(first.status).toBe(303);
      expect(first.headers.location).toBe('/');
      expect(first.headers['cache-control']).toBe('no-store');
      const cookie = String(first.headers['set-cookie']);
      expect(cookie).toBe(`raftlab_session_${server.port}=${server.token}; HttpOnly; SameSite=Strict; Path=/`);
      // Spent: the same address no longer signs anyone in.
      const again = await rawGet(server.port, path(server.url));
      expect(again.status).toBe(403);
      expect(again.body).toMatch(/already used/);
      expect(again.headers['set-cookie']).toBeUndefined();
      // A browser that already holds the cookie is just sent on (no new cookie).
      const signedIn = await rawGet(server.port, path(server.url), { Cookie: cookie.split(';')[0] });
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers['set-cookie']).toBeUndefined();
    });

    it('refuses a code it did not issue', async () => {
      const res = await rawGet(server.port, `/?code=${'0'.repeat(32)}`);
      expect(res.status).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('lets the cookie alone open the API, and closes 4401 on a wrong or another port\'s cookie', async () => {
      const base = `ws://127.0.0.1:${server.port}/api?token=`;
      const good = await connect(base, origin, { Cookie: `other=1; raftlab_session_${server.port}=${server.token}` });
      if (!good.ok) throw new Error(`refused with ${good.status}`);
      good.ws.send(JSON.stringify({ kind: 'invoke', id: 3, channel: 'lab:state', request: {} }));
      expect((await waitForFrame(good.ws, good.frames, (f) => f.kind === 'result' && f.id === 3)).result).toEqual({ ok: true, value: IDLE_LAB_STATE });
      good.ws.close();
      for (const cookie of [`raftlab_session_${server.port}=${'f'.repeat(64)}`, `raftlab_session_${server.port + 1}=${server.token}`]) {
        const bad = await connect(base, origin, { Cookie: cookie });
        if (!bad.ok) throw new Error(`expected a handshake then a close, got HTTP ${bad.status}`);
        expect(await withDeadline(bad.closed)).toBe(CLOSE_BAD_TOKEN);
      }
    });
  });

  it('serves the renderer with the right MIME types and a strict CSP', async () => {
    const page = await rawGet(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>raftlab</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const script = await rawGet(server.port, '/assets/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await rawGet(server.port, '/assets/missing.js')).status).toBe(404);
  });

  it('refuses path traversal, encoded or not, and symlinks leading outside', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/link.txt', '/%00index.html']) {
      const res = await rawGet(server.port, path);
      expect([400, 403], path).toContain(res.status);
      expect(res.body, path).not.toContain('TOP-SECRET');
    }
  });

  it('refuses requests whose Host header is not loopback (DNS rebinding)', async () => {
    const res = await rawGet(server.port, '/', { Host: `evil.example:${server.port}` });
    expect(res.status).toBe(403);
  });

  it('closes WebSocket clients without the token or with a wrong one (4401), before reading anything', async () => {
    const base = `ws://127.0.0.1:${server.port}/api`;
    const wrong = server.token.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    for (const url of [base, `${base}?token=`, `${base}?token=${wrong}`, `${base}?token=${server.token}x`]) {
      const conn = await connect(url, origin);
      if (!conn.ok) throw new Error(`expected a handshake then a close, got HTTP ${conn.status}`);
      conn.ws.send(JSON.stringify({ kind: 'invoke', id: 1, channel: 'lab:state', request: {} }));
      expect(await withDeadline(conn.closed)).toBe(CLOSE_BAD_TOKEN);
      expect(conn.frames).toEqual([]);
    }
    expect(lab.calls).toEqual([]);
  });

  it('refuses WebSocket clients from another origin, or with none', async () => {
    const url = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    expect(await connect(url, 'http://evil.example')).toEqual({ ok: false, status: 403 });
    expect(await connect(url, `http://127.0.0.1:${server.port + 1}`)).toEqual({ ok: false, status: 403 });
    expect(await connect(url, undefined)).toEqual({ ok: false, status: 403 });
  });

  it('answers WebSocket upgrades on other paths with 404', async () => {
    expect(await connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`, origin)).toEqual({ ok: false, status: 404 });
  });

  describe('with an authorised client', () => {
    async function open() {
      const conn = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, origin);
      if (!conn.ok) throw new Error(`connection refused with ${conn.status}`);
      return conn;
    }
    const resultFor = (id: number) => (f: Frame) => f.kind === 'result' && f.id === id;

    it('round-trips an invocation to the lab', async () => {
      const { ws, frames } = await open();
      ws.send(JSON.stringify({ kind: 'invoke', id: 7, channel: 'lab:state', request: {} }));
      const frame = await waitForFrame(ws, frames, resultFor(7));
      expect(frame).toEqual({ kind: 'result', id: 7, result: { ok: true, value: IDLE_LAB_STATE } });
      expect(lab.calls).toEqual([{ channel: 'lab:state', request: {} }]);
      ws.close();
    });

    it('returns lab errors as data', async () => {
      const { ws, frames } = await open();
      ws.send(JSON.stringify({ kind: 'invoke', id: 1, channel: 'node:kill', request: { node: 3 } }));
      expect((await waitForFrame(ws, frames, resultFor(1))).result).toEqual({ ok: false, error: 'node 3 is not running' });
      ws.close();
    });

    it('rejects invalid payloads and unknown channels without calling the lab', async () => {
      const { ws, frames } = await open();
      ws.send(JSON.stringify({ kind: 'invoke', id: 1, channel: 'node:kill', request: { node: 'three' } }));
      ws.send(JSON.stringify({ kind: 'invoke', id: 2, channel: 'shell:exec', request: {} }));
      ws.send(JSON.stringify({ kind: 'invoke', id: 3, channel: 42, request: {} }));
      const bad = await waitForFrame(ws, frames, resultFor(1));
      const unknown = await waitForFrame(ws, frames, resultFor(2));
      const noChannel = await waitForFrame(ws, frames, resultFor(3));
      for (const frame of [bad, unknown, noChannel]) {
        expect(frame.result).toMatchObject({ ok: false, error: expect.any(String) });
      }
      expect((bad.result as { error: string }).error).toMatch(/node/);
      expect((unknown.result as { error: string }).error).toMatch(/unknown channel/);
      expect(lab.calls).toEqual([]);
      ws.close();
    });

    it('closes the connection on frames that are not the protocol', async () => {
      const { ws } = await open();
      const closed = waitForClose(ws);
      ws.send('not json');
      expect(await closed).toBe(1008);
    });

    it('delivers lab pushes to every connected client', async () => {
      const a = await open();
      const b = await open();
      const events = [{ type: 'telemetryGap' as const, missed: 1, t: 5, node: null }];
      lab.emit('lab:events', { events });
      lab.emit('lab:state', IDLE_LAB_STATE);
      for (const { ws, frames } of [a, b]) {
        expect(await waitForFrame(ws, frames, (f) => f.kind === 'push' && f.channel === 'lab:events')).toEqual({
          kind: 'push', channel: 'lab:events', payload: { events },
        });
        expect((await waitForFrame(ws, frames, (f) => f.kind === 'push' && f.channel === 'lab:state')).payload).toEqual(IDLE_LAB_STATE);
      }
      a.ws.close();
      b.ws.close();
    });

    it('disconnects clients cleanly on close() and stops listening', async () => {
      const { ws } = await open();
      const closed = waitForClose(ws);
      await server.close();
      expect(await closed).toBe(1001);
      expect(lab.listeners.size).toBe(0);
      await expect(rawGet(server.port, '/')).rejects.toThrow();
    });
  });

  it('fails clearly when the renderer has not been built', async () => {
    await expect(startLabServer({ lab, staticDir: join(dir, 'nope') })).rejects.toThrow(/npm run build/);
  });
});
