/**
 * The pure half of aimed faults (src/contract/aimedRules.ts, docs/aimed-faults.md): which rule,
 * if any, takes a message. No timers and no I/O, so it is unit-tested on its own; the
 * FaultInjector (faultInjector.ts) carries the decision out.
 *
 * Each rule counts the messages it matched since the rules were set (setRules restarts every
 * count at 0: "the third AppendEntries" means the third after the rule arrived). Rules are
 * tried in order and the first whose match holds decides: its count goes up, and if its
 * occurrence selects that count the rule acts; otherwise the message goes on to the plain
 * link rules as if no aimed rule existed. Later rules do not see (or count) a message an
 * earlier rule matched, so a list reads top to bottom like a firewall's.
 */
import { validateAimedRules, type AimedAction, type AimedRule, type AimedRuleState } from '../../contract/aimedRules';
import { messageMatches, occurrenceSelects } from '../../contract/messageMatch';
import type { Message } from '../../raft/types';
import type { Direction } from './faultPlan';

export interface AimedDecision {
  action: AimedAction;
  /** 1-based position of the rule in the list. */
  rule: number;
  /** The rule's count of matching messages, this one included. */
  count: number;
  /** For the journal's Dropped record and logs: "aimed rule 1: drop (nth 3)". */
  reason: string;
}

export class AimedRules {
  private current: readonly AimedRule[] = [];
  private matched: number[] = [];
  private hits: number[] = [];

  /**
   * Replaces every rule at once and restarts every count (an empty list clears them).
   * Validates first and throws a RangeError naming the problem, leaving the old rules.
   */
  setRules(rules: readonly AimedRule[]): void {
    const checked = validateAimedRules(rules);
    if (!checked.ok) throw new RangeError(`invalid aimed rules: ${checked.error}`);
    this.current = checked.value;
    this.matched = rules.map(() => 0);
    this.hits = rules.map(() => 0);
  }

  get rules(): readonly AimedRule[] {
    return this.current;
  }

  get active(): boolean {
    return this.current.length > 0;
  }

  /** The rules with their counts, as the `faultRules` telemetry event reports them. */
  states(): AimedRuleState[] {
    return this.current.map((rule, i) => ({ rule, matched: this.matched[i], hits: this.hits[i] }));
  }

  /** The decision for one message, or null when no rule acts on it (counts the match either way). */
  decide(direction: Direction, message: Message): AimedDecision | null {
    for (let i = 0; i < this.current.length; i++) {
      const rule = this.current[i];
      if (rule.direction !== direction || !messageMatches(rule.match, message)) continue;
      const count = ++this.matched[i];
      if (!occurrenceSelects(rule.occurrence, count)) return null;
      this.hits[i]++;
      return { action: rule.action, rule: i + 1, count, reason: `aimed rule ${i + 1}: ${actionText(rule.action)} (${occurrenceText(rule, count)})` };
    }
    return null;
  }
}

function actionText(a: AimedAction): string {
  return a.kind === 'delay' ? `delay ${a.ms} ms` : a.kind;
}

function occurrenceText(rule: AimedRule, count: number): string {
  const o = rule.occurrence;
  if (!o) return `match ${count}`;
  return o.kind === 'nth' ? `nth ${o.n}` : o.kind === 'every' ? `every ${o.k}th, match ${count}` : `first ${o.k}, match ${count}`;
}
