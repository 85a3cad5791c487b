/**
 * Electron hardening that can be checked without Electron (it cannot run here): the menu a
 * packaged app shows has no DevTools or reload, and the fuses electron-builder flips keep
 * RunAsNode (the nodes need it) while closing NODE_OPTIONS and inspector arguments.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate, type MenuActions } from '../../../main/menuTemplate';

const noop = async (): Promise<void> => undefined;
const actions: MenuActions = {
  newCluster: noop,
  openRunFolder: noop,
  openEventsFile: noop,
  exportRun: noop,
  showRunsFolder: noop,
  showDocs: noop,
  showAbout: noop,
};

/** Every role anywhere in the template. */
function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((i) => [...(i.role ? [i.role] : []), ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])]);
}

describe('the application menu', () => {
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    it(`has no DevTools or reload in a packaged build (${platform})`, () => {
      const packaged = roles(appMenuTemplate(actions, { platform, development: false }));
      expect(packaged).not.toContain('toggleDevTools');
      expect(packaged).not.toContain('reload');
      expect(packaged).not.toContain('forceReload');
      expect(packaged).toContain('zoomIn');
    });
  }

  it('keeps DevTools in development builds', () => {
    expect(roles(appMenuTemplate(actions, { platform: 'linux', development: true }))).toEqual(expect.arrayContaining(['toggleDevTools', 'reload']));
  });
});

describe('electron-builder fuses', () => {
  const config = parse(readFileSync(join(__dirname, '../../../build/electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, boolean> };

  it('keeps RunAsNode for the node processes and turns off NODE_OPTIONS and --inspect', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
