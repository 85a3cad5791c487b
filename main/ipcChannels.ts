/**
 * The IPC channel names main and preload use besides the lab's own request channels
 * (which are exactly `LAB_CHANNELS`, one `ipcMain.handle` each). Kept in one place so the
 * two sides cannot drift apart.
 */

/** Main -> renderer: one push message, `{ channel, payload }`. */
export const LAB_PUSH_IPC = 'lab:push';

/** The shape sent on `LAB_PUSH_IPC`. */
export interface LabPushEnvelope {
  channel: string;
  payload: unknown;
}

/**
 * Push channel (inside `LAB_PUSH_IPC`) for native-menu commands that the page carries out,
 * because the page owns the view they change. Desktop only: browser mode has no menu.
 * Proposed for `LabPush` in src/contract/labApi.ts as `'app:command': AppCommand`.
 */
export const APP_COMMAND_PUSH = 'app:command';

export type AppCommand =
  /** The lab is idle (main stopped any cluster after asking): show the start panel. */
  | { command: 'new-cluster' }
  /** The user picked a run directory or events.jsonl: open it as the page's own "Open run" does. */
  | { command: 'open-run'; path: string };
