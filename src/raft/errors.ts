/** Errors the core throws at its boundary: bad configuration or inputs that break the step contract. */
import type { RefusalReason } from './types';

/**
 * Every refusal reason with what it means; `Counters.refused` counts each (validateInput.ts).
 * A correct peer never causes the ones marked "never legitimate"; the others can come from a
 * correct but out-of-date peer and are ignored without an error.
 */
export const REFUSAL_REASONS: Readonly<Record<RefusalReason, string>> = {
  malformed: 'a field has the wrong type or is out of range (never legitimate)',
  term_out_of_range: `a term above MAX_TERM (never legitimate)`,
  unknown_sender:
    'the sender is in no configuration this node knows (a removed server, §6, or a forgery) and is not a leader of a later term: ignored',
  entries_not_contiguous: 'AppendEntries entries are not at prevIndex + 1 + i (never legitimate, §5.3)',
  entry_term_invalid: 'entry terms decrease, or exceed the message term (never legitimate, §5.3)',
  config_entry_invalid: 'a configuration entry or snapshot configuration is malformed (never legitimate, §6)',
  conflicts_committed: 'AppendEntries would overwrite a committed entry (never legitimate, §5.4 Leader Completeness)',
  snapshot_invalid: 'InstallSnapshot metadata is not sane (never legitimate, §7)',
  snapshot_checksum: 'InstallSnapshot data does not match its checksum (corrupted on the way; a CRC does not stop a forger, §7)',
  timeout_now_not_from_leader: 'TimeoutNow not from the current leader of the current term (thesis §3.10): ignored',
  caller_contract: 'a local input (propose, read, admin, persisted, snapshotTaken) breaks the step contract',
};

/** A zero count for every refusal reason. */
export function newRefusalCounts(): Record<RefusalReason, number> {
  const counts = {} as Record<RefusalReason, number>;
  for (const r of Object.keys(REFUSAL_REASONS) as RefusalReason[]) counts[r] = 0;
  return counts;
}

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
 * An input or restored state that breaks the contract documented in types.ts: a caller bug
 * (e.g. a snapshot of an index never applied) or a message no correct peer sends (entries
 * out of order, a term beyond MAX_TERM, a snapshot whose checksum fails). Thrown before any
 * state changes, so the node stays usable; the caller logs it and carries on.
 */
export class RaftInputError extends Error {
  /** Which rule the input broke; counted in `Counters.refused`. */
  readonly reason: RefusalReason;

  constructor(message: string, reason: RefusalReason = 'caller_contract') {
    super(message);
    this.name = 'RaftInputError';
    this.reason = reason;
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
