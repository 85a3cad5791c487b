/**
 * The load shape of the single-request benchmarks, shared by the raftlab phases
 * (test/bench/node.ts) and the etcd peer (test/bench/peer.ts) so both are driven the same
 * way: etcd's own benchmark shape (`benchmark put --clients N`), with no client-side batching.
 *
 *   - closed loop: N clients, each with exactly one put outstanding; a client sends its next
 *     put when the previous one is answered. One request per frame (or HTTP request).
 *   - open loop: puts at a fixed rate, each sent on time whatever the answers do, one per
 *     frame; latency from the scheduled send to the answer.
 *   - puts of 16-byte keys drawn over 1,000 keys, 32-byte values.
 *
 * The transport is the caller's: `put` resolves true for an ok answer, false for a refusal.
 */
import { percentile } from '../../src/analysis/percentile';

/** Distinct keys of the load (etcd benchmark: `--key-space-size 1000`). */
export const KEY_SPACE = 1000;
/** Key and value sizes in bytes (etcd benchmark: `--key-size 16 --val-size 32`). */
export const KEY_BYTES = 16;
export const VALUE_BYTES = 32;

/** The i-th key: 16 ASCII bytes, `key-` and 12 digits. */
export function loadKey(i: number): string {
  return `key-${String(i % KEY_SPACE).padStart(KEY_BYTES - 4, '0')}`;
}

export const LOAD_VALUE = 'v'.repeat(VALUE_BYTES);

/** Puts one key for client number `client`; true when the store answered ok. */
export type PutFn = (client: number, key: string, value: string) => Promise<boolean>;

export interface LoadResult {
  writesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  failed: number;
}

/** The project's one nearest-rank percentile (src/analysis/percentile.ts); NaN for no samples. */
const pct = (sorted: number[], p: number): number => percentile(sorted, p) ?? Number.NaN;

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function summarize(latencies: number[], ok: number, failed: number, seconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    writesPerSec: Math.round(ok / seconds),
    p50Ms: round(pct(latencies, 50), 3),
    p99Ms: round(pct(latencies, 99), 3),
    maxMs: round(latencies[latencies.length - 1] ?? Number.NaN, 3),
    ok,
    failed,
  };
}

/**
 * `clients` closed-loop clients for `warmupMs` (not counted) and then `durationMs`; each
 * client's loop ends with its first put answered after the deadline.
 */
export async function runClosedLoop(put: PutFn, o: { clients: number; durationMs: number; warmupMs: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let next = 0;
  const start = performance.now();
  const measureFrom = start + o.warmupMs;
  const end = measureFrom + o.durationMs;
  const client = async (c: number) => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const good = await put(c, loadKey(next++), LOAD_VALUE);
      const t1 = performance.now();
      if (t0 < measureFrom || t1 > end) continue;
      if (good) {
        ok++;
        latencies.push(t1 - t0);
      } else {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)));
  return summarize(latencies, ok, failed, o.durationMs / 1000);
}

/**
 * Open loop: `rate` puts per second, each sent in its own frame when due (a 1 ms timer
 * catches up on late ticks), latency measured from the time it was due. A warm-up of
 * `warmupMs` at the same rate is not counted. Waits up to 5 s for the last answers.
 */
export async function runOpenLoop(put: PutFn, o: { rate: number; durationMs: number; warmupMs: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let sent = 0;
  let answered = 0;
  const start = performance.now();
  const total = Math.floor(((o.warmupMs + o.durationMs) * o.rate) / 1000);
  const warmCount = Math.floor((o.warmupMs * o.rate) / 1000);
  const interval = 1000 / o.rate;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      for (; sent < due; sent++) {
        const n = sent;
        const dueAt = start + n * interval;
        void put(n, loadKey(n), LOAD_VALUE).then(
          (good) => {
            answered++;
            if (n >= warmCount) {
              if (good) {
                ok++;
                latencies.push(performance.now() - dueAt);
              } else failed++;
            }
          },
          () => {
            answered++;
            if (n >= warmCount) failed++;
          },
        );
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const deadline = performance.now() + 5000;
  while (answered < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  failed += total - answered;
  return summarize(latencies, ok, failed, o.durationMs / 1000);
}
