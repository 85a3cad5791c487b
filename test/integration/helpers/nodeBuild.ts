/**
 * The node process entry point for integration tests: out/node/main.mjs, the same bundle
 * the lab and the app run. `npm test` builds it first; when a test runs on its own and the
 * bundle is missing or older than the sources it comes from, it is rebuilt here, so a test
 * never exercises stale code.
 *
 * The rebuild writes to temporary files and renames them into place: other processes
 * (another test file, a running lab) may be spawning nodes from the same path, and a rename
 * is atomic where an in-place write is not.
 */
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { nodeBundle, nodeProcessBundle } from '../../../scripts/esbuildConfig.mjs';

const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
/** Source trees the node bundle is built from. */
const SOURCE_DIRS = ['src/node', 'src/raft', 'src/contract'];

let ready: Promise<string> | null = null;

/**
 * Absolute path of an up-to-date out/node/main.mjs (built once per test process if
 * needed). RAFTLAB_NODE_SCRIPT overrides it (to test another build, e.g. an A/B variant
 * in a benchmark); that script is used as is.
 */
export function nodeScript(): Promise<string> {
  const override = process.env.RAFTLAB_NODE_SCRIPT;
  if (override) return Promise.resolve(override);
  ready ??= ensureBuilt();
  return ready;
}

/** The repository root (for fixtures and out/). */
export function repoRoot(): string {
  return REPO_ROOT;
}

async function ensureBuilt(): Promise<string> {
  const script = join(REPO_ROOT, 'out/node/main.mjs');
  await rebuildIfStale('src/node/main.ts', script, SOURCE_DIRS, nodeProcessBundle);
  return script;
}

/**
 * Bundles `entry` (repo-relative) to `outfile` when the bundle is missing or older than any
 * .ts file under `sourceDirs`, writing through a temporary file and a rename.
 */
export async function rebuildIfStale(entry: string, outfile: string, sourceDirs: readonly string[], config: BundleConfig = nodeBundle): Promise<void> {
  const builtAt = existsSync(outfile) ? statSync(outfile).mtimeMs : 0;
  const newest = Math.max(...sourceDirs.map((d) => newestMtime(join(REPO_ROOT, d))));
  if (builtAt >= newest) return;
  await buildAtomically({ entryPoints: [join(REPO_ROOT, entry)], outfile, sourcemap: true }, config);
}

/** nodeBundle, or nodeProcessBundle for the node process itself (scripts/esbuildConfig.mjs). */
type BundleConfig = (options: BuildOptions) => BuildOptions;

/**
 * Builds with the repository's one esbuild configuration (scripts/esbuildConfig.mjs),
 * writing each output through a temporary file and a rename: another test process may be
 * loading the same bundle at that moment.
 */
export async function buildAtomically(options: { entryPoints: string[]; outfile: string; sourcemap: boolean | 'inline' }, config: BundleConfig = nodeBundle): Promise<void> {
  const result = await build(config({ ...options, write: false }));
  for (const file of result.outputFiles ?? []) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The directory holding raftlab's package.json, found upwards from `start`: this module may
 * run from source (vitest) or bundled into node_modules/.cache (scripts/run-ts.mjs).
 */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'raftlab') return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}
