// Builds the Node-side entry points (node process, CLI) to plain JavaScript in out/,
// so child processes start with plain `node` (or Electron as Node) and no TS loader.
import { build } from 'esbuild';
import { nodeBundle } from './esbuildConfig.mjs';
import { existsSync } from 'node:fs';

const entries = {
  'node/main': 'src/node/main.ts',
  'lab/cli': 'src/lab/cli.ts',
};
const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
if (Object.keys(entryPoints).length > 0) {
  await build(nodeBundle({ entryPoints, outdir: 'out', sourcemap: true, outExtension: { '.js': '.mjs' } }));
}
