/**
 * What a remote host needs to run a node (docs/multi-host.md, "What is copied where"): the
 * node bundle (out/node/main.mjs) and the packages it leaves external (scripts/esbuildConfig.mjs:
 * zeromq with its prebuilt libzmq for Linux and the cmake-ts loader that finds it, msgpackr,
 * valibot), as one gzipped tar. Its version is a hash of the bundle and of those packages'
 * versions, so a host caches each version once, in its own folder.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The packages out/node/main.mjs imports at run time, and what of them a Linux host needs. */
export const REMOTE_PACKAGES = ['zeromq', 'cmake-ts', 'msgpackr', 'valibot'] as const;
const EXCLUDES = ['zeromq/src', 'zeromq/script', 'zeromq/build/darwin', 'zeromq/build/win32', '*.map', '*.d.ts'];

export interface NodeBundle {
  /** 16 hex digits: the cache folder's name on every host. */
  version: string;
  /** A .tar.gz holding `out/node/main.mjs` and `node_modules/<package>` for each of REMOTE_PACKAGES. */
  tar: Buffer;
  /** The bundle's path inside the unpacked folder. */
  script: string;
}

/** The folder holding `node_modules` with the packages, searched upward from the bundle. */
function packageRoot(nodeScript: string): string {
  for (let dir = dirname(nodeScript); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', 'zeromq', 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no node_modules/zeromq above ${nodeScript}: cannot pack the node for remote hosts`);
  }
}

/** Packs the node bundle at `nodeScript` (an absolute path) and its packages. */
export function packNodeBundle(nodeScript: string): NodeBundle {
  const root = packageRoot(nodeScript);
  const hash = createHash('sha256').update(readFileSync(nodeScript));
  for (const p of REMOTE_PACKAGES) {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', p, 'package.json'), 'utf8')) as { version: string };
    hash.update(`\0${p}@${pkg.version}`);
  }
  const script = relative(root, nodeScript);
  const r = spawnSync('tar', ['-C', root, ...EXCLUDES.map((e) => `--exclude=${e}`), '-czf', '-', script, ...REMOTE_PACKAGES.map((p) => `node_modules/${p}`)], {
    maxBuffer: 256 << 20,
  });
  if (r.error) throw new Error(`packing the node for remote hosts: tar: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`packing the node for remote hosts: tar exited ${r.status}: ${r.stderr.toString().trim()}`);
  return { version: hash.digest('hex').slice(0, 16), tar: r.stdout, script };
}
