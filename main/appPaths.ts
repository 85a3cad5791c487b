/**
 * Where things are, in development (`electron-vite dev`/`preview`, run from the repository)
 * and in a packaged app (electron-builder; see build/electron-builder.yml):
 *
 * | what                   | development                      | packaged                             |
 * |------------------------|----------------------------------|--------------------------------------|
 * | main, preload, renderer| out/{main,preload,renderer}      | app.asar/out/{main,preload,renderer} |
 * | node process script    | out/node/main.mjs                | resources/node/main.mjs (extraResources, outside the asar, so a child process can load it and its node_modules) |
 * | docs                   | docs/                            | resources/docs                       |
 * | recorded runs          | userData/runs                    | userData/runs                        |
 */
import { app } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** out/main, where this bundle runs from. */
const mainDir = dirname(fileURLToPath(import.meta.url));

export interface AppPaths {
  preload: string;
  rendererDir: string;
  nodeScript: string;
  runsDir: string;
  docsDir: string;
}

export function appPaths(): AppPaths {
  const resources = app.isPackaged ? process.resourcesPath : app.getAppPath();
  return {
    preload: join(mainDir, '..', 'preload', 'index.cjs'),
    rendererDir: join(mainDir, '..', 'renderer'),
    nodeScript: app.isPackaged ? join(resources, 'node', 'main.mjs') : join(app.getAppPath(), 'out', 'node', 'main.mjs'),
    runsDir: join(app.getPath('userData'), 'runs'),
    docsDir: join(resources, 'docs'),
  };
}
