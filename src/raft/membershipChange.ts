/**
 * Membership changes by joint consensus on the leader (§6): C_old -> C_old,new -> C_new, each
 * step an ordinary log entry that takes effect when appended. (What a configuration in effect
 * does is in configEffects.ts; the removed leader's step-down is an end-of-step reaction.)
 */
import { configChangeInProgress } from './configEffects';
import { appendToLog } from './logAppend';
import { sameVoters } from './membership';
import { bcastAppend } from './send';
import type { RaftState } from './state';
import type { Entry, NodeId, RequestId } from './types';

const NO_DATA = new Uint8Array(0);

/** Why a voter list cannot be a configuration, or null when it can. */
export function voterListProblem(voters: unknown): string | null {
  if (!Array.isArray(voters) || voters.length === 0) return 'voters must be a non-empty array of node ids';
  const seen = new Set<number>();
  for (const v of voters) {
    if (!Number.isSafeInteger(v) || (v as number) <= 0) return `voters must be positive integers (got ${String(v)})`;
    if (seen.has(v as number)) return `voters lists node ${String(v)} twice`;
    seen.add(v as number);
  }
  return null;
}

/**
 * Admin request on the leader: move to `voters` by appending C_old,new (§6). The leader
 * appends C_new by itself once C_old,new commits (see maybeLeaveJoint).
 */
export function handleChangeMembership(s: RaftState, id: RequestId, voters: NodeId[]): void {
  if (s.role !== 'leader') {
    s.fail(id, 'admin', { code: 'not_leader', leader: s.leader });
    return;
  }
  if (s.transferTarget !== null) {
    s.fail(id, 'admin', { code: 'transfer_in_progress', leader: s.id });
    return;
  }
  const problem = voterListProblem(voters);
  if (problem !== null) {
    s.fail(id, 'admin', { code: 'invalid_request', message: problem });
    return;
  }
  if (configChangeInProgress(s)) {
    s.fail(id, 'admin', { code: 'config_change_in_progress', leader: s.id });
    return;
  }
  const current = s.configs.current;
  if (sameVoters(current.voters, voters)) {
    s.fail(id, 'admin', { code: 'invalid_request', message: `voters are already [${current.voters.join(', ')}]` });
    return;
  }
  const entry: Entry = {
    index: s.log.lastIndex() + 1,
    term: s.term,
    kind: 'config',
    data: NO_DATA,
    config: { voters: [...voters].sort((a, b) => a - b), outgoing: [...current.voters] },
  };
  appendToLog(s, [entry]);
  s.result({ type: 'admin', id });
  bcastAppend(s, false);
}

/** Leader, once C_old,new is committed: append C_new (§6). */
export function maybeLeaveJoint(s: RaftState): void {
  if (s.role !== 'leader') return;
  const c = s.configs.current;
  if (!c.joint || c.index > s.commit) return;
  const entry: Entry = {
    index: s.log.lastIndex() + 1,
    term: s.term,
    kind: 'config',
    data: NO_DATA,
    config: { voters: [...c.voters] },
  };
  appendToLog(s, [entry]);
  bcastAppend(s, false);
}
