/**
 * Global setup of the e2e project: build what the tests drive, once per run.
 *
 * Always rebuilds the renderer (out/renderer, also the Electron main and preload) because a
 * stale bundle would test yesterday's UI and there is no cheap, reliable staleness check
 * across renderer/, src/contract and their imports; the build takes a few seconds. The
 * node process and CLI bundles (out/node, out/lab) are rebuilt too: `npm test` builds them
 * already, but `npx vitest run --project e2e` on its own does not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '..', '..');

function run(what: string, command: string, args: string[]): void {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', shell: false });
  if (result.error) throw new Error(`e2e setup: ${what} could not start: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`e2e setup: ${what} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  console.log(`e2e setup: ${what} took ${Math.round(performance.now() - started)} ms`);
}

export default function setup(): void {
  run('building the node process and CLI (scripts/build-node.mjs)', process.execPath, ['scripts/build-node.mjs']);
  // electron-vite's own JS entry, run with this Node: no npx, no shell, same on every OS.
  const electronVite = join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!existsSync(electronVite)) throw new Error(`e2e setup: ${electronVite} is missing; run npm install`);
  run('building the renderer (electron-vite build)', process.execPath, [electronVite, 'build']);
  for (const built of ['out/renderer/index.html', 'out/node/main.mjs']) {
    if (!existsSync(join(repoRoot, built))) throw new Error(`e2e setup: the build did not produce ${built}`);
  }
}
