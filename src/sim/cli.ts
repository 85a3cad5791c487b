/**
 * `npm run sim -- --seeds N | --seed S [--nodes N] [--steps T] [--verbose]`
 *
 * Runs seeds of the deterministic cluster simulator, spread over worker threads, prints
 * progress and a report for every failing seed, where crashes struck (`crash points: ...`,
 * by the executor's effect kinds), and ends with exactly one summary line
 * `seeds: N, steps: S, violations: V` (steps = simulated ticks). Exit code 1 on violations,
 * 2 on bad arguments.
 */
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { EFFECT_ORDER } from '../raft/execute';
import { USAGE, UsageError, parseSimArgs, type SimCliOptions } from './args';
import { type RunOptions, type SeedResult, formatFailure, reproduceCommand, runSeed } from './runSeed';

interface WorkerConfig {
  nodes?: number;
  steps?: number;
  traceLines: number;
}

type ToWorker = { seed: number } | { stop: true };
type FromWorker = { result: SeedResult } | { error: string; seed: number };

function runOptions(seed: number, config: WorkerConfig): RunOptions {
  return { seed, nodes: config.nodes, steps: config.steps, traceLines: config.traceLines };
}

function workerMain(): void {
  const config = workerData as WorkerConfig;
  const port = parentPort!;
  port.on('message', (msg: ToWorker) => {
    if ('stop' in msg) {
      port.close();
      return;
    }
    let reply: FromWorker;
    try {
      reply = { result: runSeed(runOptions(msg.seed, config)) };
    } catch (error) {
      reply = { error: (error as Error).stack ?? String(error), seed: msg.seed };
    }
    port.postMessage(reply);
  });
}

/** Runs the seeds on `workers` threads, calling onResult as each finishes. */
async function runPool(options: SimCliOptions, config: WorkerConfig, onResult: (r: SeedResult) => void): Promise<void> {
  const queue = [...options.seeds];
  const workers = Array.from({ length: options.workers }, () => new Worker(new URL(import.meta.url), { workerData: config }));
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const feed = () => {
            const seed = queue.shift();
            if (seed === undefined) worker.postMessage({ stop: true } satisfies ToWorker);
            else worker.postMessage({ seed } satisfies ToWorker);
          };
          worker.on('message', (msg: FromWorker) => {
            if ('error' in msg) {
              reject(new Error(`seed ${msg.seed} crashed the simulator: ${msg.error}`));
              void worker.terminate();
              return;
            }
            onResult(msg.result);
            feed();
          });
          worker.on('error', reject);
          worker.on('exit', () => resolve());
          feed();
        }),
    ),
  );
}

async function main(): Promise<number> {
  let options: SimCliOptions;
  try {
    options = parseSimArgs(process.argv.slice(2), Math.min(2, availableParallelism()));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) console.error(`sim: ${error.message}`);
    console.error(USAGE);
    return 2;
  }
  const config: WorkerConfig = { nodes: options.nodes, steps: options.steps, traceLines: options.traceLines };
  const started = Date.now();
  let done = 0;
  let ticks = 0;
  let learnersAdded = 0;
  let learnersPromoted = 0;
  let violations = 0;
  const crashPoints: Record<string, number> = {};
  const progressEvery = Math.max(1, Math.ceil(options.seeds.length / 10));

  const onResult = (result: SeedResult) => {
    done++;
    ticks += result.ticks;
    learnersAdded += result.stats.learnersAdded;
    learnersPromoted += result.stats.learnersPromoted;
    for (const [where, n] of Object.entries(result.stats.crashPoints)) crashPoints[where] = (crashPoints[where] ?? 0) + n;
    if (result.violation) {
      violations++;
      console.log(formatFailure(result, runOptions(result.seed, config)));
    } else if (options.verbose) {
      const s = result.stats;
      console.log(
        `seed ${result.seed} ok: ${result.ticks} ticks, ${result.coreSteps} core steps, ${s.nodes} nodes, ${s.committed} committed, ${s.proposals} proposals, ${s.readsAnswered}/${s.reads} reads answered, ${s.messagesDelivered} delivered, ${s.messagesDropped} dropped, ${s.congestedTicks} congested ticks; ` +
          `${s.electionsWon} elections won, ${s.crashes} crashes, ${s.restarts} restarts, ${s.pauses} pauses, ${s.partitions} partitions, ${s.storms} storms, ${s.transfers} transfers, ` +
          `${s.snapshotsTaken} snapshots taken, ${s.snapshotsInstalled} installed, ${s.configsCommitted} configs committed, ${s.learnersAdded} learners added, ${s.learnersPromoted} promoted`,
      );
    }
    if (options.seeds.length > 1 && (done % progressEvery === 0 || done === options.seeds.length)) {
      console.log(`progress: ${done}/${options.seeds.length} seeds, ${violations} failing, ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
  };

  if (options.seeds.length === 1 && options.workers === 1) {
    const seed = options.seeds[0];
    const result = runSeed({
      ...runOptions(seed, config),
      echo: options.verbose ? (line) => console.log(line) : undefined,
    });
    onResult(result);
    if (!result.violation) console.log(`seed ${seed} passed (${reproduceCommand(runOptions(seed, config))})`);
  } else {
    await runPool(options, config, onResult);
  }
  console.log(`crash points: ${formatCrashPoints(crashPoints)}`);
  console.log(`learners (thesis §4.2.1): ${learnersAdded} added, ${learnersPromoted} promoted to voter`);
  console.log(`seeds: ${done}, steps: ${ticks}, violations: ${violations}`);
  return violations > 0 ? 1 : 0;
}

/** "between steps 40, before appendEntries 12, ..." in the executor's effect order. */
function formatCrashPoints(points: Record<string, number>): string {
  const order = ['between steps', ...EFFECT_ORDER.map((kind) => `before ${kind}`)];
  const known = order.filter((where) => points[where] !== undefined);
  const others = Object.keys(points).filter((where) => !order.includes(where));
  const all = [...known, ...others];
  return all.length === 0 ? 'none' : all.map((where) => `${where} ${points[where]}`).join(', ');
}

if (isMainThread) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`sim: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 2;
    },
  );
} else {
  workerMain();
}
