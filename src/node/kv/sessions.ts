/**
 * Client sessions (§8 "Client interaction"; thesis §6.3): for each client, the highest
 * seq applied and its response, so a retried command is answered from here instead of
 * being applied twice.
 *
 * The table is bounded (default 10,000 clients). Beyond that the least recently APPLIED
 * client is evicted. Recency is driven only by applied log entries (never by reads or
 * timers), so every node evicts the same clients at the same index and replicas stay
 * identical. The cost of the bound: a client silent for 10,000 other clients' writes loses
 * its session, and a very late retry of its last command would be applied again.
 */
import type { ClientResponse } from '../../contract/client';

export interface Session {
  /** Highest seq applied for this client. */
  lastSeq: number;
  /** Log index where `lastSeq` was applied. */
  lastIndex: number;
  /** The response given to `lastSeq` (status ok, or fail cas_mismatch). */
  response: ClientResponse;
}

export const DEFAULT_MAX_SESSIONS = 10_000;

export class SessionTable {
  /** Map iteration order is recency order: oldest first. */
  private readonly sessions = new Map<string, Session>();

  constructor(readonly maxSessions = DEFAULT_MAX_SESSIONS) {
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) throw new RangeError('maxSessions must be a positive integer');
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Looks a client up without changing recency. */
  peek(client: string): Session | undefined {
    return this.sessions.get(client);
  }

  /** Records an applied command's response; makes the client most recent; evicts the least recent beyond the bound. */
  record(client: string, session: Session): void {
    this.sessions.delete(client);
    this.sessions.set(client, session);
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
  }

  /** Sessions oldest first (the order snapshot and restore preserve). */
  entries(): IterableIterator<[string, Session]> {
    return this.sessions.entries();
  }

  clear(): void {
    this.sessions.clear();
  }
}
