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
 *
 * Aimed rules (aimedRules.ts, docs/aimed-faults.md) are consulted after the block check and
 * BEFORE the plain link rules: a partition still cuts every message (an aimed rule never
 * sees, or counts, a message a block drops), but a message an aimed rule acts on is decided
 * by that rule alone: its drop, its delay (plus the emulated network delay on 'out', which
 * is physics, not a rule) or its duplicate, with no random drop, delay or duplicate on top.
 *
 * Slow motion (`setSpeed`): every injected delay (network delay, link rule delays and
 * jitter, aimed delays) is stretched by 1/speed when its timer is set, so a cluster run at
 * 0.1x sees its link delays ten times longer, in step with its ten times slower clock.
 */
import type { AimedRule, AimedRuleState } from '../../contract/aimedRules';
import type { LinkRule } from '../../contract/control';
import { LIMITS } from '../../contract/limits';
import type { Message, NodeId } from '../../raft/types';
import { AimedRules } from './aimedRules';
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
  private readonly aimed = new AimedRules();
  private speed = 1;
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();
  private readonly stats: Record<Direction, FaultCounters> = { in: zeroCounters(), out: zeroCounters() };
  private closed = false;
  /**
   * Told of every message a rule dropped, with the reason (the flight recorder journals it:
   * src/node/journal): 'blocked', 'dropped', 'droppedInFlight', or an aimed rule's own reason
   * ("aimed rule 1: drop (nth 3)").
   */
  onDrop: ((item: T, direction: Direction, reason: string) => void) | null = null;
  /**
   * Given every message an aimed rule holds (the node's debugger hold queue takes it:
   * docs/debugger.md). While null (no debugger wired), a hold cannot keep the message
   * anywhere, so it is dropped, through `onDrop` with the reason "... hold (no debugger)":
   * never delivered silently as if the rule had not matched.
   */
  onHold: ((item: T, direction: Direction, reason: string) => void) | null = null;
  /** Told after an aimed rule acted on a message (the node republishes its rules' hit counts). */
  onAimedHit: (() => void) | null = null;

  /**
   * @param seed makes every decision reproducible.
   * @param onError receives exceptions thrown by a `deliver` callback run from a timer
   *   (synchronous deliveries throw to the caller of `apply` as usual).
   * @param inspect the peer message an item carries, for aimed rules to match (the runtime's
   *   items are messages: the identity). Without it, `setAimedRules` refuses rules.
   */
  constructor(
    seed: number,
    private readonly onError: (error: unknown) => void = (error) => console.error('fault injector: delayed delivery failed', error),
    private readonly inspect: ((item: T) => Message) | null = null,
  ) {
    this.plan = new FaultPlan(seed);
  }

  /** The aimed rules in force, as last given to `setAimedRules`. */
  get aimedRules(): readonly AimedRule[] {
    return this.aimed.rules;
  }

  /** The aimed rules with how many messages each matched and acted on since they were set. */
  aimedStates(): AimedRuleState[] {
    return this.aimed.states();
  }

  /**
   * Replaces every aimed rule and restarts their counts (empty: none). Throws a RangeError
   * (keeping the old rules) if invalid, or if this injector was built without `inspect`.
   */
  setAimedRules(rules: readonly AimedRule[]): void {
    if (rules.length > 0 && !this.inspect) throw new RangeError('aimed rules need to see messages: this fault injector was built without an inspect function');
    this.aimed.setRules(rules);
  }

  /** Slow motion: every injected delay is stretched by 1/speed from now on (LIMITS.speed). */
  setSpeed(speed: number): void {
    if (!(speed >= LIMITS.speed.min && speed <= LIMITS.speed.max)) throw new RangeError(`speed must be in [${LIMITS.speed.min}, ${LIMITS.speed.max}], got ${String(speed)}`);
    this.speed = speed;
  }

  get currentSpeed(): number {
    return this.speed;
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
    if (!this.plan.active && !this.aimed.active) {
      deliver(item);
      return;
    }
    const stats = this.stats[direction];
    if (this.aimed.active && this.inspect) {
      if (this.plan.isBlocked(direction, peer)) {
        stats.blocked++;
        this.onDrop?.(item, direction, 'blocked');
        return;
      }
      const aimed = this.aimed.decide(direction, this.inspect(item));
      if (aimed) {
        this.onAimedHit?.();
        this.carryOutAimed(direction, peer, item, deliver, aimed.action, aimed.reason);
        return;
      }
    }
    const decision = this.plan.decide(direction, peer);
    if (decision.action === 'drop') {
      if (decision.reason === 'blocked') stats.blocked++;
      else stats.dropped++;
      this.onDrop?.(item, direction, decision.reason === 'blocked' ? 'blocked' : 'dropped');
      return;
    }
    this.deliverAfter(direction, peer, item, deliver, decision.delays);
  }

  /** An aimed rule's action on one message (see the header for what the plain rules then do not do). */
  private carryOutAimed(direction: Direction, peer: NodeId, item: T, deliver: (item: T) => void, action: AimedRule['action'], reason: string): void {
    const stats = this.stats[direction];
    const network = direction === 'out' ? this.plan.networkDelay.delayMs : 0;
    switch (action.kind) {
      case 'drop':
        stats.dropped++;
        this.onDrop?.(item, direction, reason);
        return;
      case 'hold':
        if (this.onHold) {
          this.onHold(item, direction, reason);
        } else {
          stats.dropped++;
          this.onDrop?.(item, direction, `${reason}: hold (no debugger)`);
        }
        return;
      case 'delay':
        this.deliverAfter(direction, peer, item, deliver, [network + action.ms]);
        return;
      case 'duplicate':
        this.deliverAfter(direction, peer, item, deliver, [network, network]);
        return;
    }
  }

  /** Delivers once per element of `delays`, each after that many ms (stretched by 1/speed). */
  private deliverAfter(direction: Direction, peer: NodeId, item: T, deliver: (item: T) => void, delays: readonly number[]): void {
    const stats = this.stats[direction];
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
      }, delays[i] / this.speed);
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
