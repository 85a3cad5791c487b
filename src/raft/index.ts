/** The pure Raft core: see types.ts for the vocabulary and node.ts for the state machine. */
export { RaftNode } from './node';
export { validateRaftConfig } from './config';
export { RaftConfigError, RaftInputError, RaftInvariantError } from './errors';
export { SeededRng, mix32, rngForNode } from './rng';
export type * from './types';
