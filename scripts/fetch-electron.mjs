// Fetches Electron's binary after `npm install`, without ever failing the install.
//
// package.json's allowScripts keeps npm from running electron's own download script,
// because on machines that cannot reach GitHub it fails the whole install. This runs the
// same download ourselves and turns a failure into a note: raftlab still works there, and
// `npm start` falls back to browser mode. ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips it (CI).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const skip = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD;
if (skip && skip !== '0' && skip !== 'false') {
  console.log('raftlab: ELECTRON_SKIP_BINARY_DOWNLOAD is set, not fetching the Electron binary (npm start will use browser mode)');
  process.exit(0);
}

let electronDir;
try {
  electronDir = dirname(require.resolve('electron/package.json'));
} catch {
  console.log('raftlab: the electron package is not installed (production install?); skipping its binary');
  process.exit(0);
}

const pathFile = join(electronDir, 'path.txt');
if (existsSync(pathFile) && existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()))) process.exit(0);

const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, encoding: 'utf8' });
if (result.status === 0) {
  console.log('raftlab: fetched the Electron binary');
} else {
  const why = (result.error?.message ?? result.stderr.split('\n').find((l) => l.trim()) ?? `exit ${result.status}`).trim();
  console.log(`raftlab: could not fetch the Electron binary (${why}).`);
  console.log('raftlab: the install is fine; `npm start` will serve the app to your browser instead of opening a window.');
}
