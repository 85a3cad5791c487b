/**
 * The simulated network: messages travel for a number of virtual ticks, and may be dropped,
 * duplicated or reordered; partitions of any shape block links (a blocked link drops what
 * crosses it at delivery time, so a partition also catches messages already in flight).
 */
import type { Message, NodeId } from '../raft/types';
import { formatMessage } from './format';
import type { SeededRng } from './rng';
import type { TraceRecorder } from './trace';

export interface NetworkFaults {
  /** Probability that a message is lost. */
  dropRate: number;
  /** Probability that a message is delivered twice. */
  duplicateRate: number;
  /** Probability that a message is held back by 1..maxExtraDelay extra ticks (reordering it). */
  delayRate: number;
  maxExtraDelay: number;
  /** Normal latency is uniform in [0, maxLatency] ticks (0 = within the same tick). */
  maxLatency: number;
  /**
   * Reordering among messages due in the same tick: 'none' keeps send order (per-link FIFO,
   * like TCP), 'some' swaps a few messages out of order, 'full' shuffles them all.
   */
  reorder: 'none' | 'some' | 'full';
}

export const RELIABLE: NetworkFaults = {
  dropRate: 0,
  duplicateRate: 0,
  delayRate: 0,
  maxExtraDelay: 0,
  maxLatency: 1,
  reorder: 'none',
};

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  /** Ticks in which the network hit its capacity and deferred messages. */
  congested: number;
}

function linkKey(from: NodeId, to: NodeId): number {
  return from * 4096 + to;
}

export class SimNetwork {
  faults: NetworkFaults = RELIABLE;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, congested: 0 };
  private readonly blocked = new Set<number>();
  private readonly due = new Map<number, Message[]>();
  private inFlight = 0;

  constructor(
    private readonly rng: SeededRng,
    private readonly trace: TraceRecorder,
  ) {}

  get pending(): number {
    return this.inFlight;
  }

  canReach(from: NodeId, to: NodeId): boolean {
    return this.blocked.size === 0 || !this.blocked.has(linkKey(from, to));
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }

  /** Blocks the directed link from -> to. */
  block(from: NodeId, to: NodeId): void {
    this.blocked.add(linkKey(from, to));
  }

  /** Removes every partition. */
  heal(): void {
    this.blocked.clear();
  }

  /** Describes the blocked links, e.g. "1->2 2->1". */
  describeBlocked(): string {
    return [...this.blocked].map((k) => `${Math.floor(k / 4096)}->${k % 4096}`).join(' ');
  }

  send(message: Message, now: number): void {
    this.stats.sent++;
    const f = this.faults;
    if (f.dropRate > 0 && this.rng.chance(f.dropRate)) {
      this.stats.dropped++;
      if (this.trace.enabled) this.trace.record(now, `drop (loss) ${formatMessage(message)}`);
      return;
    }
    this.schedule(message, now + this.latency());
    if (f.duplicateRate > 0 && this.rng.chance(f.duplicateRate)) {
      this.stats.duplicated++;
      const at = now + this.latency();
      if (this.trace.enabled) this.trace.record(now, `duplicate (due t=${at}) ${formatMessage(message)}`);
      this.schedule(message, at);
    }
  }

  /**
   * Takes the messages due at `now` (in delivery order). Messages sent with zero latency
   * while these are delivered are due at `now` too: call again until it returns undefined.
   */
  takeDue(now: number): Message[] | undefined {
    const batch = this.due.get(now);
    if (!batch) return undefined;
    this.due.delete(now);
    this.inFlight -= batch.length;
    if (batch.length > 1) {
      if (this.faults.reorder === 'full') this.rng.shuffle(batch);
      else if (this.faults.reorder === 'some') {
        // About one message in ten jumps to a random place.
        for (let i = 0; i < batch.length; i++) {
          if (this.rng.next() < 0.1) {
            const j = this.rng.int(batch.length);
            const tmp = batch[i];
            batch[i] = batch[j];
            batch[j] = tmp;
          }
        }
      }
    }
    return batch;
  }

  /** Schedules a message for delivery at `at` with no faults (e.g. held during a pause). */
  redeliver(message: Message, at: number): void {
    this.schedule(message, at);
  }

  /** Drops everything in flight (e.g. when a test wants a clean slate). */
  clear(): void {
    this.due.clear();
    this.inFlight = 0;
  }

  private latency(): number {
    const f = this.faults;
    let ticks = f.maxLatency > 0 ? this.rng.int(f.maxLatency + 1) : 0;
    if (f.delayRate > 0 && f.maxExtraDelay > 0 && this.rng.chance(f.delayRate)) ticks += this.rng.range(1, f.maxExtraDelay);
    return ticks;
  }

  private schedule(message: Message, at: number): void {
    let batch = this.due.get(at);
    if (!batch) {
      batch = [];
      this.due.set(at, batch);
    }
    batch.push(message);
    this.inFlight++;
  }
}
