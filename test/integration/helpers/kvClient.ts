/**
 * A key-value client for tests, over the real client protocol (KvClientConnection: a
 * DEALER per node to each node's ROUTER). Two levels:
 *
 *   - `attempt(node, op)`: one request to one node, answered or timed out; no retry. For
 *     checks like "a write sent to the minority never succeeds".
 *   - `request(op)` / `put` / `get`: what a real client does (§8): send to the leader it
 *     knows, follow not_leader redirects, and retry after timeouts elsewhere with the SAME
 *     seq, so the node's session table applies the write at most once. Resolves with the
 *     final answer, or throws when the deadline passes without one.
 *
 * One request at a time per client (requests queue): sessions remember only each client's
 * latest seq, so concurrent retries from one client id would be answered 'duplicate'.
 * Use several clients for concurrency.
 */
import type { ClientResponse, KvOp } from '../../../src/contract/client';
import { KvClientConnection } from '../../../src/lab/sockets/kvClientConnection';
import type { CurveClient } from '../../../src/wire/curveOptions';
import type { NodeId } from '../../../src/raft/types';
import { delay } from './waitFor';

/** Where the cluster's nodes listen. */
export interface KvTarget {
  clusterId: string;
  /** Node ids to try, in order of preference when no leader is known. */
  ids: () => NodeId[];
  clientAddress: (id: NodeId) => string;
  /** The leader as the lab sees it, if known (a first guess before any redirect). */
  leaderHint?: () => NodeId | null;
  /** CURVE credentials for node `id`'s client socket (the lab's), when CURVE is on. */
  curve?: (id: NodeId) => CurveClient | undefined;
}

/** The answer to one attempt: a response, or why there was none. */
export type AttemptOutcome = ClientResponse | { status: 'timeout' } | { status: 'unsent' };

export interface RequestOptions {
  /** Overall deadline for the request, retries included (default 10 s). */
  timeoutMs?: number;
  /** How long one attempt waits for its answer before trying elsewhere (default 1 s). */
  attemptTimeoutMs?: number;
}

/** A request that got no final answer before its deadline. */
export class KvRequestTimeout extends Error {
  override readonly name = 'KvRequestTimeout';
}

const MAX_FRAME_BYTES = 16 << 20;
let clientCounter = 0;

export class TestKvClient {
  readonly clientId: string;
  private seq = 0;
  private readonly connections = new Map<string, KvClientConnection>();
  /** Waiting attempts by connection address, then seq. */
  private readonly waiting = new Map<string, Map<number, (r: ClientResponse) => void>>();
  private leader: NodeId | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly target: KvTarget,
    opts: { clientId?: string } = {},
  ) {
    this.clientId = opts.clientId ?? `it-${process.pid}-${++clientCounter}`;
  }

  put(key: string, value: string, opts?: RequestOptions): Promise<ClientResponse> {
    return this.request({ op: 'put', key, value }, opts);
  }

  get(key: string, opts?: RequestOptions): Promise<ClientResponse> {
    return this.request({ op: 'get', key }, opts);
  }

  /** Sends `op` through the leader, following redirects and retrying (same seq) until answered. */
  request(op: KvOp, opts: RequestOptions = {}): Promise<ClientResponse> {
    const run = this.tail.then(() => this.requestNow(op, opts));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** One try at one node: its answer, 'timeout', or 'unsent' (node unreachable). Uses a new seq. */
  attempt(node: NodeId, op: KvOp, opts: { timeoutMs: number }): Promise<AttemptOutcome> {
    return this.attemptWithSeq(node, op, ++this.seq, opts.timeoutMs);
  }

  /** Closes every connection; waiting attempts time out. */
  async close(): Promise<void> {
    this.closed = true;
    const conns = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(conns.map((c) => c.close()));
  }

  private async requestNow(op: KvOp, opts: RequestOptions): Promise<ClientResponse> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const attemptMs = opts.attemptTimeoutMs ?? 1000;
    const deadline = performance.now() + timeoutMs;
    const seq = ++this.seq;
    const tried: string[] = [];
    let rotation = 0;
    let node = this.leader ?? this.target.leaderHint?.() ?? this.target.ids()[0];
    while (!this.closed) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      const out = await this.attemptWithSeq(node, op, seq, Math.min(attemptMs, remaining));
      tried.push(`n${node}:${out.status}${'error' in out ? `/${out.error}` : ''}`);
      if (out.status === 'ok') {
        this.leader = node;
        return out;
      }
      if (out.status === 'fail') {
        if (out.error === 'cas_mismatch' || out.error === 'invalid_request') return out;
        if (out.error === 'not_leader' && typeof out.leader === 'number' && out.leader !== node) {
          node = out.leader;
          continue;
        }
      }
      if (out.status === 'info' && out.error === 'duplicate') return out;
      // No leader known, the node is stopping, the leadership was lost, or no answer:
      // try the next node after a moment (an election takes a few hundred ms).
      this.leader = null;
      const ids = this.target.ids();
      const hint = this.target.leaderHint?.() ?? null;
      node = hint !== null && hint !== node ? hint : ids[rotation++ % ids.length];
      await delay(20);
    }
    throw new KvRequestTimeout(`${op.op} ${op.key} (client ${this.clientId} seq ${seq}) got no final answer within ${timeoutMs} ms; attempts: ${tried.join(' ')}`);
  }

  private async attemptWithSeq(node: NodeId, op: KvOp, seq: number, timeoutMs: number): Promise<AttemptOutcome> {
    if (this.closed) return { status: 'unsent' };
    const conn = this.connection(node);
    const waiters = this.waiting.get(conn.address)!;
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<AttemptOutcome>((resolve) => {
      waiters.set(seq, resolve);
      timer = setTimeout(() => resolve({ status: 'timeout' }), timeoutMs);
    });
    try {
      const sent = await conn.send([{ client: this.clientId, seq, op }]);
      if (!sent) return { status: 'unsent' };
      return await answered;
    } finally {
      clearTimeout(timer);
      waiters.delete(seq);
    }
  }

  private connection(node: NodeId): KvClientConnection {
    const address = this.target.clientAddress(node);
    let conn = this.connections.get(address);
    if (!conn) {
      const waiters = new Map<number, (r: ClientResponse) => void>();
      this.waiting.set(address, waiters);
      conn = new KvClientConnection({
        clusterId: this.target.clusterId,
        address,
        maxFrameBytes: MAX_FRAME_BYTES,
        curve: this.target.curve?.(node),
        onResponses: (responses) => {
          for (const r of responses) {
            if (r.client !== this.clientId) continue;
            const resolve = waiters.get(r.seq);
            waiters.delete(r.seq);
            resolve?.(r);
          }
        },
        onError: (err, context) => console.error(`[kv client ${this.clientId}] ${context}: ${String(err)}`),
      });
      this.connections.set(address, conn);
    }
    return conn;
  }
}

/** A KvTarget for a TestCluster-like object. */
export function kvTargetOf(tc: {
  clusterId: string;
  ids: () => NodeId[];
  clientAddress: (id: NodeId) => string;
  cluster: { leader: () => NodeId | null; curveKeys?: { clientOf: (id: NodeId) => CurveClient } | null };
}): KvTarget {
  return {
    clusterId: tc.clusterId,
    ids: () => tc.ids(),
    clientAddress: (id) => tc.clientAddress(id),
    leaderHint: () => tc.cluster.leader(),
    curve: (id) => tc.cluster.curveKeys?.clientOf(id),
  };
}
