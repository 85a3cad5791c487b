// Builds the Node-side entry points (node process, CLI) to plain JavaScript in out/,
// so child processes start with plain `node` (or Electron as Node) and no TS loader.
import { build } from 'esbuild';
import { nodeBundle, nodeProcessBundle } from './esbuildConfig.mjs';
import { existsSync } from 'node:fs';

// The node process bundles its pure-JavaScript packages (nodeProcessBundle: a faster
// process start); the CLI keeps them external.
if (existsSync('src/node/main.ts')) {
  await build(nodeProcessBundle({ entryPoints: { 'node/main': 'src/node/main.ts' }, outdir: 'out', sourcemap: true, outExtension: { '.js': '.mjs' } }));
}
if (existsSync('src/lab/cli.ts')) {
  await build(nodeBundle({ entryPoints: { 'lab/cli': 'src/lab/cli.ts' }, outdir: 'out', sourcemap: true, outExtension: { '.js': '.mjs' } }));
}
