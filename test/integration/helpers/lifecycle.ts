/**
 * Per-file test lifecycle: register once at the top of a test file. After each test every
 * cluster is stopped and its files removed; when the test failed they are kept and their
 * path printed, so node logs and the run recording can be read.
 */
import { afterEach, type TestContext } from 'vitest';
import { stopAllClusters } from './testCluster';

/** Cleanups a test registered for itself (KV clients, raw sockets): run before clusters stop. */
const cleanups: Array<() => Promise<void> | void> = [];

/** Runs `fn` after the current test, whatever its outcome. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function useClusterTeardown(): void {
  afterEach(async (ctx: TestContext) => {
    const failed = ctx.task.result?.state === 'fail' || (ctx.task.result?.errors?.length ?? 0) > 0;
    const errors: unknown[] = [];
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    await stopAllClusters({ keepArtifacts: failed });
    if (errors.length > 0) throw new Error(`cleanup failed: ${errors.map(String).join('; ')}`);
  });
}
