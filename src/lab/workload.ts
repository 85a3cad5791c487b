/**
 * Key-value clients that exercise a cluster and record an exact history for the
 * linearizability checker.
 *
 * Each logical client is single-threaded, like a Jepsen process: at most one operation
 * outstanding. An operation is retried (same client id and seq, so the node's session
 * table applies it at most once, §8) after a redirect or a silent attempt, until its
 * timeout. Its recorded outcome is:
 *  - ok:   some attempt answered ok;
 *  - fail: every attempt certainly did not apply (not_leader, cas mismatch, ...);
 *  - info: some attempt may have applied but no answer said so (timeouts, leadership lost).
 * Times come from one monotonic clock (performance.now), relative to the run's start.
 */
import type { NodeId } from '../raft/types';
import type { ClientRequest, ClientResponse, KvOp } from '../contract/client';
import type { WorkloadOptions } from '../contract/clusterOptions';
import type { HistoryOp, OpStatus } from '../contract/runEvents';

/** How the workload reaches nodes: the lab adapts ZeroMQ client connections to this. */
export interface KvTransport {
  send(node: NodeId, requests: ClientRequest[]): void;
  /** Nodes that can currently be asked (alive, with a client address). */
  nodes(): NodeId[];
}

export interface WorkloadHooks {
  now: () => number;
  record: (op: HistoryOp) => void;
  random: () => number;
}

interface Pending {
  client: LogicalClient;
  request: ClientRequest;
  call: number;
  deadline: number;
  /** An attempt went unanswered or answered "maybe": the outcome may be unknown. */
  maybeApplied: boolean;
  /** Set exactly while an attempt is out: sent to `target` and not answered yet. */
  attemptTimer: NodeJS.Timeout | null;
  target: NodeId;
  lastError: string | null;
}

interface LogicalClient {
  index: number;
  id: string;
  seq: number;
  pending: Pending | null;
  /** Node this client believes leads. */
  leader: NodeId | null;
}

/**
 * Whether an op given up now may nevertheless have applied: an earlier attempt went
 * unanswered or answered "maybe", or a write attempt is still out (sent, not answered:
 * the leader may have put it in its log already). Recording such an op as 'fail' would
 * tell the linearizability checker it certainly did not happen.
 */
function outcomeUnknown(p: Pending): boolean {
  return p.maybeApplied || (p.attemptTimer !== null && p.request.op.op !== 'get');
}

/** Per-attempt wait before trying another node; the whole op is bounded by timeoutMs. */
const ATTEMPT_MS = 250;
/** Back-off when no leader is known, so a leaderless cluster is not hammered. */
const NO_LEADER_BACKOFF_MS = 20;

export class Workload {
  private clients: LogicalClient[] = [];
  private opts: WorkloadOptions;
  private timer: NodeJS.Timeout | null = null;
  private credit = 0;
  private lastTick = 0;
  private stopped = true;
  private readonly byKey = new Map<string, Pending>();
  private retryTimers = new Set<NodeJS.Timeout>();
  private rr = 0;
  /** Slow motion (docs/aimed-faults.md): the rate is scaled by it and the waits by 1/speed. */
  private speed = 1;

  constructor(
    private readonly transport: KvTransport,
    private readonly hooks: WorkloadHooks,
    opts: WorkloadOptions,
    private readonly clientPrefix: string,
  ) {
    this.opts = opts;
  }

  get options(): WorkloadOptions {
    return this.opts;
  }

  /**
   * Slow motion: at speed s the open-loop rate becomes rate × s and every wait (the op's
   * timeout, the per-attempt wait, the no-leader back-off) becomes wait / s, so the workload
   * asks as much of the cluster per unit of lab time as at 1x. A closed loop (rate 0) needs
   * nothing: it already waits for each answer. Ops already in flight keep their deadlines.
   */
  setSpeed(speed: number): void {
    this.speed = speed;
  }

