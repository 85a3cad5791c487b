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
