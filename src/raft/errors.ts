/** Errors the core throws at its boundary: bad configuration or inputs that break the step contract. */

/** A `RaftConfig` that cannot work; `problems` lists every rule it breaks. */
export class RaftConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid Raft config: ${problems.join('; ')}`);
    this.name = 'RaftConfigError';
    this.problems = problems;
  }
}

/**
 * An input or restored state that breaks the contract documented in types.ts (a caller bug,
 * e.g. a message addressed to another node or a snapshot of an index never applied).
 * Thrown before any state changes, so the node stays usable.
 */
export class RaftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftInputError';
  }
}

/**
 * A broken protocol invariant (e.g. a leader asking to overwrite a committed entry).
 * It means a bug or a peer that violates Raft; continuing could lose committed data.
 */
export class RaftInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftInvariantError';
  }
}
