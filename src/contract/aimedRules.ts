/**
 * Aimed link rules (issue 11 item 5, docs/aimed-faults.md): faults that act on chosen peer
 * messages rather than on a random share of a link's traffic. "Drop the third AppendEntries
 * to node 2", "delay every vote request of term 5 by 200 ms", "hold the first heartbeat".
 *
 * A rule acts at one end of the link: `out` at the sender (before the wire, so a dropped
 * message never travels), `in` at the receiver (before the core steps it). Which messages it
 * takes is a MessageMatch (src/contract/messageMatch.ts) plus an Occurrence counted per rule
 * from when the rules were set. A node's aimed rules are consulted before its plain link rules
 * (src/contract/control.ts LinkRuleSchema), and the first matching rule wins.
 *
 * Declared once (docs/contracts.md): the control command `setAimedRules`, the `faultRules`
 * telemetry event and the lab's `aimed` fault (src/contract/faults.ts) use these shapes.
 */
import * as v from 'valibot';
import { LIMITS } from './limits';
import { MessageMatchSchema, OccurrenceSchema } from './messageMatch';
import { arrayOf, checker, decoder, literal, numberIn, object, tagged, uint, variantCase, type Decoded } from './schemaKit';

export const AIMED_ACTIONS = ['drop', 'delay', 'duplicate', 'hold'] as const;
export type AimedActionKind = (typeof AIMED_ACTIONS)[number];

/**
 * What a rule does to a message it takes: drop it, deliver it `ms` later, deliver it twice,
 * or hold it in the node's debugger hold queue (docs/debugger.md) until the user releases it.
 */
export const AimedActionSchema = tagged('kind', [
  variantCase({ kind: v.literal('drop') }),
  variantCase({ kind: v.literal('delay'), ms: numberIn(LIMITS.linkDelayMs.min, LIMITS.linkDelayMs.max) }),
  variantCase({ kind: v.literal('duplicate') }),
  variantCase({ kind: v.literal('hold') }),
]);
export type AimedAction = Decoded<typeof AimedActionSchema>;

export const AimedRuleSchema = object({
  /** in: at the receiver; out: at the sender. */
  direction: literal('in', 'out'),
  match: MessageMatchSchema,
  /** Absent: every matching message. */
  occurrence: v.optional(OccurrenceSchema),
  action: AimedActionSchema,
});
export type AimedRule = Decoded<typeof AimedRuleSchema>;

export const AimedRulesSchema = arrayOf(AimedRuleSchema, LIMITS.aimedRules);

/** One rule in force as a node reports it: the rule, how many messages it matched, how many it acted on. */
export const AimedRuleStateSchema = object({ rule: AimedRuleSchema, matched: uint, hits: uint });
export type AimedRuleState = Decoded<typeof AimedRuleStateSchema>;
export const AimedRuleStatesSchema = arrayOf(AimedRuleStateSchema, LIMITS.aimedRules);

export const checkAimedRule = checker(AimedRuleSchema);
export const checkAimedRules = checker(AimedRulesSchema);
export const validateAimedRules = decoder(AimedRulesSchema);
