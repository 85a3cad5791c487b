/**
 * The lab's aimed fault (issue 11 item 5, docs/aimed-faults.md): the `aimed` case of a
 * FaultSpec (faults.ts), as the lab API, scenario steps and the recorded run carry it.
 *
 * It names a directed link (`from` sends, `to` receives), which of that link's messages to
 * act on (`match`: types, term and index ranges; `occurrence`: the nth, every kth, the first
 * k) and the action. The lab turns it into one aimed rule (src/contract/aimedRules.ts) on one
 * node: at the sender ('out', the default: a dropped message never reaches the wire) or at
 * the receiver ('in': the message travels, then is taken before the receiver's core steps it).
 *
 * `from` and `to` may be words resolved when the fault is applied ("leader"; "random": a
 * seeded-random node, for `to` one other than `from`); the recorded fault holds the ids.
 */
import * as v from 'valibot';
import { AIMED_ACTIONS } from './aimedRules';
import { MAX_LINK_DELAY_MS, MAX_NODE_ID, nodeId, say, strictCase, trueOrFalse, wholeNumber } from './labApiFields';
import { MESSAGE_TYPES } from './labApiTimeTravel';
import { FIELD } from './schemaKit';

const MAX_COUNT = 1_000_000_000;
const MAX_TERM_OR_INDEX = Number.MAX_SAFE_INTEGER;

const end = v.union([v.picklist(['leader', 'random']), nodeId()], say(`${FIELD} must be a node id (a whole number from 1 to ${MAX_NODE_ID}), "leader" or "random"`));
const messageType = v.picklist(MESSAGE_TYPES, say(`${FIELD} must be one of ${MESSAGE_TYPES.join(', ')}`));
const bound = v.optional(wholeNumber(0, MAX_TERM_OR_INDEX));

/** Which of the link's messages: every field given must hold (src/contract/messageMatch.ts messageMatches). */
export const AimedMatchSchema = strictCase({
  types: v.optional(v.pipe(v.array(messageType, say(`${FIELD} must be a list of message types`)), v.minLength(1, say(`${FIELD} must name at least one message type`)))),
  termMin: bound,
  termMax: bound,
  indexMin: bound,
  indexMax: bound,
  /** true: only AppendEntries carrying entries (a lost one leaves a gap, §5.3); false: only empty ones. */
  hasEntries: v.optional(trueOrFalse),
});

const count = wholeNumber(1, MAX_COUNT);
/** Same shapes as the node's OccurrenceSchema (messageMatch.ts), with the lab API's sentences. */
const occurrence = v.variant(
  'kind',
  [strictCase({ kind: v.literal('nth'), n: count }), strictCase({ kind: v.literal('every'), k: count }), strictCase({ kind: v.literal('first'), k: count })],
  say(`${FIELD}.kind must be nth, every or first`),
);

const action = v.variant(
  'kind',
  [
    strictCase({ kind: v.literal('drop') }),
    strictCase({ kind: v.literal('delay'), ms: wholeNumber(0, MAX_LINK_DELAY_MS) }),
    strictCase({ kind: v.literal('duplicate') }),
    strictCase({ kind: v.literal('hold') }),
  ],
  say(`${FIELD}.kind must be one of ${AIMED_ACTIONS.join(', ')}`),
);

/** The aimed fault's fields (faults.ts FAULT_CASES.aimed adds `kind: 'aimed'`). */
export const AIMED_FAULT_ENTRIES = {
  from: end,
  to: end,
  /** sender (default) or receiver: which end of the link takes the message. */
  side: v.optional(v.picklist(['sender', 'receiver'], say(`${FIELD} must be sender or receiver`))),
  match: v.optional(AimedMatchSchema),
  /** Absent: every matching message. */
  occurrence: v.optional(occurrence),
  action,
};

type AimedFields = {
  from: number | string;
  to: number | string;
  match?: { termMin?: number; termMax?: number; indexMin?: number; indexMax?: number };
};

/** What is wrong with an aimed fault's combination of fields, if anything. */
export function aimedProblem(f: AimedFields): string | undefined {
  if (typeof f.from === 'number' && f.from === f.to) return `${FIELD}: from and to must be different nodes`;
  if (f.from === 'leader' && f.to === 'leader') return `${FIELD}: from and to cannot both be the leader`;
  const m = f.match;
  if (m?.termMin !== undefined && m.termMax !== undefined && m.termMin > m.termMax) return `${FIELD}.match: termMin is above termMax`;
  if (m?.indexMin !== undefined && m.indexMax !== undefined && m.indexMin > m.indexMax) return `${FIELD}.match: indexMin is above indexMax`;
  return undefined;
}
