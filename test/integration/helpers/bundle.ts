/**
 * Bundles a TypeScript fixture (a script a test runs as its own process) into plain ESM
 * with esbuild, under node_modules/.cache so its package imports (zeromq...) resolve from
 * the repository's node_modules. Written to a temp file and renamed into place, so two
 * test processes bundling the same fixture never see each other's half-written file.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildAtomically, repoRoot } from './nodeBuild';

/** Returns the path of the bundled script (rebuilt on every call: fixtures are small). */
export async function bundleFixture(entry: string): Promise<string> {
  const outDir = join(repoRoot(), 'node_modules/.cache/integration-fixtures');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(entry).replace(/\.ts$/, '')}.mjs`);
  await buildAtomically({ entryPoints: [entry], outfile, sourcemap: 'inline' });
  return outfile;
}