  /** Starts (or re-tunes) the workload; ops already in flight keep their own deadlines. */
  start(opts: WorkloadOptions = this.opts): void {
    this.opts = opts;
    while (this.clients.length < opts.clients) {
      const index = this.clients.length;
      this.clients.push({ index, id: `${this.clientPrefix}-${index}`, seq: 0, pending: null, leader: null });
    }
    this.stopped = false;
    this.lastTick = this.hooks.now();
    if (!this.timer) this.timer = setInterval(() => this.tick(), 5);
  }

  /** Stops issuing new ops and waits (bounded by their timeouts) for those in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const deadline = Math.max(0, ...[...this.byKey.values()].map((p) => p.deadline - this.hooks.now()));
    const until = this.hooks.now() + deadline + 50;
    while (this.byKey.size > 0 && this.hooks.now() < until) await new Promise((r) => setTimeout(r, 10));
    // Started again while draining: the ops now in flight belong to the running workload and
    // must keep their own deadlines (finishing them here would record them as failed).
    if (!this.stopped) return;
    // Whatever is still open when the cluster goes away has an unknown outcome.
    for (const p of [...this.byKey.values()]) this.finish(p, outcomeUnknown(p) ? 'info' : 'fail', null, p.lastError ?? 'stopped');
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }

  /** Active (non-idle) client count beyond opts.clients are left idle. */
  private activeClients(): LogicalClient[] {
    return this.clients.slice(0, this.opts.clients);
  }

  private tick(): void {
    const now = this.hooks.now();
    const idle = this.activeClients().filter((c) => c.pending === null);
    if (this.opts.rate === 0) {
      // Closed loop: every idle client issues at once.
      for (const c of idle) this.issue(c);
    } else {
      this.credit = Math.min(this.credit + ((now - this.lastTick) * this.opts.rate * this.speed) / 1000, Math.max(1, this.opts.clients));
      for (const c of idle) {
        if (this.credit < 1) break;
        this.credit -= 1;
        this.issue(c);
      }
    }
    this.lastTick = now;
    for (const p of [...this.byKey.values()]) if (now >= p.deadline) this.finish(p, outcomeUnknown(p) ? 'info' : 'fail', null, p.lastError ?? 'timeout');
  }

  private nextOp(): KvOp {
    const { mix, keys } = this.opts;
    const key = `k${Math.floor(this.hooks.random() * keys)}`;
    const total = mix.get + mix.put + mix.cas + mix.append;
    let r = this.hooks.random() * total;
    // Values are unique per write, so the checker can tell writes apart.
    const value = () => `${Math.floor(this.hooks.random() * 1e9).toString(36)}`;
    if ((r -= mix.get) < 0) return { op: 'get', key };
    if ((r -= mix.put) < 0) return { op: 'put', key, value: value() };
    if ((r -= mix.cas) < 0) {
      // Expect one of a few recent values or absence; many cas ops then genuinely race.
      return { op: 'cas', key, expect: this.hooks.random() < 0.3 ? null : this.lastSeen.get(key) ?? null, value: value() };
    }
    return { op: 'append', key, value: value().slice(0, 4) };
  }

  /** Last value seen per key, to give cas a realistic expectation. */
  private readonly lastSeen = new Map<string, string | null>();

  private issue(c: LogicalClient): void {
    if (this.stopped) return;
    const nodes = this.transport.nodes();
    if (nodes.length === 0) return;
    c.seq += 1;
    const now = this.hooks.now();
    const p: Pending = {
      client: c,
      request: { client: c.id, seq: c.seq, op: this.nextOp() },
      call: now,
      deadline: now + this.opts.timeoutMs / this.speed,
      maybeApplied: false,
      attemptTimer: null,
      target: c.leader ?? nodes[this.rr++ % nodes.length],
      lastError: null,
    };
    c.pending = p;
    this.byKey.set(`${c.id}/${c.seq}`, p);
    this.attempt(p);
  }

