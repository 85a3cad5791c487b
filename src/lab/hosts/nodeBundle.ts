/**
 * What a remote host needs to run a node (docs/multi-host.md, "What is copied where"): the
 * node bundle (out/node/main.mjs) and the packages it leaves external, with what those load
 * at run time, as one gzipped tar. Its version is a hash of the bundle and of those packages'
 * versions, so a host caches each version once, in its own folder.
 *
 * The bundle carries every pure-JavaScript package itself (valibot, msgpackr) and leaves out
 * only the ones that load a native addon from their own folder (scripts/esbuildConfig.mjs,
 * NATIVE_PACKAGES: zeromq, msgpackr-extract). The tar holds those and, read from their
 * package.json files, every package they depend on that is installed (cmake-ts, zeromq's
 * addon loader; node-gyp-build-optional-packages and detect-libc, msgpackr-extract's; the
 * @msgpackr-extract/* prebuilt for this machine's platform, an optional dependency).
 * zeromq ships its prebuilt libzmq for Linux x64 and arm64. A host of another architecture
 * than this machine gets no msgpackr-extract addon: msgpackr then decodes strings in
 * JavaScript (it loads the extractor inside a try), slower but the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The packages out/node/main.mjs leaves external (scripts/esbuildConfig.mjs, NATIVE_PACKAGES). */
export const BUNDLE_EXTERNALS = ['zeromq', 'msgpackr-extract'] as const;
const EXCLUDES = ['zeromq/src', 'zeromq/script', 'zeromq/build/darwin', 'zeromq/build/win32', 'cmake-ts/src', '*.map', '*.d.ts', '*.d.mts'];

export interface NodeBundle {
  /** 16 hex digits: the cache folder's name on every host. */
  version: string;
  /**
   * A .tar.gz holding `out/node/main.mjs` and `node_modules/<package>` for each of
   * `packages`, made on the first call (about a second for ~40 MB of packages on this
   * machine), so a start whose hosts all have this version cached never packs.
   */
  tar(): Buffer;
  /** The bundle's path inside the unpacked folder. */
  script: string;
  /** The package folders in the tar, relative to its root (`node_modules/zeromq`, ...). */
  packages: string[];
}

/** The folder holding `node_modules` with the packages, searched upward from the bundle. */
function packageRoot(nodeScript: string): string {
  for (let dir = dirname(nodeScript); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', 'zeromq', 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no node_modules/zeromq above ${nodeScript}: cannot pack the node for remote hosts`);
  }
}

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackage(root: string, name: string): PackageJson | null {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PackageJson) : null;
}

/**
 * BUNDLE_EXTERNALS and every installed package they depend on, transitively, with versions
 * (npm installs them flat under `root/node_modules`; a package's own nested node_modules go
 * along inside its folder). A missing required dependency is an error; a missing optional
 * one (another platform's prebuilt) is skipped.
 */
function packagesOf(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, optional: boolean): void => {
    if (found.has(name)) return;
    const pkg = readPackage(root, name);
    if (!pkg) {
      if (optional) return;
      throw new Error(`packing the node for remote hosts: node_modules/${name} is not installed under ${root}`);
    }
    found.set(name, pkg.version);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, true);
  };
  for (const name of BUNDLE_EXTERNALS) visit(name, false);
  return found;
}

/** Describes the node bundle at `nodeScript` (an absolute path) and its packages; packs them on demand. */
export function packNodeBundle(nodeScript: string): NodeBundle {
  const root = packageRoot(nodeScript);
  const found = packagesOf(root);
  const hash = createHash('sha256').update(readFileSync(nodeScript));
  const packages: string[] = [];
  for (const [name, version] of [...found].sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(`\0${name}@${version}`);
    packages.push(`node_modules/${name}`);
  }
  const script = relative(root, nodeScript);
  let packed: Buffer | undefined;
  const tar = (): Buffer => {
    if (packed) return packed;
    const r = spawnSync('tar', ['-C', root, ...EXCLUDES.map((e) => `--exclude=${e}`), '-czf', '-', script, ...packages], { maxBuffer: 256 << 20 });
    if (r.error) throw new Error(`packing the node for remote hosts: tar: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`packing the node for remote hosts: tar exited ${r.status}: ${r.stderr.toString().trim()}`);
    packed = r.stdout;
    return packed;
  };
  return { version: hash.digest('hex').slice(0, 16), tar, script, packages };
}
