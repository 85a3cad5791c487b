#!/usr/bin/env node
// The `raftlab` command: runs the bundled CLI (built by `npm install` / `npm run build:node`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../out/lab/cli.mjs');
if (!existsSync(cli)) {
  console.error('raftlab: the CLI is not built yet; run `npm run build:node` in the raftlab directory');
  process.exit(2);
}
const { main } = await import(pathToFileURL(cli).href);
process.exit(await main(process.argv.slice(2)));
