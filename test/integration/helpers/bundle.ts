/**
 * Bundles a TypeScript fixture (a script a test runs as its own process) into plain ESM
 * with esbuild, under node_modules/.cache so its package imports (zeromq...) resolve from
 * the repository's node_modules. Written to a temp file and renamed into place, so two
 * test processes bundling the same fixture never see each other's half-written file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './nodeBuild';

/** Returns the path of the bundled script (rebuilt on every call: fixtures are small). */
export async function bundleFixture(entry: string): Promise<string> {
  const outDir = join(repoRoot(), 'node_modules/.cache/integration-fixtures');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(entry).replace(/\.ts$/, '')}.mjs`);
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
    write: false,
  });
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  return outfile;
}
