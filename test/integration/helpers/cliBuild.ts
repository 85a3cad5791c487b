/**
 * The `raftlab` command for integration tests: bin/raftlab.mjs, which loads the bundled
 * out/lab/cli.mjs, which spawns out/node/main.mjs. `npm test` builds both first; a test run
 * on its own rebuilds whichever is missing or older than its sources (same approach as
 * nodeBuild.ts: write to a temporary file and rename, since another process may be loading
 * the bundle at the same moment).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { nodeScript, rebuildIfStale, repoRoot } from './nodeBuild';

/** Source trees the CLI bundle is built from (it bundles the lab, and the node transport it uses). */
const CLI_SOURCE_DIRS = ['src/lab', 'src/node', 'src/raft', 'src/contract'];

let ready: Promise<string> | null = null;

/** Absolute path of bin/raftlab.mjs, with an up-to-date CLI and node bundle behind it. */
export function raftlabBin(): Promise<string> {
  ready ??= ensureBuilt();
  return ready;
}

async function ensureBuilt(): Promise<string> {
  const root = repoRoot();
  await nodeScript();
  await rebuildIfStale('src/lab/cli.ts', join(root, 'out/lab/cli.mjs'), CLI_SOURCE_DIRS);
  return join(root, 'bin/raftlab.mjs');
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `raftlab ...args` as a real process and collects its output. If it has not exited
 * within `timeoutMs` it is SIGKILLed (its node processes then exit on their own: their
 * stdin pipe closes) and the promise rejects with what it printed so far.
 */
export async function runRaftlab(args: string[], opts: { timeoutMs: number; cwd?: string }): Promise<CliResult> {
  const bin = await raftlabBin();
  const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`raftlab ${args.join(' ')} did not exit within ${opts.timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
