/**
 * The replicated key-value state machine: applies committed log entries in index order,
 * with per-client sessions so retried commands apply at most once (§8).
 *
 * Everything here is deterministic: the same entries give every node the same state, the
 * same responses and the same snapshot bytes. Malformed command bytes are applied as a
 * no-op that answers invalid_request — on every node alike — instead of throwing, since a
 * committed entry cannot be taken back and a node that crashed on it would crash again on
 * every restart.
 */
import { Packr } from 'msgpackr';
import type { ClientRequest, ClientResponse } from '../../contract/client';
import type { Entry } from '../../raft/types';
import { decodeCommand, InvalidCommandError } from './command';
import { entryDigest } from './entryDigest';
import { Fnv1a64 } from './fnv';
import { DEFAULT_MAX_SESSIONS, type Session, SessionTable } from './sessions';

const packr = new Packr({ useRecords: false });
const SNAPSHOT_VERSION = 1;

/**
 * What happened to one entry:
 *  - 'applied':   the command ran now; `response` is ok, or fail cas_mismatch.
 *  - 'cached':    a retry of the client's last applied command (same seq): not run again;
 *                 `response` is the original one (with the original index).
 *  - 'duplicate': a seq older than the client's last applied one: not run; `response` is
 *                 null because the outcome of that older request is no longer known.
 *  - 'invalid':   the bytes are not a valid command: a no-op; `response` is fail
 *                 invalid_request when client and seq could be read, else null.
 *  - 'skipped':   a noop or config entry: nothing to apply, `response` null.
 */
export type ApplyOutcome = 'applied' | 'cached' | 'duplicate' | 'invalid' | 'skipped';

export interface ApplyResult {
  index: number;
  term: number;
  outcome: ApplyOutcome;
  /** The answer for the client that proposed this entry, when there is one. */
  response: ClientResponse | null;
  /** The proposing client and seq, when the command could be read that far. */
  client?: string;
  seq?: number;
  /** Why, for 'duplicate' and 'invalid'. */
  message?: string;
  /** entryDigest(entry), for the State Machine Safety checker. */
  digest: string;
}

/** Snapshot bytes that cannot be restored. */
export class InvalidSnapshotError extends Error {
  override readonly name = 'InvalidSnapshotError';
}

export interface KvStateMachineOptions {
  /** Session table bound; must be the same on every node (default 10,000). */
  maxSessions?: number;
}

export class KvStateMachine {
  private data = new Map<string, string>();
  private sessions: SessionTable;
  private index = 0;
  private term = 0;

  constructor(private readonly opts: KvStateMachineOptions = {}) {
    this.sessions = new SessionTable(opts.maxSessions ?? DEFAULT_MAX_SESSIONS);
  }

  /** Index of the last entry applied (or restored from a snapshot). */
  get appliedIndex(): number {
    return this.index;
  }

  get appliedTerm(): number {
    return this.term;
  }

