/**
 * Reads and checks a node process's configuration (one JSON line on stdin, or a JSON
 * file), and turns its millisecond timings into the core's logical ticks.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { NodeProcessConfig } from '../contract/nodeConfig';
import { LIMITS } from '../contract/validateCore';
import type { RaftConfig } from '../raft/types';
import { isZ85Key } from './transport/frameSeal';

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
  if (typeof c.maxEntriesPerMsg === 'number' && c.maxEntriesPerMsg > LIMITS.entriesPerMessage) {
    // Peers refuse larger AppendEntries before decoding them (FRAME_LIMITS in src/contract/codec.ts).
    problems.push(`maxEntriesPerMsg must be at most ${LIMITS.entriesPerMessage}`);
  }
  if (c.networkDelay !== undefined) {
    const d = c.networkDelay as Record<string, unknown> | null;
    const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
    if (typeof d !== 'object' || d === null || !ok(d.delayMs) || !ok(d.jitterMs)) problems.push('networkDelay must be { delayMs, jitterMs } in ms, each >= 0');
  }
  if (c.security !== undefined) problems.push(...securityProblems(c.security, c.peers));
  if (problems.length > 0) throw new NodeConfigError(`${source}: ${problems.join('; ')}`);
  return c as unknown as NodeProcessConfig;
}

/** What is wrong with a config's CURVE keys: well-formed keys for the node, the lab and every peer. */
function securityProblems(security: unknown, peers: unknown): string[] {
  const s = security as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return ['security must be an object of CURVE keys'];
  const problems: string[] = [];
  for (const k of ['publicKey', 'secretKey', 'labPublicKey']) if (!isZ85Key(s[k])) problems.push(`security.${k} must be a 40-character Z85 key`);
  if (typeof peers === 'object' && peers !== null) {
    for (const [id, p] of Object.entries(peers as Record<string, unknown>)) {
      if (!isZ85Key((p as Record<string, unknown> | null)?.publicKey)) problems.push(`peers.${id}.publicKey must be a 40-character Z85 key (CURVE is on)`);
    }
  }
  return problems;
}

/**
 * Reads the config from the first line of `input` (the lab writes one JSON line on the
 * node's stdin, which then stays open as the lab's lifeline, see main.ts). Rejects when
 * the stream ends first, the line exceeds `maxBytes`, or nothing arrives in `timeoutMs`.
 */
export function readNodeConfigLine(input: Readable, timeoutMs = 10_000, maxBytes = 1 << 20): Promise<NodeProcessConfig> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | null, text?: string) => {
      clearTimeout(timer);
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
      if (error) reject(error);
      else {
        try {
          resolve(parseNodeConfig(text!, 'config on stdin'));
        } catch (err) {
          reject(err as Error);
        }
      }
    };
    const onData = (chunk: Buffer) => {
      const newline = chunk.indexOf(0x0a);
      const part = newline >= 0 ? chunk.subarray(0, newline) : chunk;
      chunks.push(part);
      size += part.byteLength;
      if (size > maxBytes) finish(new NodeConfigError(`config on stdin: longer than ${maxBytes} bytes`));
      else if (newline >= 0) finish(null, Buffer.concat(chunks).toString('utf8'));
    };
    const onEnd = () => finish(new NodeConfigError('config on stdin: stdin ended before a config line arrived'));
    const onError = (err: Error) => finish(new NodeConfigError(`config on stdin: ${err.message}`));
    const timer = setTimeout(() => finish(new NodeConfigError(`config on stdin: nothing within ${timeoutMs} ms`)), timeoutMs);
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
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
