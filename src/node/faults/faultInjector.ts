/**
 * Carries out a FaultPlan's decisions on real messages with timers: the network half of
 * fault injection. The transport passes every outbound message (direction 'out', peer =
 * destination) and every inbound one (direction 'in', peer = sender) through `apply`.
 *
 * Delayed messages keep the delivery time they were given, as packets already on the wire
 * would: healing a link does not speed them up and a new delay does not slow them down.
 * Jitter means two messages may overtake each other, as on a real network. But a block in
 * force at delivery time drops them: a partition cuts messages still in flight, so a
 * partition really isolates a node from the moment it is set.
 *
 * Zero-delay deliveries happen synchronously, so links without delay keep their order and
 * cost no timer.
 */
import type { LinkRule } from '../../contract/control';
import type { NodeId } from '../../raft/types';
import { FaultPlan, type Direction } from './faultPlan';

export interface FaultCounters {
  /** Dropped because the link was blocked when the message arrived at the filter. */
  blocked: number;
  /** Dropped by a random drop rule. */
  dropped: number;
  /** Extra copies delivered. */
  duplicated: number;
  /** Deliveries that went through a timer. */
  delayed: number;
  /** Delayed messages dropped because their link was blocked when their timer fired. */
  droppedInFlight: number;
}

const zeroCounters = (): FaultCounters => ({ blocked: 0, dropped: 0, duplicated: 0, delayed: 0, droppedInFlight: 0 });

export class FaultInjector<T> {
  private readonly plan: FaultPlan;
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();
  private readonly stats: Record<Direction, FaultCounters> = { in: zeroCounters(), out: zeroCounters() };
  private closed = false;
  /** Told of every message a rule dropped, with the reason (the flight recorder journals it: src/node/journal). */
  onDrop: ((item: T, direction: Direction, reason: 'blocked' | 'dropped' | 'droppedInFlight') => void) | null = null;

  /**
   * @param seed makes every decision reproducible.
   * @param onError receives exceptions thrown by a `deliver` callback run from a timer
   *   (synchronous deliveries throw to the caller of `apply` as usual).
   */
  constructor(
    seed: number,
    private readonly onError: (error: unknown) => void = (error) => console.error('fault injector: delayed delivery failed', error),
  ) {
    this.plan = new FaultPlan(seed);
  }

  get rules(): readonly LinkRule[] {
    return this.plan.rules;
  }

  /** Messages waiting on a delay timer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sets the cluster-wide emulated delay on every outbound message (see FaultPlan.setNetworkDelay). */
  setNetworkDelay(delay: { delayMs: number; jitterMs: number }): void {
    this.plan.setNetworkDelay(delay);
  }

  /** Replaces all rules atomically; throws RangeError (keeping the old rules) if invalid. */
  setRules(rules: readonly LinkRule[]): void {
    this.plan.setRules(rules);
  }

  /** Delivers `item` through `deliver` zero, one or two times, now or later, per the rules. */
  apply(direction: Direction, peer: NodeId, item: T, deliver: (item: T) => void): void {
    if (this.closed) return;
    if (!this.plan.active) {
      deliver(item);
      return;
    }
    const decision = this.plan.decide(direction, peer);
    const stats = this.stats[direction];
    if (decision.action === 'drop') {
      if (decision.reason === 'blocked') stats.blocked++;
      else stats.dropped++;
      this.onDrop?.(item, direction, decision.reason === 'blocked' ? 'blocked' : 'dropped');
      return;
    }
    const { delays } = decision;
    stats.duplicated += delays.length - 1;
    for (let i = 0; i < delays.length; i++) {
      if (delays[i] <= 0) {
        deliver(item);
        continue;
      }
      stats.delayed++;
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        if (this.plan.isBlocked(direction, peer)) {
          stats.droppedInFlight++;
          this.onDrop?.(item, direction, 'droppedInFlight');
          return;
        }
        try {
          deliver(item);
        } catch (error) {
          this.onError(error);
        }
      }, delays[i]);
      this.pending.add(timer);
    }
  }

  counters(): Record<Direction, FaultCounters> {
    return { in: { ...this.stats.in }, out: { ...this.stats.out } };
  }

  /** Cancels every pending delivery; later `apply` calls deliver nothing. */
  close(): void {
    this.closed = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
