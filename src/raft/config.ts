import { RaftConfigError } from './errors';
import type { RaftConfig } from './types';

const isPositiveInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

/**
 * Checks every rule a `RaftConfig` must satisfy and throws one `RaftConfigError` listing
 * all the broken ones (so a user fixes them in one go).
 *
 * - election timeouts: 1 <= electionTicksMin < electionTicksMax (randomized in between, §5.2)
 * - 1 <= heartbeatTicks <= electionTicksMin / 2 (heartbeats must arrive well within a timeout, §5.6)
 * - maxEntriesPerMsg, maxBytesPerMsg, maxInflight > 0; snapshotThreshold >= 0
 * - id a positive integer; initialVoters positive integers without duplicates; seed an integer
 */
export function validateRaftConfig(config: RaftConfig): void {
  const problems: string[] = [];
  if (config === null || typeof config !== 'object') throw new RaftConfigError(['config must be an object']);
  const c = config;
  if (!isPositiveInt(c.id)) problems.push(`id must be a positive integer (got ${String(c.id)})`);
  if (!Array.isArray(c.initialVoters)) {
    problems.push('initialVoters must be an array of node ids ([] for a joining node)');
  } else {
    const seen = new Set<number>();
    for (const v of c.initialVoters) {
      if (!isPositiveInt(v)) problems.push(`initialVoters must hold positive integers (got ${String(v)})`);
      else if (seen.has(v)) problems.push(`initialVoters lists node ${v} twice`);
      seen.add(v);
    }
  }
  if (!Number.isSafeInteger(c.electionTicksMin) || c.electionTicksMin < 1) {
    problems.push(`electionTicksMin must be an integer >= 1 (got ${String(c.electionTicksMin)})`);
  }
  if (!Number.isSafeInteger(c.electionTicksMax) || !(c.electionTicksMax > c.electionTicksMin)) {
    problems.push(
      `electionTicksMax must be an integer greater than electionTicksMin (got ${String(c.electionTicksMax)} <= ${String(c.electionTicksMin)})`,
    );
  }
  if (!Number.isSafeInteger(c.heartbeatTicks) || c.heartbeatTicks < 1) {
    problems.push(`heartbeatTicks must be an integer >= 1 (got ${String(c.heartbeatTicks)})`);
  } else if (c.heartbeatTicks > c.electionTicksMin / 2) {
    problems.push(
      `heartbeatTicks must be at most electionTicksMin / 2 so followers hear a leader before timing out (got ${c.heartbeatTicks} > ${String(c.electionTicksMin)} / 2)`,
    );
  }
  if (typeof c.preVote !== 'boolean') problems.push('preVote must be a boolean');
  if (typeof c.checkQuorum !== 'boolean') problems.push('checkQuorum must be a boolean');
  if (!isPositiveInt(c.maxEntriesPerMsg)) problems.push(`maxEntriesPerMsg must be a positive integer (got ${String(c.maxEntriesPerMsg)})`);
  if (!(typeof c.maxBytesPerMsg === 'number' && c.maxBytesPerMsg > 0)) {
    problems.push(`maxBytesPerMsg must be > 0 (got ${String(c.maxBytesPerMsg)})`);
  }
  if (!isPositiveInt(c.maxInflight)) problems.push(`maxInflight must be a positive integer (got ${String(c.maxInflight)})`);
  if (!Number.isSafeInteger(c.snapshotThreshold) || c.snapshotThreshold < 0) {
    problems.push(`snapshotThreshold must be an integer >= 0 (0 disables snapshots; got ${String(c.snapshotThreshold)})`);
  }
  if (!Number.isSafeInteger(c.seed)) problems.push(`seed must be an integer (got ${String(c.seed)})`);
  if (problems.length > 0) throw new RaftConfigError(problems);
}
