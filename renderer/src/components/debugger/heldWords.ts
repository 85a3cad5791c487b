/** A held message in the user's words, for buttons' accessible names and the diagram's list. */
import type { HeldMessage } from '../../../../src/contract/debug';
import { MESSAGE_LABELS } from '../../../../src/analysis/legend';

export function heldWords(h: Pick<HeldMessage, 'type' | 'from' | 'to' | 'term' | 'hold'>): string {
  const label = MESSAGE_LABELS[h.type as keyof typeof MESSAGE_LABELS] ?? h.type;
  return `${label} ${h.from}→${h.to} term ${h.term} (${h.hold})`;
}
