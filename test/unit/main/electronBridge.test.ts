// The Electron side of the lab API, tested without Electron: main's IPC handlers (sender
// check, validation, errors as data, push forwarding) and the preload's window.lab bridge
// (channel whitelist, listener fan-out), wired back to back through a fake IPC.
import { describe, expect, it } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { LAB_CHANNELS, type LabState } from '../../../src/contract/labApi';
import { forwardLabPushes, registerLabIpc, UNTRUSTED_SENDER_ERROR, type IpcRegistrar } from '../../../main/labIpc';
import { createLabBridge, type BridgeIpc } from '../../../main/labBridge';
import { appLocation, isAppUrl, isTrustedSender, originOf } from '../../../main/appOrigin';
import { LAB_PUSH_IPC } from '../../../main/ipcChannels';
import { FakeLab } from '../lab/api/fakeLab';
import { IDLE_LAB_STATE } from '../../../src/contract/labApi';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

/** ipcMain + ipcRenderer + webContents in one: invoke calls the registered handler. */
class FakeIpc implements IpcRegistrar, BridgeIpc {
  readonly handlers = new Map<string, Handler>();
  readonly rendererListeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => void>>();
  /** What the next invoke looks like to main. */
  event = { sender: 'our-window', senderFrame: { url: 'raftlab://app/index.html', parent: null } } as unknown as IpcMainInvokeEvent;

  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return handler(this.event, ...args);
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void {
    this.rendererListeners.set(channel, [...(this.rendererListeners.get(channel) ?? []), listener]);
  }
  /** webContents.send */
  send(channel: string, ...args: unknown[]): void {
    for (const listener of this.rendererListeners.get(channel) ?? []) listener({}, ...args);
  }
  isDestroyed(): boolean {
    return false;
  }
}

const ORIGIN = 'raftlab://app';
function wire() {
  const ipc = new FakeIpc();
  const lab = new FakeLab();
  registerLabIpc(ipc, lab, (e) => isTrustedSender(e.sender, e.senderFrame, 'our-window', ORIGIN), () => {});
  const api = createLabBridge(ipc);
  return { ipc, lab, api };
}

describe('Electron lab IPC', () => {
  it('registers exactly one handler per lab channel, and removes them', () => {
    const ipc = new FakeIpc();
    const remove = registerLabIpc(ipc, new FakeLab(), () => true);
    expect([...ipc.handlers.keys()].sort()).toEqual([...LAB_CHANNELS].sort());
    remove();
    expect(ipc.handlers.size).toBe(0);
  });

  it('round-trips a request from window.lab to the lab', async () => {
    const { api, lab } = wire();
    expect(api.mode).toBe('electron');
    expect(await api.invoke('lab:state', {})).toEqual({ ok: true, value: IDLE_LAB_STATE });
    expect(lab.calls).toEqual([{ channel: 'lab:state', request: {} }]);
  });

  it('returns lab failures and invalid payloads as data', async () => {
    const { api, lab } = wire();
    expect(await api.invoke('node:kill', { node: 2 })).toEqual({ ok: false, error: 'node 2 is not running' });
    const bad = await api.invoke('node:kill', { node: -1 } as never);
    expect(bad.ok).toBe(false);
    expect(lab.calls).toHaveLength(1);
  });

  it('refuses senders that are not the top frame of our window on our page', async () => {
    const { ipc, api, lab } = wire();
    const cases = [
      { sender: 'other-window', senderFrame: { url: 'raftlab://app/index.html', parent: null } },
      { sender: 'our-window', senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: 'our-window', senderFrame: { url: 'raftlab://app/index.html', parent: {} } },
      { sender: 'our-window', senderFrame: null },
    ];
    for (const event of cases) {
      ipc.event = event as unknown as IpcMainInvokeEvent;
      expect(await api.invoke('lab:state', {})).toEqual({ ok: false, error: UNTRUSTED_SENDER_ERROR });
    }
    expect(lab.calls).toEqual([]);
  });

  it('window.lab refuses channels outside the whitelist without touching IPC', async () => {
    const { api, ipc } = wire();
    ipc.handlers.set('shell:exec', () => Promise.resolve({ ok: true, value: 'pwned' }));
    expect(await api.invoke('shell:exec' as never, {} as never)).toEqual({ ok: false, error: 'unknown channel "shell:exec"' });
    expect(() => api.on('ipc:anything' as never, () => {})).toThrow(/unknown push channel/);
  });

  it('forwards lab pushes to listeners until they unsubscribe', () => {
    const { ipc, lab, api } = wire();
    forwardLabPushes(lab, () => ipc);
    const states: LabState[] = [];
    const off = api.on('lab:state', (s) => states.push(s));
    let eventBatches = 0;
    api.on('lab:events', () => {
      eventBatches += 1;
    });
    lab.emit('lab:state', IDLE_LAB_STATE);
    lab.emit('lab:events', { events: [] });
    off();
    lab.emit('lab:state', { ...IDLE_LAB_STATE, phase: 'running' });
    expect(states).toEqual([IDLE_LAB_STATE]);
    expect(eventBatches).toBe(1);
  });

  it('keeps delivering to other listeners when one throws, and ignores unknown push channels', () => {
    const { ipc, lab, api } = wire();
    forwardLabPushes(lab, () => ipc);
    let delivered = 0;
    const originalError = console.error;
    console.error = () => {};
    try {
      api.on('lab:state', () => {
        throw new Error('broken listener');
      });
      api.on('lab:state', () => {
        delivered += 1;
      });
      lab.emit('lab:state', IDLE_LAB_STATE);
      ipc.send(LAB_PUSH_IPC, { channel: 'secret:stuff', payload: 1 });
    } finally {
      console.error = originalError;
    }
    expect(delivered).toBe(1);
  });
});

describe('app origin', () => {
  it('derives scheme://host even for non-special schemes', () => {
    expect(originOf('raftlab://app/index.html')).toBe('raftlab://app');
    expect(originOf('http://localhost:5173/x')).toBe('http://localhost:5173');
    expect(originOf('not a url')).toBeNull();
    expect(originOf('file:///etc/passwd')).toBeNull();
  });

  it('uses the dev server in development and the custom scheme otherwise', () => {
    expect(appLocation('http://localhost:5173/')).toEqual({ startUrl: 'http://localhost:5173/', origin: 'http://localhost:5173' });
    expect(appLocation(undefined)).toEqual({ startUrl: 'raftlab://app/index.html', origin: 'raftlab://app' });
  });

  it('matches app URLs by exact origin', () => {
    expect(isAppUrl('raftlab://app/assets/x.js', ORIGIN)).toBe(true);
    expect(isAppUrl('raftlab://app.evil/x', ORIGIN)).toBe(false);
    expect(isAppUrl('https://raftlab.app/', ORIGIN)).toBe(false);
  });
});
