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

/** Packages the node process bundle leaves external (they load native addons). */
export declare const NATIVE_PACKAGES: string[];
/** The node process bundle: pure-JavaScript packages bundled in, native ones external (see esbuildConfig.mjs). */
export declare function nodeProcessBundle(options: BuildOptions): BuildOptions;
