/**
 * The breakpoint form's draft and its translation to and from the lab's Breakpoints
 * (src/contract/debug.ts): each condition has an on/off box and its number or message match.
 */
import type { Breakpoints } from '../../../../src/contract/debug';
import type { MessageMatch } from '../../../../src/contract/messageMatch';
import type { MessageType } from '../../../../src/contract/labApiTimeTravel';
import { MESSAGE_LABELS } from '../../../../src/analysis/legend';

export interface MatchDraft {
  on: boolean;
  /** Empty: any type. */
  types: MessageType[];
  /** null: any node. */
  from: number | null;
  to: number | null;
}

export interface BreakpointDraft {
  roleChange: boolean;
  termAbove: { on: boolean; n: number };
  commitAtLeast: { on: boolean; k: number };
  receive: MatchDraft;
  send: MatchDraft;
  nodeKilled: boolean;
  violation: boolean;
}

function matchDraft(m: MessageMatch | undefined): MatchDraft {
  return { on: m !== undefined, types: [...(m?.types ?? [])], from: m?.from ?? null, to: m?.to ?? null };
}

export function draftOf(b: Breakpoints): BreakpointDraft {
  return {
    roleChange: b.roleChange ?? false,
    termAbove: { on: b.termAbove !== undefined, n: b.termAbove ?? 5 },
    commitAtLeast: { on: b.commitAtLeast !== undefined, k: b.commitAtLeast ?? 10 },
    receive: matchDraft(b.receive),
    send: matchDraft(b.send),
    nodeKilled: b.nodeKilled ?? false,
    violation: b.violation ?? false,
  };
}

function matchOf(d: MatchDraft): MessageMatch {
  const m: MessageMatch = {};
  if (d.types.length > 0) m.types = [...d.types];
  if (d.from !== null) m.from = d.from;
  if (d.to !== null) m.to = d.to;
  return m;
}

/** The first problem of a draft, in words; null when it can be set. */
export function draftProblem(d: BreakpointDraft): string | null {
  if (d.termAbove.on && !(Number.isInteger(d.termAbove.n) && d.termAbove.n >= 0)) return 'Term above: a whole number, 0 or more.';
  if (d.commitAtLeast.on && !(Number.isInteger(d.commitAtLeast.k) && d.commitAtLeast.k >= 0)) return 'Commit index: a whole number, 0 or more.';
  return null;
}

export function breakpointsOf(d: BreakpointDraft): Breakpoints {
  const b: Breakpoints = {};
  if (d.roleChange) b.roleChange = true;
  if (d.termAbove.on) b.termAbove = d.termAbove.n;
  if (d.commitAtLeast.on) b.commitAtLeast = d.commitAtLeast.k;
  if (d.receive.on) b.receive = matchOf(d.receive);
  if (d.send.on) b.send = matchOf(d.send);
  if (d.nodeKilled) b.nodeKilled = true;
  if (d.violation) b.violation = true;
  return b;
}

function matchWords(m: MessageMatch): string {
  const types = m.types?.map((t) => MESSAGE_LABELS[t]).join(' or ') ?? 'any message';
  return `${types}${m.from !== undefined ? ` from node ${m.from}` : ''}${m.to !== undefined ? ` to node ${m.to}` : ''}`;
}

/** The breakpoints in force, in words ("none" when there are none). */
export function breakpointWords(b: Breakpoints): string {
  const parts: string[] = [];
  if (b.roleChange) parts.push('a role change');
  if (b.termAbove !== undefined) parts.push(`a term above ${b.termAbove}`);
  if (b.commitAtLeast !== undefined) parts.push(`the commit index reaching ${b.commitAtLeast}`);
  if (b.receive) parts.push(`receiving ${matchWords(b.receive)}`);
  if (b.send) parts.push(`sending ${matchWords(b.send)}`);
  if (b.nodeKilled) parts.push('a node killed');
  if (b.violation) parts.push('a safety violation');
  return parts.length === 0 ? 'none' : parts.join('; ');
}
