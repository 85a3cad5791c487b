/**
 * A Lab over a fresh runs folder for one test, as the app and the CLI make it: shut down and
 * its folder removed when the test ends (useClusterTeardown runs the cleanup), or kept with
 * RAFTLAB_KEEP_RUNS=1 (its path is printed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../../src/lab/lab';
import { onCleanup } from './lifecycle';
import { nodeScript } from './nodeBuild';

export async function openTestLab(name: string): Promise<{ lab: Lab; runsDir: string }> {
  const runsDir = mkdtempSync(join(tmpdir(), `raftlab-it-${name}-`));
  const lab = Lab.create({ runsDir, nodeScript: await nodeScript() });
  onCleanup(async () => {
    await lab.shutdown();
    if (process.env.RAFTLAB_KEEP_RUNS) console.error(`[integration] kept ${runsDir}`);
    else rmSync(runsDir, { recursive: true, force: true });
  });
  return { lab, runsDir };
}
