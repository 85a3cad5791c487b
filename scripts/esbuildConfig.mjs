// The one esbuild configuration for every Node-side bundle: the node process and the CLI
// (build-node.mjs), entry points run from TypeScript (run-ts.mjs: sim, bench), test
// fixtures run as their own processes and the benchmark modules. Plain ESM for Node 20;
// packages stay external so they resolve from the repository's node_modules (which is why
// temporary bundles are written under node_modules/.cache).

/** @type {import('esbuild').BuildOptions} */
export const NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
};

/**
 * The shared options with what one build adds (entry points, output, source maps).
 * @param {import('esbuild').BuildOptions} options
 * @returns {import('esbuild').BuildOptions}
 */
export function nodeBundle(options) {
  return { ...NODE_BUNDLE, ...options };
}

/**
 * Packages the node process bundle leaves external: those that load a native addon from
 * their own directory (zeromq; msgpackr-extract, which msgpackr requires when it can), so
 * they must be resolved from node_modules at run time.
 */
export const NATIVE_PACKAGES = ['zeromq', 'msgpackr-extract'];

/**
 * The node process bundle (out/node/main.mjs): every pure-JavaScript package (valibot,
 * msgpackr) is bundled in, the native ones stay external. A cluster start spawns every node
 * at once, and on a 2-core machine the start is bound by the CPU each process spends before
 * it is ready: resolving and compiling the packages' own ESM files as separate modules cost
 * ~16 ms of it per process (docs/performance.md, "Cluster start"). msgpackr's node entry
 * loads its native string extractor with `require` when `require` exists, which in an ESM
 * bundle it does not: the banner gives the bundle one, resolving from the bundle's own
 * directory, so the extractor is still used.
 * @param {import('esbuild').BuildOptions} options
 * @returns {import('esbuild').BuildOptions}
 */
export function nodeProcessBundle(options) {
  const { packages: _external, ...shared } = NODE_BUNDLE;
  return {
    ...shared,
    external: NATIVE_PACKAGES,
    banner: { js: "import { createRequire as __raftlabCreateRequire } from 'node:module'; const require = __raftlabCreateRequire(import.meta.url);" },
    ...options,
  };
}
