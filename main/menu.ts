/**
 * The native menu, built from its template (menuTemplate.ts, which says what is where and
 * why DevTools appear only in development builds).
 */
import { Menu } from 'electron';
import { appMenuTemplate, type MenuActions } from './menuTemplate';

export type { MenuActions } from './menuTemplate';

export function buildAppMenu(actions: MenuActions, options: { development: boolean; platform?: NodeJS.Platform }): Menu {
  return Menu.buildFromTemplate(appMenuTemplate(actions, { platform: options.platform ?? process.platform, development: options.development }));
}
