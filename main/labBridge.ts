/**
 * The renderer's `window.lab` in the desktop app, built over Electron IPC. Kept apart from
 * preload.ts (which only hands it to contextBridge) so it can be tested without Electron.
 *
 * The bridge is deliberately narrow: it can invoke only the channels of `LAB_CHANNELS` and
 * listen only to `LAB_PUSH_CHANNELS` (plus the desktop-only `app:command` menu push). Nothing generic (no `ipcRenderer`, no arbitrary
 * channel names) reaches the page, so a compromised renderer can do no more than the UI
 * already can, and main validates every payload again anyway.
 */
import type { LabApi, LabChannel, LabPush, LabPushChannel, LabRequest, LabResponse, LabResult } from '../src/contract/labApi';
import { LAB_CHANNELS, LAB_PUSH_CHANNELS } from '../src/contract/labApi';
import { APP_COMMAND_PUSH, LAB_PUSH_IPC, type LabPushEnvelope } from './ipcChannels';

/** The part of `ipcRenderer` the bridge uses. */
export interface BridgeIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

type AnyListener = (payload: unknown) => void;

const isLabChannel = (c: unknown): c is LabChannel => typeof c === 'string' && (LAB_CHANNELS as readonly string[]).includes(c);
const PUSH_CHANNELS: readonly string[] = [...LAB_PUSH_CHANNELS, APP_COMMAND_PUSH];
const isPushChannel = (c: unknown): c is LabPushChannel => typeof c === 'string' && PUSH_CHANNELS.includes(c);

/** Builds the `LabApi` object the preload exposes as `window.lab`. */
export function createLabBridge(ipc: BridgeIpc): LabApi {
  const listeners = new Map<LabPushChannel, Set<AnyListener>>();

  // One IPC listener for every push, fanned out here: registering an ipcRenderer listener
  // per subscription would leak them, since the page cannot remove what it never saw.
  ipc.on(LAB_PUSH_IPC, (_event, message) => {
    const envelope = message as Partial<LabPushEnvelope> | null;
    if (typeof envelope !== 'object' || envelope === null || !isPushChannel(envelope.channel)) return;
    for (const listener of listeners.get(envelope.channel) ?? []) {
      try {
        listener(envelope.payload);
      } catch (err) {
        // One failing listener must not starve the others; still make the failure visible.
        console.error(`window.lab listener for ${envelope.channel} threw`, err);
      }
    }
  });

  return {
    mode: 'electron',

    invoke<C extends LabChannel>(channel: C, request: LabRequest<C>): Promise<LabResult<LabResponse<C>>> {
      if (!isLabChannel(channel)) {
        return Promise.resolve({ ok: false, error: `unknown channel "${String(channel)}"` });
      }
      return ipc.invoke(channel, request).then(
        (result) => result as LabResult<LabResponse<C>>,
        // Main answers errors as data; a rejection means IPC itself failed (e.g. the
        // payload could not be cloned, or main has no handler during shutdown).
        (err: unknown) => ({ ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
    },

    on<P extends LabPushChannel>(channel: P, listener: (payload: LabPush[P]) => void): () => void {
      if (!isPushChannel(channel)) throw new Error(`unknown push channel "${String(channel)}"`);
      if (typeof listener !== 'function') throw new Error('listener must be a function');
      const wrapped: AnyListener = (payload) => listener(payload as LabPush[P]);
      let set = listeners.get(channel);
      if (set === undefined) listeners.set(channel, (set = new Set()));
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    },
  };
}
