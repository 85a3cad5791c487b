/**
 * A steady write load for durability tests: several clients, each writing its own keys
 * one after another (`<prefix><client>-<n>` = `v<client>-<n>`), remembering which writes
 * were acknowledged. Since every key is written once, "no acknowledged write is lost"
 * means: every acknowledged key reads back with exactly the value written.
 */
import { KvRequestTimeout, TestKvClient, type KvTarget } from './kvClient';
import { waitFor } from './waitFor';

export interface WriteLoadOptions {
  writers: number;
  /** Key prefix, so several loads in one cluster do not collide. */
  prefix: string;
  /** Deadline of each write, retries included (default 5 s). */
  requestTimeoutMs?: number;
}

export class WriteLoad {
  /** Acknowledged writes: key -> value. */
  readonly acked = new Map<string, string>();
  /** Writes whose outcome is unknown (no answer before their deadline, or 'info'). */
  readonly unknown = new Set<string>();
  /** Writes the cluster refused outright. */
  readonly failed = new Map<string, string>();
  /** Highest log index an acknowledged write applied at. */
  maxIndex = 0;
  private readonly clients: TestKvClient[];
  private running = false;
  private loops: Promise<void>[] = [];
  private unexpected: unknown[] = [];

  constructor(
    target: KvTarget,
    private readonly opts: WriteLoadOptions,
  ) {
    this.clients = Array.from({ length: opts.writers }, (_, i) => new TestKvClient(target, { clientId: `${opts.prefix}w${i}-${process.pid}` }));
  }

  start(): void {
    if (this.running) throw new Error('the write load is already running');
    this.running = true;
    this.loops = this.clients.map((c, i) => this.loop(c, i));
  }

  private async loop(client: TestKvClient, writer: number): Promise<void> {
    for (let n = 0; this.running; n++) {
      const key = `${this.opts.prefix}${writer}-${n}`;
      const value = `v${writer}-${n}`;
      try {
        const r = await client.put(key, value, { timeoutMs: this.opts.requestTimeoutMs ?? 5000 });
        if (r.status === 'ok') {
          this.acked.set(key, value);
          this.maxIndex = Math.max(this.maxIndex, r.index);
        } else if (r.status === 'info') this.unknown.add(key);
        else this.failed.set(key, r.error);
      } catch (err) {
        if (err instanceof KvRequestTimeout) this.unknown.add(key);
        else {
          this.unexpected.push(err);
          return;
        }
      }
    }
  }

  /** Waits until `count` writes in total have been acknowledged. */
  async waitForAcks(count: number, timeoutMs: number): Promise<void> {
    await waitFor(() => this.acked.size >= count || this.unexpected.length > 0, {
      timeoutMs,
      what: `${count} acknowledged writes`,
      describe: () => this.describe(),
    });
    this.throwIfBroken();
  }

  /** Stops the writers after their current request and closes their connections. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await Promise.all(this.clients.map((c) => c.close()));
    this.throwIfBroken();
  }

  describe(): string {
    return `${this.acked.size} acked, ${this.unknown.size} unknown, ${this.failed.size} failed`;
  }

  /**
   * Reads every acknowledged key through `reader` (via the leader: a linearizable read,
   * §8) and returns the ones that are missing or hold another value.
   */
  async lostWrites(reader: TestKvClient, opts: { timeoutMs?: number } = {}): Promise<string[]> {
    const lost: string[] = [];
    for (const [key, value] of this.acked) {
      const r = await reader.get(key, { timeoutMs: opts.timeoutMs ?? 10_000 });
      if (r.status !== 'ok') lost.push(`${key}: read failed (${JSON.stringify(r)})`);
      else if (r.value !== value) lost.push(`${key}: expected ${value}, read ${String(r.value)}`);
    }
    return lost;
  }

  private throwIfBroken(): void {
    if (this.unexpected.length > 0) throw new Error(`a writer failed: ${String(this.unexpected[0])}`, { cause: this.unexpected[0] });
  }
}
