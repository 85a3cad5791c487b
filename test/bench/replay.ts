/**
 * `npm run bench -- replay`: the flight recorder's replay speed (src/replay) on a real run.
 * Records a 45 s, 5-node run with the `mixed` fault preset and the default workload through
 * the CLI (or takes RAFTLAB_BENCH_REPLAY_RUN=<run dir>), then prints, from one process:
 *   - steps/s and the time to replay the whole run (every node, every digest checked; target
 *     < 2 s), reading and decoding the journals included;
 *   - seek time to a random (node, time) once the run is loaded (checkpoints built), over 50
 *     seeks (target < 100 ms), and the time to load the run that far.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/lab/cli';
import { SeededRng } from '../../src/raft';
import { loadRunReplays, replayRun } from '../../src/replay/runReplay';

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function recordRun(): Promise<{ runDir: string; cleanup: () => void }> {
  const out = mkdtempSync(join(tmpdir(), 'raftlab-bench-replay-'));
  const code = await main(['run', '--nodes', '5', '--duration', '45s', '--faults', 'mixed', '--out', out]);
  if (code !== 0 && code !== 1) throw new Error(`raftlab run exited ${code}`);
  const [run] = readdirSync(out);
  return { runDir: join(out, run), cleanup: () => rmSync(out, { recursive: true, force: true }) };
}

export async function benchReplay(): Promise<Record<string, number | string>> {
  const given = process.env.RAFTLAB_BENCH_REPLAY_RUN;
  const { runDir, cleanup } = given ? { runDir: given, cleanup: () => undefined } : await recordRun();
  const out: Record<string, number | string> = {};
  try {
    const whole = replayRun(runDir);
    out['run.nodes'] = whole.nodes.length;
    out['run.steps'] = whole.steps;
    out['run.journalBytes'] = whole.bytes;
    out['run.mismatches'] = whole.mismatches.length;
    out['replay.wholeRunMs'] = round(whole.elapsedMs);
    out['replay.stepsPerSec'] = Math.round(whole.steps / (whole.elapsedMs / 1000));

    const t0 = performance.now();
    const { replays } = loadRunReplays(runDir);
    for (const r of replays) r.run();
    out['seek.loadMs'] = round(performance.now() - t0);
    const rng = new SeededRng(7);
    const seeks: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = replays[rng.nextInt(0, replays.length)];
      const span = r.span!;
      const t = span.from + rng.nextFloat() * (span.to - span.from);
      const s0 = performance.now();
      r.stateAtTime(t);
      seeks.push(performance.now() - s0);
    }
    seeks.sort((a, b) => a - b);
    out['seek.p50Ms'] = round(seeks[Math.floor(seeks.length / 2)], 2);
    out['seek.maxMs'] = round(seeks[seeks.length - 1], 2);
  } finally {
    cleanup();
  }
  const targets: Record<string, number> = { 'replay.wholeRunMs': 2000, 'seek.maxMs': 100, 'run.mismatches': 0 };
  const width = Math.max(...Object.keys(out).map((k) => k.length));
  for (const [k, v] of Object.entries(out)) {
    const t = targets[k];
    const verdict = t === undefined || typeof v !== 'number' ? '' : `${v <= t ? 'ok  ' : 'MISS'} (target <= ${t})`;
    console.log(`${k.padEnd(width)}  ${String(v).padStart(12)}  ${verdict}`);
  }
  return out;
}
