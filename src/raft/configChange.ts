/**
 * Membership changes by joint consensus (§6): C_old -> C_old,new -> C_new, each step an
 * ordinary log entry that takes effect when appended.
 */
import { isMember, sameVoters, copyConfig } from './membership';
import { abortTransfer } from './transfer';
import { appendToLog, bcastAppend } from './replication';
import { becomeFollower } from './roles';
import type { RaftState } from './state';
import type { Entry, NodeId, RequestId } from './types';

const NO_DATA = new Uint8Array(0);

/** Is a membership change still under way? (one at a time, §6) */
export function configChangeInProgress(s: RaftState): boolean {
  const c = s.configs.current;
  return c.joint || c.index > s.commit;
}

function validVoters(voters: unknown): string | null {
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
  const problem = validVoters(voters);
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

/** Leader: once C_old,new is committed, append C_new (§6). */
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

/**
 * §6: "the leader ... steps down (returns to follower state) once it has committed the
 * C_new log entry" when it is not part of C_new. Until then it manages the cluster without
 * counting itself in majorities.
 */
export function maybeStepDownRemoved(s: RaftState): void {
  if (s.role !== 'leader') return;
  const c = s.configs.current;
  if (c.joint || c.index > s.commit || isMember(c.config, s.id)) return;
  becomeFollower(s, s.term, null);
}

/**
 * Who the leader replicates to: the members of the configuration in effect, and, until that
 * configuration's entry commits, the members of the one before it. A removed server thus
 * still receives the entry that removes it, and stops campaigning (§6 notes removed
 * servers can otherwise disrupt the cluster).
 */
export function replicationTargets(s: RaftState): readonly NodeId[] {
  const c = s.configs.current;
  const prev = s.configs.previous;
  if (prev === undefined || c.index <= s.commit) return c.peers;
  const extra = prev.peers.filter((id) => !c.peers.includes(id));
  return extra.length === 0 ? c.peers : [...c.peers, ...extra];
}

/** Leader: track exactly the replication targets (after a configuration change or commit). */
export function syncProgress(s: RaftState): void {
  const targets = replicationTargets(s);
  const ids = s.tracker.ids;
  if (ids.length === targets.length && targets.every((id) => ids.includes(id))) return;
  s.tracker.sync(targets, s.log.lastIndex());
}

/**
 * The configuration in effect changed (appended or truncated away): announce it, and on a
 * leader start or stop replicating to the peers involved.
 */
export function onConfigChanged(s: RaftState): void {
  announceConfig(s);
  applyConfigEffects(s);
}

/** Tell the lab which configuration is now in effect. */
export function announceConfig(s: RaftState): void {
  const c = s.configs.current;
  s.emit({ type: 'config', config: copyConfig(c.config), index: c.index });
}

/** On a leader: follow the configuration in effect with replication and quorums. */
export function applyConfigEffects(s: RaftState): void {
  const c = s.configs.current;
  if (s.role === 'leader') {
    syncProgress(s);
    if (s.transferTarget !== null && !c.voters.includes(s.transferTarget)) abortTransfer(s, 'target_removed');
    s.configDirty = true;
  }
}
