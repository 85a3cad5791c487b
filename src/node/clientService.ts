/**
 * The node's key-value service: turns client request batches into Raft proposals and
 * ReadIndex reads, and answers each request once its fate is known.
 *
 * - Writes are batched: every request that arrives in one turn of the event loop becomes
 *   one `propose` input with many commands, so the log and AppendEntries carry batches.
 * - Reads (get) are batched the same way into one ReadIndex round (§8): one heartbeat
 *   quorum confirms leadership for all of them, and they are answered once the state
 *   machine has applied the read index. No log entry is written for a read.
 * - A write is answered when its log index applies: with the state machine's result if
 *   the entry there is ours (same term), or with not_leader if another entry took that
 *   index (then ours can never commit, so the client may safely retry elsewhere).
 */
import type { ClientRequest, ClientResponse } from '../contract/client';
import type { Entry, NodeId, RaftError, RequestId } from '../raft/types';
import type { ApplyResult } from './kv';

export interface ClientRoute {
  readonly key: string;
}

interface WaitingWrite<R> {
  route: R;
  request: ClientRequest;
  term: number;
}

interface WaitingRead<R> {
  route: R;
  request: ClientRequest;
}

export interface ClientServiceHooks<R> {
  reply: (route: R, responses: ClientResponse[]) => void;
  propose: (id: RequestId, commands: ClientRequest[]) => void;
  read: (id: RequestId) => void;
  isLeader: () => boolean;
  leader: () => { id: NodeId | null; clientAddress: string | null };
  /** The current value of a key (reads are served from the applied state). */
  get: (key: string) => string | null;
  appliedIndex: () => number;
  schedule: (fn: () => void) => void;
  /**
   * True while the node's outputs are backed up. New proposals and read rounds then wait
   * (and keep batching) until `uncongested()`, instead of queueing behind work the node
   * has not carried out yet: every output queued ahead of a heartbeat delays it, and under
   * a burst of client batches the leader's heartbeats fell so far behind that followers
   * timed out and elected someone else.
   */
  congested?: () => boolean;
}

export class ClientService<R extends ClientRoute> {
  private nextId = 1;
  private writesBatch: Array<{ route: R; request: ClientRequest }> = [];
  private readsBatch: Array<{ route: R; request: ClientRequest }> = [];
  private flushScheduled = false;
  /** A flush found the node congested: batches wait for uncongested(). */
  private held = false;
  /** Proposal id -> requests, until the core says where they went. */
  private readonly proposing = new Map<RequestId, Array<{ route: R; request: ClientRequest }>>();
  /** Log index -> the write waiting there. */
  private readonly writes = new Map<number, WaitingWrite<R>>();
  private readonly readRounds = new Map<RequestId, Array<WaitingRead<R>>>();
  /** Read rounds confirmed at an index the state machine has not reached yet. */
  private readyReads: Array<{ index: number; reads: Array<WaitingRead<R>> }> = [];
  private stopping = false;

  constructor(private readonly hooks: ClientServiceHooks<R>) {}

