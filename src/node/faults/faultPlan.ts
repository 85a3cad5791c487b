/**
 * The pure half of fault injection: which messages a link drops, delays or duplicates,
 * given the node's LinkRules (src/contract/control.ts) and a seed. No timers and no I/O,
 * so it is unit-testable and a seed replays the same decisions.
 *
 * Rules for the same peer and direction combine: the link is blocked if any rule blocks,
 * drop and duplicate probabilities combine as independent events (1 - Π(1 - p)), fixed
 * delays and jitters add up.
 *
 * Each (direction, peer) link draws from its own RNG stream derived from the seed, and only
 * when a rule needs randomness: a link's decisions depend only on the seed and on the
 * messages that link carried, not on traffic elsewhere. The streams survive rule changes.
 *
 * A network delay (`setNetworkDelay`, the cluster-wide emulated one-way delay of
 * docs/network-emulation.md) applies to every outbound message on top of the link's
 * rules; it is not a rule, so healing links leaves it in force.
 */
import type { LinkRule } from '../../contract/control';
import { validateLinkRules } from '../../contract/control';
import type { NodeId } from '../../raft/types';
import { deriveSeed, SeededRng } from '../../raft/rng';

export type Direction = LinkRule['direction'];

export type FaultDecision =
  | { action: 'drop'; reason: 'blocked' | 'random' }
  /** Deliver once per element, each after that many ms (two elements: a duplicate). */
  | { action: 'deliver'; delays: readonly number[] };

interface LinkFaults {
  block: boolean;
  drop: number;
  delayMs: number;
  jitterMs: number;
  duplicate: number;
}

const DELIVER_NOW: FaultDecision = Object.freeze({ action: 'deliver', delays: Object.freeze([0]) });
const DROP_BLOCKED: FaultDecision = Object.freeze({ action: 'drop', reason: 'blocked' });
const DROP_RANDOM: FaultDecision = Object.freeze({ action: 'drop', reason: 'random' });

const NO_FAULTS: LinkFaults = Object.freeze({ block: false, drop: 0, delayMs: 0, jitterMs: 0, duplicate: 0 });
const NO_DELAY = Object.freeze({ delayMs: 0, jitterMs: 0 });

const linkKey = (direction: Direction, peer: NodeId): number => (direction === 'in' ? peer * 2 : peer * 2 + 1);

export class FaultPlan {
  private links = new Map<number, LinkFaults>();
  private current: readonly LinkRule[] = [];
  private readonly streams = new Map<number, SeededRng>();
  private network = { delayMs: 0, jitterMs: 0 };

  constructor(private readonly seed: number) {}

  /**
   * Sets the cluster-wide one-way delay added to every outbound message (0, 0: none).
   * Throws a RangeError for negative or non-finite values, keeping the previous delay.
   */
  setNetworkDelay(delay: { delayMs: number; jitterMs: number }): void {
    for (const k of ['delayMs', 'jitterMs'] as const) {
      const v = delay[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`invalid network delay: ${k} must be a number of ms >= 0, got ${String(v)}`);
    }
    this.network = { delayMs: delay.delayMs, jitterMs: delay.jitterMs };
  }

  get networkDelay(): { delayMs: number; jitterMs: number } {
    return { ...this.network };
  }

  private get hasNetworkDelay(): boolean {
    return this.network.delayMs > 0 || this.network.jitterMs > 0;
  }

  /** The rules in force, as last given to `setRules`. */
  get rules(): readonly LinkRule[] {
    return this.current;
  }

  /** True when at least one rule is in force (false: every message is delivered at once). */
  get active(): boolean {
    return this.links.size > 0 || this.hasNetworkDelay;
  }

  /**
   * Replaces every rule at once (an empty list heals all links). Validates first and throws
   * a RangeError naming the bad rule, leaving the previous rules in force.
   */
  setRules(rules: readonly LinkRule[]): void {
    const checked = validateLinkRules(rules);
    if (!checked.ok) throw new RangeError(`invalid link rules: ${checked.error}`);
    const links = new Map<number, LinkFaults>();
    for (const rule of rules) {
      const key = linkKey(rule.direction, rule.peer);
      const link = links.get(key) ?? { block: false, drop: 0, delayMs: 0, jitterMs: 0, duplicate: 0 };
      link.block ||= rule.block === true;
      link.drop = 1 - (1 - link.drop) * (1 - (rule.drop ?? 0));
      link.delayMs += rule.delayMs ?? 0;
      link.jitterMs += rule.jitterMs ?? 0;
      link.duplicate = 1 - (1 - link.duplicate) * (1 - (rule.duplicate ?? 0));
      links.set(key, link);
    }
    // Swap in one assignment: decisions never see half of the old and half of the new rules.
    this.links = links;
    this.current = rules.map((rule) => ({ ...rule }));
  }

  isBlocked(direction: Direction, peer: NodeId): boolean {
    return this.links.get(linkKey(direction, peer))?.block === true;
  }

  /** Decides the fate of one message on the link to/from `peer`. */
  decide(direction: Direction, peer: NodeId): FaultDecision {
    const key = linkKey(direction, peer);
    const link = this.links.get(key) ?? NO_FAULTS;
    const net = direction === 'out' ? this.network : NO_DELAY;
    if (link.block) return DROP_BLOCKED;
    if (link.drop > 0 && this.random(key).nextFloat() < link.drop) return DROP_RANDOM;
    const copies = link.duplicate > 0 && this.random(key).nextFloat() < link.duplicate ? 2 : 1;
    const delayMs = link.delayMs + net.delayMs;
    const jitterMs = link.jitterMs + net.jitterMs;
    if (delayMs === 0 && jitterMs === 0) return copies === 1 ? DELIVER_NOW : { action: 'deliver', delays: [0, 0] };
    const delays: number[] = [];
    for (let i = 0; i < copies; i++) {
      delays.push(delayMs + (jitterMs > 0 ? this.random(key).nextFloat() * jitterMs : 0));
    }
    return { action: 'deliver', delays };
  }

  private random(key: number): SeededRng {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new SeededRng(deriveSeed(this.seed, key));
      this.streams.set(key, stream);
    }
    return stream;
  }
}
