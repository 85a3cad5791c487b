/**
 * The app window, with every web preference that matters set explicitly (Electron's
 * security checklist): the page gets no Node, runs in the OS sandbox, is isolated from the
 * preload's world, and keeps web security on.
 */
import { BrowserWindow } from 'electron';

export interface MainWindowOptions {
  preload: string;
  startUrl: string;
  /** Allow DevTools (development builds only; packaged apps pass false). */
  devTools: boolean;
}

export function createMainWindow({ preload, startUrl, devTools }: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'raftlab',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools,
    },
  });
  // Show once painted, so the window does not flash white; but show it anyway if loading
  // fails, so the user sees something (and, in development, DevTools) instead of no window at all.
  win.once('ready-to-show', () => win.show());
  win.loadURL(startUrl).catch((err: unknown) => {
    console.error(`could not load ${startUrl}:`, err);
    if (!win.isDestroyed()) win.show();
  });
  return win;
}
