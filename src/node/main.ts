/**
 * Entry point of a node process: `node out/node/main.mjs --config-stdin` (the lab writes
 * the config as one JSON line on stdin, so the node's CURVE secret key never appears on a
 * command line or on disk, and a remote host can be fed the same way over ssh) or
 * `--config node-N.json`. Runs under plain Node (CLI, tests) or Electron as Node
 * (ELECTRON_RUN_AS_NODE=1).
 *
 * The node exits on its own when the lab goes away, even if the lab was SIGKILLed: the
 * lab holds the write end of our stdin, so stdin ending means the lab is gone; polling
 * the parent pid covers a lab that spawned us without a stdin pipe.
 */
import { readNodeConfig, readNodeConfigLine, NodeConfigError } from './config';
import { NodeRuntime } from './runtime';

const ORPHAN_POLL_MS = 500;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const configPath = argValue('--config');
  const fromStdin = process.argv.includes('--config-stdin');
  if (!configPath && !fromStdin) {
    console.error('usage: main.mjs --config-stdin | --config <node-config.json>');
    process.exit(2);
  }
  let runtime: NodeRuntime | null = null;
  const die = (code: number, why: string) => {
    console.error(`[node] exiting: ${why}`);
    process.exit(code);
  };
  try {
    const config = fromStdin ? await readNodeConfigLine(process.stdin) : readNodeConfig(configPath!);
    runtime = new NodeRuntime(config, {
      // An invariant broken inside the core or storage is a bug or corruption: stop at
      // once rather than serve wrong answers. The lab reports the crash.
      onFatal: (err) => die(70, `fatal: ${err.stack ?? err.message}`),
    });
    await runtime.start();
  } catch (err) {
    const e = err as Error;
    die(e instanceof NodeConfigError ? 2 : 1, e.name === 'StorageCorruptionError' ? e.message : (e.stack ?? e.message));
  }

  const parent = process.ppid;
  const lost = (why: string) => die(0, `the lab went away (${why})`);
  process.stdin.on('end', () => lost('stdin closed'));
  process.stdin.on('error', () => lost('stdin error'));
  process.stdin.resume();
  setInterval(() => {
    if (process.ppid !== parent) lost('parent changed');
  }, ORPHAN_POLL_MS).unref();

  const graceful = (signal: string) => {
    void runtime
      ?.stop()
      .then(() => process.exit(0))
      .catch((err: Error) => die(1, `${signal} during stop: ${err.message}`));
  };
  process.on('SIGTERM', () => graceful('SIGTERM'));
  process.on('SIGINT', () => graceful('SIGINT'));
}

void main();
