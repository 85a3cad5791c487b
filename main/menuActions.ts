/**
 * What the File and Help menus do. Each action talks to the lab through the same
 * `LabService` the renderer uses, and reports failures in a dialog rather than throwing
 * into Electron's menu machinery (where they would vanish).
 *
 * Changes to what the page shows (the start panel, a recorded run) are the page's to make:
 * those actions end by sending it an `AppCommand` (./ipcChannels), and the page performs it
 * with the same store actions its own buttons use.
 */
import { app, dialog, shell, type BrowserWindow, type FileFilter, type OpenDialogOptions } from 'electron';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { LabService } from '../src/contract/labService';
import { errorMessage } from '../src/lab/api/dispatch';
import type { AppPaths } from './appPaths';
import type { AppCommand } from './ipcChannels';
import type { MenuActions } from './menuTemplate';
import { copyRunFiles } from './runExport';

export interface MenuActionContext {
  lab: LabService;
  paths: AppPaths;
  window: () => BrowserWindow | null;
  /** Sends a command to the page (a no-op when there is no window). */
  sendCommand: (command: AppCommand) => void;
}

export function createMenuActions({ lab, paths, window, sendCommand }: MenuActionContext): MenuActions {
  async function showError(title: string, err: unknown): Promise<void> {
    const options = { type: 'error' as const, title, message: title, detail: errorMessage(err) };
    const win = window();
    await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
  }

  /** Runs `action`, turning any failure into an error dialog titled `title`. */
  const reported = (title: string, action: () => Promise<void>) => async (): Promise<void> => {
    try {
      await action();
    } catch (err) {
      await showError(title, err);
    }
  };

  async function openRun(properties: Array<'openFile' | 'openDirectory'>, filters?: FileFilter[]): Promise<void> {
    await mkdir(paths.runsDir, { recursive: true });
    const options: OpenDialogOptions = { title: 'Open a recorded run', defaultPath: paths.runsDir, properties, filters };
    const win = window();
    const picked = await (win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options));
    if (picked.canceled || picked.filePaths.length === 0) return;
    // The page opens it (and reports a path that is not a run in its own error banner).
    sendCommand({ command: 'open-run', path: picked.filePaths[0] });
  }

  return {
    // "New cluster" means: leave whatever is showing (a running cluster or a recorded run)
    // and go back to the start panel, where the user picks options and presses Start.
    newCluster: reported('Could not stop the current cluster', async () => {
      const state = await lab.handle('lab:state', {});
      if (state.phase === 'running' || state.phase === 'starting') {
        const options = {
          type: 'question' as const,
          buttons: ['Stop and start over', 'Cancel'],
          defaultId: 1,
          cancelId: 1,
          message: 'Stop the running cluster?',
          detail: 'Its run is kept in the runs folder and can be opened or exported later.',
        };
        const win = window();
        const answer = await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
        if (answer.response !== 0) return;
        await lab.handle('cluster:stop', {});
      }
      sendCommand({ command: 'new-cluster' });
    }),

    openRunFolder: reported('Could not open the run', () => openRun(['openDirectory'])),

    openEventsFile: reported('Could not open the run', () =>
      openRun(['openFile'], [{ name: 'Run events', extensions: ['jsonl'] }, { name: 'All files', extensions: ['*'] }])),

    exportRun: reported('Could not export the run', async () => {
      // Ask the lab first: if there is no run to export, say so before showing a picker.
      const exported = await lab.handle('run:export', {});
      const options: OpenDialogOptions = {
        title: 'Export the run to a folder',
        buttonLabel: 'Export Here',
        defaultPath: app.getPath('documents'),
        properties: ['openDirectory', 'createDirectory'],
      };
      const win = window();
      const picked = await (win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options));
      if (picked.canceled || picked.filePaths.length === 0) return;
      const { folder, files } = await copyRunFiles(exported.runDir, exported.files.map((f) => f.name), picked.filePaths[0]);
      const done = {
        type: 'info' as const,
        buttons: ['OK', 'Show Folder'],
        message: `Exported ${files.length} file${files.length === 1 ? '' : 's'}`,
        detail: folder,
      };
      const answer = await (win ? dialog.showMessageBox(win, done) : dialog.showMessageBox(done));
      if (answer.response === 1) await openPath(folder);
    }),

    showRunsFolder: reported('Could not show the runs folder', async () => {
      await mkdir(paths.runsDir, { recursive: true });
      await openPath(paths.runsDir);
    }),

    showDocs: reported('Could not open the documentation', async () => {
      if (!existsSync(paths.docsDir)) throw new Error(`no documentation found at ${paths.docsDir}`);
      await openPath(paths.docsDir);
    }),

    showAbout: reported('Could not show the about box', async () => {
      const options = {
        type: 'info' as const,
        title: 'About raftlab',
        message: `raftlab ${app.getVersion()}`,
        detail: [
          'A desktop lab for real Raft clusters.',
          `Electron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}`,
          `Runs are kept in ${paths.runsDir}`,
        ].join('\n'),
      };
      const win = window();
      await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
    }),
  };
}

/** shell.openPath reports failure as a non-empty string rather than rejecting. */
async function openPath(path: string): Promise<void> {
  const failure = await shell.openPath(path);
  if (failure !== '') throw new Error(failure);
}
