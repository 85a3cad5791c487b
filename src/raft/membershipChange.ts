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

/** Why a learner list cannot go with `voters`, or null when it can (thesis §4.2.1). */
export function learnerListProblem(learners: unknown, voters: readonly NodeId[]): string | null {
  if (!Array.isArray(learners)) return 'learners must be an array of node ids';
  const seen = new Set<number>();
  for (const v of learners) {
    if (!Number.isSafeInteger(v) || (v as number) <= 0) return `learners must be positive integers (got ${String(v)})`;
    if (seen.has(v as number)) return `learners lists node ${String(v)} twice`;
    if (voters.includes(v as number)) return `node ${String(v)} cannot be both a voter and a learner`;
    seen.add(v as number);
  }
  return null;
}

const ascending = (a: number, b: number): number => a - b;

/**
 * Admin request on the leader: move to `voters` by appending C_old,new (§6). The leader
 * appends C_new by itself once C_old,new commits (see maybeLeaveJoint).
 *
 * Learners (thesis §4.2.1): `learners` is the new learner set (absent: the current learners
 * that do not become voters). A change of learners alone is a single entry, since learners
 * count in no quorum and so no two majorities can disagree. Promoting a learner is an ordinary
 * voter change. Demoting a voter straight to a learner is refused: remove it first (etcd needs
 * a separate "learners next" set for that; one rule less here).
 */
export function handleChangeMembership(s: RaftState, id: RequestId, voters: NodeId[], learners?: NodeId[]): void {
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
  const nextLearners = learners ?? current.learners.filter((l) => !voters.includes(l));
  const learnerProblem = learnerListProblem(nextLearners, voters);
  if (learnerProblem !== null) {
    s.fail(id, 'admin', { code: 'invalid_request', message: learnerProblem });
    return;
  }
  const demoted = nextLearners.find((l) => current.voters.includes(l));
  if (demoted !== undefined) {
    s.fail(id, 'admin', { code: 'invalid_request', message: `node ${demoted} is a voter: remove it before adding it back as a learner` });
    return;
  }
  const sortedLearners = [...nextLearners].sort(ascending);
  const learnerField = sortedLearners.length > 0 ? { learners: sortedLearners } : {};
  const votersSame = sameVoters(current.voters, voters);
  if (votersSame && sameVoters(current.learners, sortedLearners)) {
    s.fail(id, 'admin', {
      code: 'invalid_request',
      message: `voters are already [${current.voters.join(', ')}] and learners [${current.learners.join(', ')}]`,
    });
    return;
  }
  const entry: Entry = {
    index: s.log.lastIndex() + 1,
    term: s.term,
    kind: 'config',
    data: NO_DATA,
    config: votersSame
      ? { voters: [...current.voters], ...learnerField }
      : { voters: [...voters].sort(ascending), outgoing: [...current.voters], ...learnerField },
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
    config: c.learners.length > 0 ? { voters: [...c.voters], learners: [...c.learners] } : { voters: [...c.voters] },
  };
  appendToLog(s, [entry]);
  bcastAppend(s, false);
}
