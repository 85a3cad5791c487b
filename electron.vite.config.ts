// Three builds, one per Electron context (electron-vite's split):
// - main:     main/index.ts -> out/main/index.js (ESM, Node target). Runtime dependencies
//             (zeromq with its native addon, ws, msgpackr, yaml) stay external and load from
//             node_modules; in the packaged app zeromq is unpacked from the asar.
// - preload:  main/preload.ts -> out/preload/index.cjs. Sandboxed preloads are not Node
//             modules: Electron wraps them in a function and offers only require('electron')
//             (plus a few polyfilled builtins), so the bundle must be CommonJS and must
//             inline everything else, including the channel lists from src/contract.
// - renderer: renderer/index.html (Vue) -> out/renderer, also served by browser mode.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: resolve(root, 'main/index.ts') },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle everything: a sandboxed preload cannot load anything from node_modules.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Browser mode serves the same build to whatever browser the user has, not just
      // Electron's Chromium, so target a language level every current browser has rather
      // than one Chrome version.
      target: 'es2022',
      rolldownOptions: {
        input: resolve(root, 'renderer/index.html'),
      },
    },
  },
});
