/** What a simulated run reports when a property fails. */

/** The Raft properties of Figure 3, plus the simulator's own checks. */
export type PropertyName =
  | 'Election Safety'
  | 'Leader Append-Only'
  | 'Log Matching'
  | 'Leader Completeness'
  | 'State Machine Safety'
  | 'Linearizable Reads'
  /** The core's outputs contradict its own status or the documented Outputs contract. */
  | 'Storage Contract'
  /** A 'proposed' result named log positions that later held other commands. */
  | 'Client Results'
  | 'Liveness'
  /** The core threw, or an internal invariant of the simulator broke. */
  | 'Crash';

export interface Violation {
  property: PropertyName;
  /** Virtual time at which it was detected. */
  tick: number;
  message: string;
}

/** Thrown to stop a run at its first violation. */
export class ViolationError extends Error {
  constructor(readonly violation: Violation) {
    super(`${violation.property}: ${violation.message}`);
    this.name = 'ViolationError';
  }
}
