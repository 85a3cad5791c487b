/**
 * Raw ZeroMQ round-trip latency between two processes: this process sends on a DEALER,
 * a forked child (fixtures/zmqEcho.mjs) echoes on a ROUTER, and each round trip is awaited
 * before the next (ping-pong), so the result is latency, not throughput. docs/platform-facts.md#zeromq-throughput
 * records 216-265 µs on this kind of machine.
 *
 * Prints nothing: the caller (npm run bench) formats the result.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { percentile } from '../../src/analysis/percentile';
import { fileURLToPath } from 'node:url';
import { Dealer } from 'zeromq';

export interface ZmqRoundTripOptions {
  /** Measured round trips (default 10 000). */
  count?: number;
  /** Round trips before measuring, to warm up the JIT and the connection (default 1000). */
  warmup?: number;
  /** Bytes per message (default 64). */
  payloadBytes?: number;
  transport?: 'tcp' | 'ipc';
  /** Path of the echo script; found next to this file or under test/bench/fixtures by default. */
  echoScript?: string;
  /** Give up if the child does not report its endpoint within this many ms (default 10 000). */
  startTimeoutMs?: number;
}

export interface ZmqRoundTripResult {
  p50Us: number;
  p99Us: number;
  count: number;
}

export async function benchZmqRoundTrip(opts: ZmqRoundTripOptions = {}): Promise<ZmqRoundTripResult> {
  const count = opts.count ?? 10_000;
  const warmup = opts.warmup ?? 1000;
  const payload = new Uint8Array(opts.payloadBytes ?? 64).fill(7);
  if (!(Number.isInteger(count) && count > 0)) throw new RangeError(`count must be a positive integer, got ${count}`);
  const script = findEchoScript(opts.echoScript);
  const ipcDir = opts.transport === 'ipc' ? mkdtempSync(join(tmpdir(), 'rl-bench-')) : null;
  const address = ipcDir ? `ipc://${join(ipcDir, 'echo.sock')}` : 'tcp://127.0.0.1:0';

  const child = fork(script, [address], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const dealer = new Dealer({ linger: 0 });
  try {
    const endpoint = await childEndpoint(child, opts.startTimeoutMs ?? 10_000, () => stderr);
    dealer.connect(endpoint);
    const samples = new Float64Array(count);
    for (let i = 0; i < warmup + count; i++) {
      const start = process.hrtime.bigint();
      await dealer.send(payload);
      const [reply] = await dealer.receive();
      const elapsedUs = Number(process.hrtime.bigint() - start) / 1000;
      if (reply.byteLength !== payload.byteLength) throw new Error(`echo returned ${reply.byteLength} bytes, sent ${payload.byteLength}`);
      if (i >= warmup) samples[i - warmup] = elapsedUs;
    }
    samples.sort();
    return { p50Us: percentile(samples, 50) ?? Number.NaN, p99Us: percentile(samples, 99) ?? Number.NaN, count };
  } finally {
    dealer.close();
    if (child.connected) child.disconnect();
    // The child exits once its socket closes; make sure no process is left behind.
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(killTimer);
    if (ipcDir) rmSync(ipcDir, { recursive: true, force: true });
  }
}

function findEchoScript(explicit: string | undefined): string {
  const candidates = explicit
    ? [explicit]
    : [
        // Running from source (vitest): next to this file.
        fileURLToPath(new URL('./fixtures/zmqEcho.mjs', import.meta.url)),
        // Bundled by scripts/run-ts.mjs into node_modules/.cache: from the repo root.
        resolve('test/bench/fixtures/zmqEcho.mjs'),
      ];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`echo script not found (looked in ${candidates.join(', ')})`);
  return found;
}

function childEndpoint(child: ReturnType<typeof fork>, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolveEndpoint, reject) => {
    const timer = setTimeout(() => fail(`no endpoint within ${timeoutMs} ms`), timeoutMs);
    const onMessage = (message: unknown) => {
      const endpoint = (message as { endpoint?: unknown } | null)?.endpoint;
      if (typeof endpoint !== 'string') return fail(`unexpected message ${JSON.stringify(message)}`);
      cleanup();
      resolveEndpoint(endpoint);
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited early (code ${code}, signal ${signal})`);
    function cleanup() {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    function fail(problem: string) {
      cleanup();
      reject(new Error(`zmq echo child ${problem}${stderr() ? `; stderr: ${stderr()}` : ''}`));
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
