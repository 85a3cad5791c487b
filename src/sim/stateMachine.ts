/**
 * The replicated state machine of a simulated node: a rolling hash of every applied command
 * (two nodes that applied the same commands in the same order hold the same hash), the count,
 * and the configuration as of the applied index (needed for snapshot metadata, §7).
 * Optionally it also keeps the commands as text, for the scripted interaction tests.
 */
import type { ClusterConfig, Entry } from '../raft/types';
import { chainHash, hashBytes } from './hash';

interface SerializedState {
  applied: number;
  hash: number;
  commands: number;
  config: ClusterConfig;
  log?: string[];
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class SimStateMachine {
  applied = 0;
  hash = 0;
  commands = 0;
  /** Applied commands as text; only when constructed with keepCommands. */
  readonly log: string[] | undefined;

  constructor(
    public config: ClusterConfig,
    keepCommands = false,
  ) {
    this.log = keepCommands ? [] : undefined;
  }

  apply(entry: Entry): void {
    if (entry.kind === 'command') {
      this.hash = chainHash(this.hash, hashBytes(entry.data));
      this.commands++;
      this.log?.push(decoder.decode(entry.data));
    } else if (entry.kind === 'config' && entry.config) {
      this.config = entry.config;
    }
    this.applied = entry.index;
  }

  serialize(): Uint8Array {
    const state: SerializedState = { applied: this.applied, hash: this.hash, commands: this.commands, config: this.config };
    if (this.log) state.log = this.log;
    return encoder.encode(JSON.stringify(state));
  }

  /** Replaces the state with a snapshot's; throws on bytes this class did not write. */
  restore(data: Uint8Array): void {
    let state: SerializedState;
    try {
      state = JSON.parse(decoder.decode(data)) as SerializedState;
    } catch (error) {
      throw new Error(`snapshot data is not a serialized SimStateMachine: ${(error as Error).message}`);
    }
    if (typeof state.applied !== 'number' || typeof state.hash !== 'number' || !state.config) {
      throw new Error('snapshot data is not a serialized SimStateMachine: fields missing');
    }
    this.applied = state.applied;
    this.hash = state.hash;
    this.commands = state.commands;
    this.config = state.config;
    if (this.log) {
      this.log.length = 0;
      this.log.push(...(state.log ?? []));
    }
  }
}
