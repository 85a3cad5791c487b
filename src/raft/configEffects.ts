/**
 * What a change of the configuration in effect does (§6: "a server always uses the latest
 * configuration in its log, regardless of whether the entry is committed"): announce it, and on
 * a leader replicate to exactly its members and re-evaluate quorums at the end of the step.
 */
import { copyConfig } from './membership';
import { abortTransfer } from './transfer';
import type { RaftState } from './state';
import type { NodeId } from './types';

/** Is a membership change still under way? (one at a time, §6) */
export function configChangeInProgress(s: RaftState): boolean {
  const c = s.configs.current;
  return c.joint || c.index > s.commit;
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
 * The configuration in effect changed (appended, truncated away, or installed by a snapshot):
 * announce it, and on a leader start or stop replicating to the peers involved.
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
