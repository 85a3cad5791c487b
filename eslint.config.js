// Lint rules that guard the architecture: dependencies point one way
// (raft <- node <- lab <- main/cli; the renderer talks only to the contracts and the pure
// analyses), and the Raft core and src/analysis stay pure (no I/O, clocks, timers or
// Math.random), so a seed replays a run exactly and the renderer can run the analyses.
import tseslint from 'typescript-eslint';
import localRules from './eslint-rules/noImportCycle.js';
import vueParser from 'vue-eslint-parser';

const ioModules = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'net', 'child_process', 'crypto', 'worker_threads',
  'zeromq', 'electron', 'ws', 'msgpackr', 'yaml', 'vue', 'pinia', 'echarts',
];

const impure = {
  'no-restricted-globals': ['error',
    { name: 'setTimeout', message: 'The Raft core is driven by tick inputs, not timers.' },
    { name: 'setInterval', message: 'The Raft core is driven by tick inputs, not timers.' },
    { name: 'setImmediate', message: 'The Raft core is driven by tick inputs, not timers.' },
    { name: 'performance', message: 'The Raft core must not read clocks.' },
    { name: 'process', message: 'The Raft core must not touch the process.' },
    { name: 'window', message: 'The Raft core has no DOM.' },
    { name: 'document', message: 'The Raft core has no DOM.' },
    { name: 'fetch', message: 'The Raft core does no I/O.' },
  ],
  'no-restricted-properties': ['error',
    { object: 'Math', property: 'random', message: 'Use the seeded RNG from the config.' },
    { object: 'Date', property: 'now', message: 'The Raft core must not read clocks.' },
  ],
  'no-restricted-syntax': ['error',
    { selector: "NewExpression[callee.name='Date']", message: 'The Raft core must not read clocks.' },
  ],
};

const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'runs/**'] },
  ...tseslint.configs.recommended,
  {
    // .vue files: vue-eslint-parser hands their <script> blocks to the TypeScript parser,
    // so every rule below (the renderer's import boundary above all) runs on them too.
    // Templates are type-checked by vue-tsc.
    files: ['**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['src/raft/**/*.ts'],
    rules: {
      ...impure,
      ...forbid([...ioModules, '**/node/**', '**/lab/**', '**/sim/**', '**/contract/**', '**/main/**', '**/renderer/**'],
        'src/raft is the pure core: no I/O modules and no imports from outer layers.'),
    },
  },
  {
    // src/raft is layered (primitives <- actions <- role transitions <- role handlers <- node.ts,
    // see src/raft/state.ts): no file may import, directly or not, anything that imports it back.
    files: ['src/raft/**/*.ts'],
    plugins: { local: localRules },
    rules: { 'local/no-import-cycle': 'error' },
  },
  {
    // The contract is declared once per shape, and its modules point one way (labApi.ts
    // infers its request types from labApiRequests.ts, which never imports it back).
    files: ['src/contract/**/*.ts'],
    plugins: { local: localRules },
    rules: { 'local/no-import-cycle': 'error' },
  },
  {
    // Pure analyses the lab and the renderer share: no I/O, no clocks, nothing from the
    // layers that run processes or windows.
    files: ['src/analysis/**/*.ts'],
    rules: {
      ...impure,
      ...forbid([...ioModules, '**/node/**', '**/lab/**', '**/sim/**', '**/main/**', '**/renderer/**'],
        'src/analysis is pure and shared with the renderer: the core\'s types, the contracts and itself only.'),
    },
  },
  {
    files: ['src/sim/**/*.ts'],
    rules: forbid(['**/node/**', '**/lab/**', '**/main/**', '**/renderer/**', 'zeromq', 'electron'],
      'The simulator drives only the pure core.'),
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: forbid(['**/node/**', '**/lab/**', '**/main/**', '**/renderer/**', 'zeromq', 'electron', 'node:*'],
      'Contracts are shared by every layer (renderer included): types and validation only.'),
  },
  {
    // Replay reads run files and drives the pure core, nothing else: the core, the contracts
    // and node:fs / node:path for its one thin file adapter (src/replay/runFiles.ts).
    files: ['src/replay/**/*.ts'],
    rules: forbid(['**/node/**', '**/lab/**', '**/sim/**', '**/main/**', '**/renderer/**', '**/analysis/**', 'zeromq', 'electron', 'ws', 'yaml', 'vue', 'pinia', 'echarts', 'child_process', 'net', 'os', 'worker_threads', 'crypto'],
      'src/replay may import only src/raft and src/contract (plus node:fs and node:path in runFiles.ts).'),
  },
  {
    files: ['src/node/**/*.ts'],
    rules: forbid(['**/lab/**', '**/main/**', '**/renderer/**', 'electron'],
      'The node process depends only on the core, the contracts and the wire.'),
  },
  {
    // The ZeroMQ plumbing both ends share (sockets, limits, CURVE, seals, ZAP, pumps):
    // it knows the contracts and the core's ids, never which side it runs on.
    files: ['src/wire/**/*.ts'],
    rules: forbid(['**/node/**', '**/lab/**', '**/sim/**', '**/main/**', '**/renderer/**', 'electron'],
      'src/wire is shared by the node and the lab: the contracts, the core\'s types and itself only.'),
  },
  {
    // A node is launched as a process (out/node/main.mjs), never imported: the lab's own
    // socket ends live in src/lab/sockets/, the shared plumbing in src/wire/.
    files: ['src/lab/**/*.ts'],
    rules: forbid(['**/node/**', '**/main/**', '**/renderer/**', 'electron'],
      'The lab is plain Node and talks to nodes over the wire (src/wire, src/lab/sockets): no src/node imports; Electron main adapts the lab, never the other way round.'),
  },
  {
    // recorder/ writes what happens; export/ reads recordings back. finishRun.ts joins them.
    files: ['src/lab/recorder/**/*.ts'],
    rules: forbid(['**/node/**', '**/main/**', '**/renderer/**', 'electron', '**/export/**'],
      'The recorder knows nothing of the exporters: src/lab/finishRun.ts runs them after it.'),
  },
  {
    // Electron main adapts the lab: it reaches it through what browser mode shares
    // (src/lab/api), the Lab itself and the contracts, never through the lab's inner rooms.
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        regex: '^(\\.\\./)+src/(?!contract/|lab/lab$|lab/api/)',
        message: 'main/ imports only src/lab/api, src/lab/lab and src/contract.',
      }] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    rules: forbid(['**/src/raft/**', '**/src/node/**', '**/src/lab/**', '**/src/sim/**', '**/main/**', 'electron', 'zeromq', 'node:*'],
      'The renderer imports only the lab API (src/contract) and the pure analyses (src/analysis).'),
  },
);
