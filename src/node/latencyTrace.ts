/**
 * An opt-in trace of where one write's time goes inside a node, for docs/performance.md:
 * with RAFTLAB_LATENCY_TRACE=<dir> every node appends `<wall ms> <node> <point> <index>`
 * lines to `<dir>/node-<id>.trace` at the points of the write path (client frame in,
 * proposal stepped, save begun and durable, AppendEntries/response sent and received,
 * entry applied, reply handed to the socket). Timestamps are `wallNow()`, one clock for
 * every process on the machine (docs/platform-facts.md#clocks), so the files of the three
 * nodes merge into one timeline (scripts: see docs/performance.md).
 *
 * Off (the default) it costs one null check per point. On, each point is one synchronous
 * write of ~30 bytes (a few µs): a profiling aid, not something to leave on under load.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class LatencyTrace {
  private constructor(
    private readonly fd: number,
    private readonly node: number,
  ) {}

  /** The trace of node `id` when RAFTLAB_LATENCY_TRACE names a directory, otherwise null. */
  static fromEnv(id: number, env: NodeJS.ProcessEnv = process.env): LatencyTrace | null {
    const dir = env.RAFTLAB_LATENCY_TRACE;
    if (!dir) return null;
    mkdirSync(dir, { recursive: true });
    return new LatencyTrace(openSync(join(dir, `node-${id}.trace`), 'a'), id);
  }

  /** Records `point` for log index `index` (0 when the point has none) at `t` (wall ms). */
  mark(t: number, point: string, index: number): void {
    writeSync(this.fd, `${t.toFixed(3)} ${this.node} ${point} ${index}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}
