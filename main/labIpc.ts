/**
 * Electron IPC for the lab: one `ipcMain.handle` per channel of `LAB_CHANNELS`, all through
 * one typed helper that checks who is asking, validates the payload and returns errors as
 * data; and the forwarding of lab pushes to the window. Depends on Electron only through
 * the small interfaces below, so it is tested with fakes.
 */
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import type { LabChannel, LabPush, LabPushChannel, LabResult } from '../src/contract/labApi';
import { LAB_CHANNELS } from '../src/contract/labApi';
import type { LabService } from '../src/contract/labService';
import { dispatchLabRequest } from '../src/lab/api/dispatch';
import { LAB_PUSH_IPC, type LabPushEnvelope } from './ipcChannels';

/** The part of `ipcMain` used here. */
export interface IpcRegistrar {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** Decides whether an invocation comes from our own window and page (see ./appOrigin). */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

/** The error an untrusted sender receives (it learns nothing else). */
export const UNTRUSTED_SENDER_ERROR = 'request refused: it did not come from the raftlab window';

/**
 * The typed helper every channel goes through: sender check, then validation and the lab
 * call in `dispatchLabRequest`. `channel` is typed so only lab channels can be registered.
 */
function handleLabChannel<C extends LabChannel>(
  ipc: IpcRegistrar,
  channel: C,
  lab: LabService,
  isTrusted: SenderCheck,
  log: (message: string) => void,
): void {
  ipc.handle(channel, async (event, payload): Promise<LabResult<unknown>> => {
    if (!isTrusted(event)) {
      log(`refused ${channel} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return { ok: false, error: UNTRUSTED_SENDER_ERROR };
    }
    return dispatchLabRequest(lab, channel, payload);
  });
}

/** Registers every lab channel; returns a function that removes them again. */
export function registerLabIpc(
  ipc: IpcRegistrar,
  lab: LabService,
  isTrusted: SenderCheck,
  log: (message: string) => void = (m) => console.warn(`lab ipc: ${m}`),
): () => void {
  for (const channel of LAB_CHANNELS) handleLabChannel(ipc, channel, lab, isTrusted, log);
  return () => {
    for (const channel of LAB_CHANNELS) ipc.removeHandler(channel);
  };
}

/**
 * Sends every lab push to the current window's page as one `LAB_PUSH_IPC` message. The lab
 * already batches (at most ~20 a second), so this is one IPC message per batch, not per
 * event. `target` is asked each time, so pushes follow the window across re-creation.
 */
export function forwardLabPushes(lab: LabService, target: () => Pick<WebContents, 'send' | 'isDestroyed'> | null): () => void {
  return lab.subscribe(<P extends LabPushChannel>(channel: P, payload: LabPush[P]) => {
    const contents = target();
    if (contents === null || contents.isDestroyed()) return;
    const envelope: LabPushEnvelope = { channel, payload };
    contents.send(LAB_PUSH_IPC, envelope);
  });
}
