/**
 * Reads and checks a node process's configuration (one JSON line on stdin, or a JSON
 * file), and turns its millisecond timings into the core's logical ticks.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { decodeNodeConfig, type NodeProcessConfig } from '../contract/nodeConfig';
import type { RaftConfig } from '../raft/types';

export class NodeConfigError extends Error {}

/** Parses and checks a config (src/contract/nodeConfig.ts); every problem is named at once. */
export function parseNodeConfig(text: string, source: string): NodeProcessConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new NodeConfigError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const decoded = decodeNodeConfig(raw);
  if (!decoded.ok) throw new NodeConfigError(`${source}: ${decoded.errors.join('; ')}`);
  return decoded.value;
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
