import type { BuildOptions } from 'esbuild';

/** The one esbuild configuration for Node-side bundles (see esbuildConfig.mjs). */
export declare const NODE_BUNDLE: {
  bundle: true;
  platform: 'node';
  format: 'esm';
  target: 'node20';
  packages: 'external';
  logLevel: 'warning';
};
export declare function nodeBundle<T extends BuildOptions>(options: T): Omit<typeof NODE_BUNDLE, keyof T> & T;
