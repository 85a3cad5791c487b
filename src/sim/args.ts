/** Command-line options of `npm run sim`. */

export interface SimCliOptions {
  /** Seeds to run, in order. */
  seeds: number[];
  nodes?: number;
  steps?: number;
  verbose: boolean;
  workers: number;
  traceLines: number;
}

export const USAGE = `usage: npm run sim -- [--seeds N | --seed S] [--nodes 1..9] [--steps TICKS] [--verbose] [--workers W] [--trace-lines K]
  --seeds N        run seeds 1..N (default 20)
  --seed S         run one seed (add --verbose to print every step)
  --nodes N        fixed cluster size (default: 3-7, drawn per seed)
  --steps T        ticks of faults before healing and checking liveness (default 2000)
  --workers W      parallel worker threads (default: 2, or 1 for a single seed)
  --trace-lines K  trace lines shown for a failing seed (default 200)`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function integer(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined) throw new UsageError(`${flag} needs a value`);
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got '${value}'`);
  return n;
}

export function parseSimArgs(argv: readonly string[], defaultWorkers: number): SimCliOptions {
  let count: number | undefined;
  let single: number | undefined;
  let nodes: number | undefined;
  let steps: number | undefined;
  let workers: number | undefined;
  let verbose = false;
  let traceLines = 200;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = () => inline ?? argv[++i];
    switch (name) {
      case '--seeds':
        count = integer(name, value(), 1, 1_000_000);
        break;
      case '--seed':
        single = integer(name, value(), 0, 0xffffffff);
        break;
      case '--nodes':
        nodes = integer(name, value(), 1, 9);
        break;
      case '--steps':
        steps = integer(name, value(), 0, 10_000_000);
        break;
      case '--workers':
        workers = integer(name, value(), 1, 64);
        break;
      case '--trace-lines':
        traceLines = integer(name, value(), 0, 1_000_000);
        break;
      case '--verbose':
      case '-v':
        verbose = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown option '${flag}'`);
    }
  }
  if (count !== undefined && single !== undefined) throw new UsageError('give --seeds or --seed, not both');
  const seeds = single !== undefined ? [single] : Array.from({ length: count ?? 20 }, (_, i) => i + 1);
  return {
    seeds,
    nodes,
    steps,
    verbose,
    workers: Math.max(1, Math.min(workers ?? (seeds.length > 1 ? defaultWorkers : 1), seeds.length)),
    traceLines,
  };
}
