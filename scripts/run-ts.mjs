// Runs a TypeScript entry point (sim, bench) by bundling it with esbuild into a temp file.
// Keeps the repo free of a separate TS loader; the bundle is rebuilt each run.
import { build } from 'esbuild';
import { nodeBundle } from './esbuildConfig.mjs';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
// Inside node_modules so the bundle's external imports resolve from the repo's packages.
const cacheDir = resolve('node_modules/.cache/run-ts');
mkdirSync(cacheDir, { recursive: true });
const outdir = mkdtempSync(join(cacheDir, 'run-'));
const outfile = join(outdir, 'entry.mjs');
await build(nodeBundle({ entryPoints: [resolve(entry)], outfile, sourcemap: 'inline' }));
process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(outfile).href);