  /** Number of keys. */
  get size(): number {
    return this.data.size;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The current value, or null when the key is absent (for ReadIndex reads, §8). */
  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /**
   * Applies the next committed entry. Entries must come in index order without gaps
   * (appliedIndex + 1): anything else is a bug in the caller and throws.
   */
  apply(entry: Entry): ApplyResult {
    if (entry.index !== this.index + 1) {
      throw new Error(`entries must be applied in order: expected index ${this.index + 1}, got ${entry.index}`);
    }
    this.index = entry.index;
    this.term = entry.term;
    // One object shape for every outcome (absent fields are undefined).
    const result = (outcome: ApplyOutcome, response: ClientResponse | null, client?: string, seq?: number, message?: string): ApplyResult => ({
      index: entry.index,
      term: entry.term,
      outcome,
      response,
      client,
      seq,
      message,
      digest: entryDigest(entry),
    });
    if (entry.kind !== 'command') return result('skipped', null);

    let request: ClientRequest;
    try {
      request = decodeCommand(entry.data);
    } catch (err) {
      if (!(err instanceof InvalidCommandError)) throw err;
      const { client, seq } = err;
      const response: ClientResponse | null =
        client !== undefined && seq !== undefined
          ? { client, seq, status: 'fail', error: 'invalid_request', message: err.message }
          : null;
      return result('invalid', response, client, seq, err.message);
    }

    const { client, seq } = request;
    const session = this.sessions.peek(client);
    if (session && seq === session.lastSeq) return result('cached', session.response, client, seq);
    if (session && seq < session.lastSeq) {
      const message = `duplicate: seq ${seq} is older than seq ${session.lastSeq} already applied for client ${client}; not applied again`;
      return result('duplicate', null, client, seq, message);
    }
    const response = this.execute(request, entry.index);
    this.sessions.record(client, { lastSeq: seq, lastIndex: entry.index, response });
    return result('applied', response, client, seq);
  }

  /**
   * Serializes the whole state (data, sessions in recency order, applied index and term)
   * as standard msgpack: [1, appliedIndex, appliedTerm, [k1, v1, k2, v2, ...],
   * [[client, lastSeq, lastIndex, ok ? 1 : 0, value], ...]].
   */
  snapshot(): Uint8Array {
    const kv: string[] = [];
    for (const [k, v] of this.data) kv.push(k, v);
    const sessions: unknown[] = [];
    for (const [client, s] of this.sessions.entries()) {
      const value = s.response.status === 'info' ? null : (s.response.value ?? null);
      sessions.push([client, s.lastSeq, s.lastIndex, s.response.status === 'ok' ? 1 : 0, value]);
    }
    return packr.pack([SNAPSHOT_VERSION, this.index, this.term, kv, sessions]);
  }

  /** Replaces the whole state with a snapshot's. Throws InvalidSnapshotError (state unchanged) on bad bytes. */
  restore(bytes: Uint8Array): void {
    let value: unknown;
    try {
      value = packr.unpack(bytes);
    } catch (err) {
      throw new InvalidSnapshotError(`snapshot is not valid msgpack: ${(err as Error).message}`);
    }
    if (!Array.isArray(value) || value.length !== 5) throw new InvalidSnapshotError('snapshot is not a 5-element array');
    const [version, index, term, kv, sessionRows] = value as unknown[];
    if (version !== SNAPSHOT_VERSION) throw new InvalidSnapshotError(`unknown snapshot version ${String(version)}`);
    if (!isCount(index) || !isCount(term)) throw new InvalidSnapshotError('snapshot applied index/term must be non-negative integers');
    if (!Array.isArray(kv) || kv.length % 2 !== 0 || !kv.every((x) => typeof x === 'string')) {
      throw new InvalidSnapshotError('snapshot data must be a flat array of string key/value pairs');
    }
    if (!Array.isArray(sessionRows)) throw new InvalidSnapshotError('snapshot sessions must be an array');
    const data = new Map<string, string>();
    for (let i = 0; i < kv.length; i += 2) data.set(kv[i] as string, kv[i + 1] as string);
    const sessions = new SessionTable(this.opts.maxSessions ?? DEFAULT_MAX_SESSIONS);
    sessionRows.forEach((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== 5) throw new InvalidSnapshotError(`session #${i} is not a 5-element array`);
      const [client, lastSeq, lastIndex, ok, val] = row as unknown[];
      if (typeof client !== 'string' || !isCount(lastSeq) || !isCount(lastIndex) || (ok !== 0 && ok !== 1) || (val !== null && typeof val !== 'string')) {
        throw new InvalidSnapshotError(`session #${i} is malformed`);
      }
      const response: ClientResponse =
        ok === 1
          ? { client, seq: lastSeq, status: 'ok', value: val, index: lastIndex }
          : { client, seq: lastSeq, status: 'fail', error: 'cas_mismatch', value: val };
      sessions.record(client, { lastSeq, lastIndex, response } satisfies Session);
    });
    this.data = data;
    this.sessions = sessions;
    this.index = index;
    this.term = term;
  }

  /**
   * FNV-1a 64 of the state (keys sorted; sessions in recency order, which decides future
   * evictions, so it is state too) and the applied index. Equal on replicas that applied
   * the same prefix; O(n log n), meant for checks and tests rather than every apply.
   */
  stateDigest(): string {
    const h = new Fnv1a64().uint(this.index).uint(this.term).uint(this.data.size);
    for (const key of [...this.data.keys()].sort()) h.string(key).string(this.data.get(key) as string);
    h.uint(this.sessions.size);
    for (const [client, s] of this.sessions.entries()) {
      const r = s.response;
      const value = r.status === 'info' ? null : (r.value ?? null);
      h.string(client).uint(s.lastSeq).uint(s.lastIndex).string(r.status).uint(value === null ? 0 : 1).string(value ?? '');
    }
    return h.hex();
  }

  private execute({ client, seq, op }: ClientRequest, index: number): ClientResponse {
    const current = this.data.get(op.key) ?? null;
    const ok = (value: string | null): ClientResponse => ({ client, seq, status: 'ok', value, index });
    switch (op.op) {
      case 'get':
        return ok(current);
      case 'put':
        this.data.set(op.key, op.value);
        return ok(op.value);
      case 'delete':
        this.data.delete(op.key);
        return ok(null);
      case 'append': {
        const next = (current ?? '') + op.value;
        this.data.set(op.key, next);
        return ok(next);
      }
      case 'cas':
        if (current !== op.expect) return { client, seq, status: 'fail', error: 'cas_mismatch', value: current };
        this.data.set(op.key, op.value);
        return ok(op.value);
    }
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
