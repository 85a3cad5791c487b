/** The pure Raft core: see types.ts for the vocabulary and node.ts for the state machine. */
export { RaftNode } from './node';
export { validateRaftConfig } from './config';
export { REFUSAL_REASONS, RaftConfigError, RaftInputError, RaftInvariantError } from './errors';
export { crc32 } from './checksum';
export { MAX_INDEX, MAX_TERM } from './limits';
export { SeededRng, mix32, rngForNode } from './rng';
export type * from './types';
