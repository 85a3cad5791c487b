import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Three projects, each with its own limits: unit tests run in parallel; integration and
// e2e tests spawn real processes, so they run one file at a time with generous (but
// finite) timeouts. `npm test` runs the projects one after another, so clusters never
// compete with a parallel unit run for the two cores (timing-sensitive Raft behaviour
// such as CheckQuorum would otherwise churn leaders).
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [vue()],
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Builds the renderer and node bundles the e2e tests drive.
          globalSetup: ['test/e2e/globalSetup.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
