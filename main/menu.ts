/**
 * The native menu: the usual accelerators, with File actions that drive the lab. The
 * template is built from an actions object so this file only says what is where.
 */
import { Menu, type MenuItemConstructorOptions } from 'electron';

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

export function buildAppMenu(actions: MenuActions, platform: NodeJS.Platform = process.platform): Menu {
  const isMac = platform === 'darwin';
  const item = (label: string, action: () => Promise<void>, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => void action(),
  });

  const template: MenuItemConstructorOptions[] = [
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
        { role: 'reload' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
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
  return Menu.buildFromTemplate(template);
}
