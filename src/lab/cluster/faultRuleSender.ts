/**
 * Carries the fault rules in force (a FaultPlan: link rules, timer rates, fsync delays) to
 * the nodes: after a change, to a node that (re)started with none, to a node that was
 * paused while they changed, and back to normal on heal. Deciding and recording faults is
 * the fault controller's job (faultController.ts); this only sends.
 */
import type { NodeId } from '../../raft/types';
import type { FaultPlan } from '../faultPlan';
import type { NodeFleet } from './nodeFleet';

export interface FaultRuleSenderDeps {
  fleet: NodeFleet;
  /** The cluster's nodes now (members, whatever their process state). */
  nodes: () => NodeId[];
  warn: (node: NodeId, message: string) => void;
}

export class FaultRuleSender {
  constructor(
    private readonly plan: FaultPlan,
    private readonly deps: FaultRuleSenderDeps,
  ) {}

  /** Sends each reachable node its link rules; the fault takes effect when every node has acked. */
  async pushNetworkRules(): Promise<void> {
    const { fleet } = this.deps;
    const sends = this.deps.nodes().filter((id) => fleet.isReachable(id));
    await Promise.all(sends.map((id) => fleet.control(id, { cmd: 'setLinkRules', rules: this.plan.rulesFor(id) })));
  }

  /**
   * Sends `nodes` (those whose aimed rules changed) their aimed rules. Only them: a node's
   * rules count occurrences from when they were set, so resending unchanged rules would
   * restart "the third AppendEntries" from zero.
   */
  async pushAimedRules(nodes: readonly NodeId[]): Promise<void> {
    const { fleet } = this.deps;
    const sends = [...new Set(nodes)].filter((id) => fleet.isReachable(id));
    await Promise.all(sends.map((id) => fleet.control(id, { cmd: 'setAimedRules', rules: this.plan.aimedRulesFor(id) })));
  }

  /**
   * A (re)started node has no rules: give it those in force. Its aimed rules' counts start
   * again from zero (the new process has seen no messages; docs/aimed-faults.md).
   */
  restoreRules(node: NodeId): void {
    const { fleet } = this.deps;
    const aimed = this.plan.aimedRulesFor(node);
    const rules = this.plan.rulesFor(node);
    const rate = this.plan.timerRates.get(node);
    const delay = this.plan.fsyncDelays.get(node);
    const sends: Promise<unknown>[] = [];
    if (rules.length > 0) sends.push(fleet.control(node, { cmd: 'setLinkRules', rules }));
    if (aimed.length > 0) sends.push(fleet.control(node, { cmd: 'setAimedRules', rules: aimed }));
    if (rate !== undefined) sends.push(fleet.control(node, { cmd: 'setTimerRate', factor: rate }));
    if (delay !== undefined) sends.push(fleet.control(node, { cmd: 'setFsyncDelay', ms: delay }));
    Promise.all(sends).catch((err: Error) => this.deps.warn(node, `could not restore fault rules: ${err.message}`));
  }

  /**
   * A resumed node: rules that changed while it was stopped never reached it
   * (pushNetworkRules skips paused nodes), so a heal in the meantime would leave it cut off
   * for good. Send everything in force, defaults included. Aimed rules too (their counts
   * restart: the lab cannot tell whether they changed while the node was stopped).
   */
  resendAfterResume(node: NodeId): void {
    const { fleet } = this.deps;
    const sends = [
      fleet.control(node, { cmd: 'setLinkRules', rules: this.plan.rulesFor(node) }),
      fleet.control(node, { cmd: 'setAimedRules', rules: this.plan.aimedRulesFor(node) }),
      fleet.control(node, { cmd: 'setTimerRate', factor: this.plan.timerRates.get(node) ?? 1 }),
      fleet.control(node, { cmd: 'setFsyncDelay', ms: this.plan.fsyncDelays.get(node) ?? 0 }),
      // Slow motion is not a fault, but a speed change while the node was stopped never reached it either.
      fleet.control(node, { cmd: 'setSpeed', speed: fleet.speed }),
    ];
    // Reported as a warning, not a process event: the node may be gone by then.
    Promise.all(sends).catch((err: Error) => this.deps.warn(node, `could not restore fault rules after resume: ${err.message}`));
  }

  /** Puts every slowed clock and disk back to normal and forgets them (a node that fails is warned about). */
  async resetClocksAndDisks(): Promise<void> {
    const { fleet } = this.deps;
    for (const [node] of this.plan.timerRates) {
      await fleet.control(node, { cmd: 'setTimerRate', factor: 1 }).catch((err: Error) => this.deps.warn(node, `could not reset its clock rate: ${err.message}`));
    }
    for (const [node] of this.plan.fsyncDelays) {
      await fleet.control(node, { cmd: 'setFsyncDelay', ms: 0 }).catch((err: Error) => this.deps.warn(node, `could not reset its fsync delay: ${err.message}`));
    }
    this.plan.timerRates.clear();
    this.plan.fsyncDelays.clear();
  }
}
