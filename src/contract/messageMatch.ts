/**
 * Which peer messages a rule or a breakpoint is about (issue 11: aimed faults and "break when a
 * message of a chosen type is sent or received"). Declared once here so the aimed link rules
 * (src/contract/aimedRules.ts), the debugger's breakpoints (src/contract/debug.ts), scenarios
 * and the app all mean the same thing by "the AppendEntries of term 3 carrying index 5".
 *
 * A match is a conjunction: every field given must hold; an empty match matches every message.
 * What "index" means depends on the message type (`messageIndexRange`).
 */
import * as v from 'valibot';
import type { Message } from '../raft/types';
import { MESSAGE_TYPES } from './labApiTimeTravel';
import { arrayOf, bool, checker, intIn, literal, nodeId, object, tagged, uint, variantCase, type Decoded } from './schemaKit';

export const messageType = literal(...MESSAGE_TYPES);

export const MessageMatchSchema = object({
  /** Message types (src/raft/types.ts Message['type']); absent: any type. */
  types: v.optional(arrayOf(messageType, MESSAGE_TYPES.length, 1)),
  /** Sender; absent: any. */
  from: v.optional(nodeId),
  /** Receiver; absent: any. */
  to: v.optional(nodeId),
  /** Inclusive term range of the message's term. */
  termMin: v.optional(uint),
  termMax: v.optional(uint),
  /** Inclusive range that must overlap the message's index range (messageIndexRange). */
  indexMin: v.optional(uint),
  indexMax: v.optional(uint),
  /**
   * true: only AppendEntries that carry entries; false: only those that carry none (a probe or
   * a commit update, §5.3). Other message types never match it. Absent: either.
   */
  hasEntries: v.optional(bool),
});
export type MessageMatch = Decoded<typeof MessageMatchSchema>;

/**
 * Which of the matching messages a rule acts on, counted per rule from when it was set:
 * the nth one only, every kth one (k, 2k, ...), or the first k. Absent: every matching message.
 */
export const OccurrenceSchema = tagged('kind', [
  variantCase({ kind: v.literal('nth'), n: intIn(1, 1_000_000_000) }),
  variantCase({ kind: v.literal('every'), k: intIn(1, 1_000_000_000) }),
  variantCase({ kind: v.literal('first'), k: intIn(1, 1_000_000_000) }),
]);
export type Occurrence = Decoded<typeof OccurrenceSchema>;

export const checkMessageMatch = checker(MessageMatchSchema);
export const checkOccurrence = checker(OccurrenceSchema);

/**
 * The log indexes a message is about, for index matching: the entries an AppendEntries
 * carries (or its prevIndex when it carries none: a probe, §5.3), the match or reject index
 * of a reply, a vote request's last log index (§5.4.1), a snapshot's last included index (§7).
 * Heartbeats, their replies, vote replies and TimeoutNow carry no index: null.
 */
export function messageIndexRange(m: Message): [number, number] | null {
  switch (m.type) {
    case 'append':
      return m.entries.length > 0 ? [m.entries[0].index, m.entries[m.entries.length - 1].index] : [m.prevIndex, m.prevIndex];
    case 'appendResp': {
      const i = m.success ? m.matchIndex : m.rejectIndex;
      return [i, i];
    }
    case 'vote':
      return [m.lastLogIndex, m.lastLogIndex];
    case 'snapshot':
      return [m.snapshot.meta.index, m.snapshot.meta.index];
    default:
      return null;
  }
}

/** Whether `m` satisfies every field of `match`. Pure. */
export function messageMatches(match: MessageMatch, m: Message): boolean {
  if (match.types && !match.types.includes(m.type)) return false;
  if (match.from !== undefined && match.from !== m.from) return false;
  if (match.to !== undefined && match.to !== m.to) return false;
  if (match.termMin !== undefined && m.term < match.termMin) return false;
  if (match.termMax !== undefined && m.term > match.termMax) return false;
  if (match.hasEntries !== undefined && (m.type !== 'append' || m.entries.length > 0 !== match.hasEntries)) return false;
  if (match.indexMin !== undefined || match.indexMax !== undefined) {
    const range = messageIndexRange(m);
    if (!range) return false;
    if (match.indexMin !== undefined && range[1] < match.indexMin) return false;
    if (match.indexMax !== undefined && range[0] > match.indexMax) return false;
  }
  return true;
}

/**
 * Whether the `count`th matching message (1-based, counted by the rule) is acted on.
 */
export function occurrenceSelects(occurrence: Occurrence | undefined, count: number): boolean {
  if (!occurrence) return true;
  switch (occurrence.kind) {
    case 'nth':
      return count === occurrence.n;
    case 'every':
      return count % occurrence.k === 0;
    case 'first':
      return count <= occurrence.k;
  }
}
