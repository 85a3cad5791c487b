/** The key-value state machine of a node: see stateMachine.ts. */
export { KvStateMachine, InvalidSnapshotError } from './stateMachine';
export type { ApplyOutcome, ApplyResult, KvStateMachineOptions } from './stateMachine';
export { decodeCommand, encodeCommand, InvalidCommandError, validateClientRequest } from './command';
export { entryDigest } from './entryDigest';
export { DEFAULT_MAX_SESSIONS } from './sessions';