  /** Requests from one client frame. */
  submit(route: R, requests: ClientRequest[]): void {
    if (this.stopping) return this.hooks.reply(route, requests.map((r) => fail(r, 'stopping')));
    if (!this.hooks.isLeader()) return this.hooks.reply(route, requests.map((r) => this.notLeader(r)));
    for (const request of requests) {
      if (request.op.op === 'get') this.readsBatch.push({ route, request });
      else this.writesBatch.push({ route, request });
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.hooks.schedule(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.hooks.congested?.()) {
      this.held = true;
      return;
    }
    if (this.writesBatch.length > 0) {
      const batch = this.writesBatch;
      this.writesBatch = [];
      const id = this.nextId++;
      this.proposing.set(id, batch);
      this.hooks.propose(id, batch.map((b) => b.request));
    }
    if (this.readsBatch.length > 0) {
      const batch = this.readsBatch;
      this.readsBatch = [];
      const id = this.nextId++;
      this.readRounds.set(id, batch);
      this.hooks.read(id);
    }
  }

  /** The node caught up with its outputs: propose what waited (see ClientServiceHooks.congested). */
  uncongested(): void {
    if (!this.held) return;
    this.held = false;
    if (!this.flushScheduled && (this.writesBatch.length > 0 || this.readsBatch.length > 0)) {
      this.flushScheduled = true;
      this.hooks.schedule(() => this.flush());
    }
  }

  /** The core appended a proposal at [firstIndex, lastIndex] in `term`. */
  proposed(id: RequestId, term: number, firstIndex: number): void {
    const batch = this.proposing.get(id);
    if (!batch) return;
    this.proposing.delete(id);
    batch.forEach((b, i) => this.writes.set(firstIndex + i, { route: b.route, request: b.request, term }));
  }

  /** A read round may be served once `index` is applied (§8). */
  readConfirmed(id: RequestId, index: number): void {
    const reads = this.readRounds.get(id);
    if (!reads) return;
    this.readRounds.delete(id);
    this.readyReads.push({ index, reads });
    this.serveReads();
  }

  /** The core refused a proposal or read round. */
  failed(id: RequestId, error: RaftError): void {
    const batch = this.proposing.get(id) ?? this.readRounds.get(id);
    if (!batch) return;
    this.proposing.delete(id);
    this.readRounds.delete(id);
    this.replyEach(batch, (r) => (error.code === 'invalid_request' ? fail(r, 'invalid_request', error.message) : this.notLeader(r)));
  }

  /** An entry was applied; answers the write waiting at its index, if any. */
  applied(entry: Entry, result: ApplyResult | null): void {
    const w = this.writes.get(entry.index);
    if (w) {
      this.writes.delete(entry.index);
      if (w.term === entry.term && result?.response) this.hooks.reply(w.route, [result.response]);
      else if (w.term === entry.term) this.hooks.reply(w.route, [info(w.request, 'duplicate')]);
      else this.hooks.reply(w.route, [this.notLeader(w.request)]);
    }
  }

  /** Answers read rounds whose index the state machine has reached. */
  serveReads(): void {
    if (this.readyReads.length === 0) return;
    const applied = this.hooks.appliedIndex();
    const still: typeof this.readyReads = [];
    for (const round of this.readyReads) {
      if (round.index > applied) {
        still.push(round);
        continue;
      }
      this.replyEach(round.reads, (r) => ({
        client: r.client,
        seq: r.seq,
        status: 'ok',
        value: this.hooks.get(r.op.key),
        index: round.index,
      }));
    }
    this.readyReads = still;
  }

  /** Leadership was lost: pending reads can no longer be confirmed here. */
  leadershipLost(): void {
    for (const [id, reads] of this.readRounds) {
      this.readRounds.delete(id);
      this.replyEach(reads, (r) => this.notLeader(r));
    }
  }

  /**
   * Graceful stop: everything unanswered gets an honest answer. `fail stopping` only for
   * what certainly never reached the core (not yet proposed, or reads, which change
   * nothing); `info` for every write the core was handed, appended or not.
   */
  stop(): void {
    this.stopping = true;
    this.replyEach(this.writesBatch.splice(0), (r) => fail(r, 'stopping'));
    this.replyEach(this.readsBatch.splice(0), (r) => fail(r, 'stopping'));
    // Handed to the core, whose answer (where the batch went) is not processed yet: the core
    // may well have appended it already (the 'proposed' result comes only after the entries
    // are persisted, and a slow disk makes that wait long), and another node may then commit
    // and apply it. Only `info` is honest here; `fail` would tell the client it did not happen.
    for (const batch of [...this.proposing.values()]) {
      this.replyEach(batch, (r) => info(r, 'leadership_lost', 'the node stopped before it knew whether the write reached its log'));
    }
    this.proposing.clear();
    for (const w of this.writes.values()) this.hooks.reply(w.route, [info(w.request, 'leadership_lost', 'the node stopped before the write was known to commit')]);
    this.writes.clear();
    for (const reads of this.readRounds.values()) this.replyEach(reads, (r) => fail(r, 'stopping'));
    this.readRounds.clear();
    for (const round of this.readyReads) this.replyEach(round.reads, (r) => fail(r, 'stopping'));
    this.readyReads = [];
  }

  pendingWrites(): number {
    return this.writes.size;
  }

  private notLeader(r: ClientRequest): ClientResponse {
    const l = this.hooks.leader();
    return { client: r.client, seq: r.seq, status: 'fail', error: 'not_leader', leader: l.id, leaderAddress: l.clientAddress };
  }

  /** Groups replies by route so each client connection gets one frame. */
  private replyEach<T extends { route: R; request: ClientRequest }>(items: T[], answer: (r: ClientRequest) => ClientResponse): void {
    const byRoute = new Map<string, { route: R; responses: ClientResponse[] }>();
    for (const it of items) {
      let g = byRoute.get(it.route.key);
      if (!g) byRoute.set(it.route.key, (g = { route: it.route, responses: [] }));
      g.responses.push(answer(it.request));
    }
    for (const g of byRoute.values()) this.hooks.reply(g.route, g.responses);
  }
}

function fail(r: ClientRequest, error: 'stopping' | 'invalid_request', message?: string): ClientResponse {
  return { client: r.client, seq: r.seq, status: 'fail', error, ...(message ? { message } : {}) };
}

function info(r: ClientRequest, error: 'leadership_lost' | 'duplicate', message?: string): ClientResponse {
  return { client: r.client, seq: r.seq, status: 'info', error, ...(message ? { message } : {}) };
}
