/**
 * Reads and checks a node process's configuration (the JSON file the lab writes), and
 * turns its millisecond timings into the core's logical ticks.
 */
import { readFileSync } from 'node:fs';
import type { NodeProcessConfig } from '../contract/nodeConfig';
import type { RaftConfig } from '../raft/types';

export class NodeConfigError extends Error {}

const REQUIRED_NUMBERS: Array<keyof NodeProcessConfig> = [
  'id', 'tickMs', 'electionTimeoutMinMs', 'electionTimeoutMaxMs', 'heartbeatMs', 'maxEntriesPerMsg',
  'maxBytesPerMsg', 'maxInflight', 'snapshotThreshold', 'seed', 'metricsIntervalMs', 'maxFrameBytes',
];
const REQUIRED_STRINGS: Array<keyof NodeProcessConfig> = ['clusterId', 'dataDir', 'peerAddress', 'clientAddress', 'controlAddress', 'telemetryAddress'];

export function parseNodeConfig(text: string, source: string): NodeProcessConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new NodeConfigError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new NodeConfigError(`${source}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of REQUIRED_NUMBERS) if (typeof c[k] !== 'number' || !Number.isFinite(c[k])) problems.push(`${k} must be a number`);
  for (const k of REQUIRED_STRINGS) if (typeof c[k] !== 'string' || (c[k] as string).length === 0) problems.push(`${k} must be a non-empty string`);
  for (const k of ['preVote', 'checkQuorum'] as const) if (typeof c[k] !== 'boolean') problems.push(`${k} must be true or false`);
  if (c.fsync !== 'always' && c.fsync !== 'never') problems.push('fsync must be "always" or "never"');
  if (!Array.isArray(c.initialVoters) || !c.initialVoters.every((v) => Number.isInteger(v) && v > 0)) problems.push('initialVoters must be a list of node ids');
  if (typeof c.peers !== 'object' || c.peers === null) problems.push('peers must map node ids to addresses');
  else {
    for (const [id, p] of Object.entries(c.peers as Record<string, unknown>)) {
      const a = p as Record<string, unknown> | null;
      if (!/^[1-9]\d*$/.test(id) || typeof a?.peerAddress !== 'string' || typeof a?.clientAddress !== 'string') {
        problems.push(`peers.${id} must have peerAddress and clientAddress`);
      }
    }
  }
  if (typeof c.tickMs === 'number' && c.tickMs < 1) problems.push('tickMs must be at least 1');
  if (problems.length > 0) throw new NodeConfigError(`${source}: ${problems.join('; ')}`);
  return c as unknown as NodeProcessConfig;
}

export function readNodeConfig(path: string): NodeProcessConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new NodeConfigError(`cannot read node config ${path}: ${(err as Error).message}`);
  }
  return parseNodeConfig(text, path);
}

/** Milliseconds to ticks, never below one tick. */
function ticks(ms: number, tickMs: number): number {
  return Math.max(1, Math.round(ms / tickMs));
}

export function raftConfigOf(c: NodeProcessConfig): RaftConfig {
  const electionTicksMin = ticks(c.electionTimeoutMinMs, c.tickMs);
  return {
    id: c.id,
    initialVoters: c.initialVoters,
    electionTicksMin,
    // [min, max) is half-open: max must exceed min by at least one tick.
    electionTicksMax: Math.max(electionTicksMin + 1, ticks(c.electionTimeoutMaxMs, c.tickMs)),
    heartbeatTicks: Math.min(ticks(c.heartbeatMs, c.tickMs), Math.max(1, Math.floor(electionTicksMin / 2))),
    preVote: c.preVote,
    checkQuorum: c.checkQuorum,
    maxEntriesPerMsg: c.maxEntriesPerMsg,
    maxBytesPerMsg: c.maxBytesPerMsg,
    maxInflight: c.maxInflight,
    snapshotThreshold: c.snapshotThreshold,
    seed: c.seed,
  };
}
