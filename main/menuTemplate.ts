/**
 * The native menu as data: the usual accelerators, with File actions that drive the lab.
 * Kept free of Electron imports so it can be tested without Electron (menu.ts builds it).
 *
 * DevTools only in development builds: in a packaged app they would hand anyone at the
 * keyboard a console inside the page that holds the lab API (docs/security.md), and its
 * accelerator (Ctrl+Shift+I) comes only from this menu role.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** What the menu can ask for; each returns when done (errors are reported by the action). */
export interface MenuActions {
  newCluster(): Promise<void>;
  openRunFolder(): Promise<void>;
  openEventsFile(): Promise<void>;
  exportRun(): Promise<void>;
  showRunsFolder(): Promise<void>;
  showDocs(): Promise<void>;
  showAbout(): Promise<void>;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** True when not packaged (`!app.isPackaged`): adds reload and DevTools. */
  development: boolean;
}

export function appMenuTemplate(actions: MenuActions, { platform, development }: MenuOptions): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const item = (label: string, action: () => Promise<void>, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => void action(),
  });

  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        item('New Cluster', actions.newCluster, 'CmdOrCtrl+N'),
        { type: 'separator' },
        // Two entries because Windows and Linux dialogs cannot pick "a file or a folder".
        item('Open Run Folder…', actions.openRunFolder, 'CmdOrCtrl+O'),
        item('Open Events File…', actions.openEventsFile, 'CmdOrCtrl+Shift+O'),
        item('Export Run…', actions.exportRun, 'CmdOrCtrl+E'),
        { type: 'separator' },
        item('Show Runs Folder', actions.showRunsFolder),
        ...(isMac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const }]),
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        ...(development
          ? [{ role: 'reload' as const }, { role: 'forceReload' as const }, { role: 'toggleDevTools' as const }, { type: 'separator' as const }]
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        item('Documentation', actions.showDocs),
        item('Show Runs Folder', actions.showRunsFolder),
        { type: 'separator' },
        item('About raftlab', actions.showAbout),
      ],
    },
  ];
}
