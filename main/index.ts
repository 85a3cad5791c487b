/**
 * Electron main: a thin adapter over the lab. It owns the window, the native menu and the
 * app's lifecycle; every lab request from the page goes through `registerLabIpc` (sender
 * check, validation, errors as data) and every lab push goes back in batches.
 *
 * The lab runs its Raft nodes as child processes of this executable in Node mode
 * (ELECTRON_RUN_AS_NODE=1), so the packaged app needs no separate Node installation.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, session } from 'electron';
import { Lab } from '../src/lab/lab';
import { contentSecurityPolicy } from '../src/lab/api/csp';
import { errorMessage } from '../src/lab/api/dispatch';
import { appLocation, isTrustedSender } from './appOrigin';
import { appPaths } from './appPaths';
import { registerAppScheme, serveAppProtocol } from './appProtocol';
import { APP_COMMAND_PUSH, LAB_PUSH_IPC, type AppCommand, type LabPushEnvelope } from './ipcChannels';
import { forwardLabPushes, registerLabIpc } from './labIpc';
import { buildAppMenu } from './menu';
import { createMenuActions } from './menuActions';
import { shutdownLabOnQuit } from './quitHandler';
import { denyPermissions, enforceCspHeader, guardWebContents } from './security';
import { createMainWindow } from './window';

// Must happen before `ready`.
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  // Another raftlab is running: it gets focus (below, in its `second-instance` handler).
  app.quit();
} else {
  startApp();
}

function startApp(): void {
  const devServerUrl = process.env.ELECTRON_RENDERER_URL;
  const location = appLocation(app.isPackaged ? undefined : devServerUrl);
  // The Vite dev server's hot-reload socket is the only extra connection, and only in dev.
  const csp = contentSecurityPolicy(location.origin.startsWith('http') ? ['ws://localhost:*', 'ws://127.0.0.1:*'] : []);

  let lab: Lab | null = null;
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (mainWindow === null) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, location.origin));

  app.on('window-all-closed', () => {
    // macOS apps stay alive without windows (the cluster keeps running; Dock click reopens).
    if (process.platform !== 'darwin') app.quit();
  });

  shutdownLabOnQuit(() => lab);

  function openWindow(preload: string): void {
    // DevTools only in development builds (menuTemplate.ts says why).
    const win = createMainWindow({ preload, startUrl: location.startUrl, devTools: !app.isPackaged });
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
    });
    mainWindow = win;
  }

  function sendCommand(command: AppCommand): void {
    const contents = mainWindow?.webContents;
    if (contents === undefined || contents.isDestroyed()) return;
    const envelope: LabPushEnvelope = { channel: APP_COMMAND_PUSH, payload: command };
    contents.send(LAB_PUSH_IPC, envelope);
  }

  app
    .whenReady()
    .then(() => {
      const paths = appPaths();
      const ses = session.defaultSession;
      serveAppProtocol(ses, paths.rendererDir, csp);
      enforceCspHeader(ses, location.origin, csp);
      denyPermissions(ses, location.origin);

      const created = Lab.create({
        runsDir: paths.runsDir,
        nodeScript: paths.nodeScript,
        execPath: process.execPath,
        env: { ELECTRON_RUN_AS_NODE: '1' },
      });
      lab = created;
      registerLabIpc(ipcMain, created, (event) =>
        isTrustedSender(event.sender, event.senderFrame, mainWindow?.webContents ?? null, location.origin));
      forwardLabPushes(created, () => mainWindow?.webContents ?? null);
      Menu.setApplicationMenu(
        buildAppMenu(createMenuActions({ lab: created, paths, window: () => mainWindow, sendCommand }), { development: !app.isPackaged }),
      );

      openWindow(paths.preload);
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openWindow(paths.preload);
      });
    })
    .catch((err: unknown) => {
      dialog.showErrorBox('raftlab could not start', errorMessage(err));
      app.exit(1);
    });
}