  private attempt(p: Pending): void {
    if (p.attemptTimer) clearTimeout(p.attemptTimer);
    const remaining = p.deadline - this.hooks.now();
    if (remaining <= 0) return this.finish(p, outcomeUnknown(p) ? 'info' : 'fail', null, p.lastError ?? 'timeout');
    this.transport.send(p.target, [p.request]);
    p.attemptTimer = setTimeout(() => {
      p.attemptTimer = null;
      // Unanswered: a write may have reached the log. Try another node (same seq: at most once).
      if (p.request.op.op !== 'get') p.maybeApplied = true;
      p.lastError = 'timeout';
      p.client.leader = null;
      p.target = this.otherNode(p.target);
      this.attempt(p);
    }, Math.min(ATTEMPT_MS / this.speed, remaining));
  }

  private otherNode(not: NodeId): NodeId {
    const nodes = this.transport.nodes().filter((n) => n !== not);
    return nodes.length === 0 ? not : nodes[this.rr++ % nodes.length];
  }

  /** Feeds a response from a node's client socket. */
  onResponse(from: NodeId, res: ClientResponse): void {
    const p = this.byKey.get(`${res.client}/${res.seq}`);
    if (!p || p.target !== from) return; // late answer to an abandoned attempt (retried elsewhere)
    if (res.status === 'ok') {
      p.client.leader = from;
      this.lastSeen.set(p.request.op.key, res.value);
      return this.finish(p, 'ok', res.value, null);
    }
    if (res.status === 'fail') {
      if (res.error === 'not_leader') {
        p.lastError = 'not_leader';
        p.client.leader = res.leader ?? null;
        p.target = res.leader ?? this.otherNode(from);
        return this.retrySoon(p, res.leader ? 0 : NO_LEADER_BACKOFF_MS / this.speed);
      }
      if (res.error === 'overloaded' || res.error === 'stopping') {
        p.lastError = res.error;
        p.target = this.otherNode(from);
        return this.retrySoon(p, NO_LEADER_BACKOFF_MS / this.speed);
      }
      if (res.error === 'cas_mismatch') this.lastSeen.set(p.request.op.key, res.value ?? null);
      // A definite failure, unless an earlier attempt may have applied it: then the
      // session table would have answered with that attempt's result, so this is definite too.
      return this.finish(p, 'fail', res.value ?? null, res.error);
    }
    // info: proposed but leadership changed; retrying with the same seq is safe (sessions).
    p.maybeApplied = true;
    p.lastError = res.error;
    p.client.leader = null;
    p.target = this.otherNode(from);
    this.retrySoon(p, NO_LEADER_BACKOFF_MS / this.speed);
  }

  private retrySoon(p: Pending, ms: number): void {
    if (p.attemptTimer) clearTimeout(p.attemptTimer);
    p.attemptTimer = null;
    if (ms === 0) return this.attempt(p);
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (this.byKey.get(`${p.client.id}/${p.request.seq}`) === p) this.attempt(p);
    }, ms);
    this.retryTimers.add(t);
  }

  private finish(p: Pending, status: OpStatus, output: string | null, error: string | null): void {
    const k = `${p.client.id}/${p.request.seq}`;
    if (this.byKey.get(k) !== p) return;
    this.byKey.delete(k);
    if (p.attemptTimer) clearTimeout(p.attemptTimer);
    p.client.pending = null;
    const op = p.request.op;
    const rec: HistoryOp = {
      client: p.client.index,
      op: op.op,
      key: op.key,
      value: op.op === 'put' || op.op === 'append' || op.op === 'cas' ? op.value : null,
      output: status === 'ok' ? output : null,
      call: p.call,
      return: this.hooks.now(),
      status,
    };
    if (op.op === 'cas') rec.expect = op.expect;
    if (error) rec.error = error;
    this.hooks.record(rec);
  }

  /** Operations currently outstanding (for tests and the status line). */
  inFlight(): number {
    return this.byKey.size;
  }
}
