/**
 * The debugger's client (issue 11: "submit a client request" while frozen): one put at a
 * time, sent to the node the user chose, answered whenever that node answers. A frozen
 * node still steps client requests (docs/debugger.md), so a leader appends the entry at once
 * and its AppendEntries are held at the followers; the answer comes only once the user has
 * delivered enough of them for the entry to commit (§5.3), which may take minutes. So there
 * is no timeout and no retry here, unlike the workload's clients (src/lab/workload.ts).
 *
 * Every put is its own client (a fresh client id and history index, seq 1): the
 * linearizability checker treats a client as one single-threaded process, and a user may
 * submit a second put before the first is answered. Outcomes go to the run's history like
 * the workload's: ok; fail when the node certainly did not apply it (not the leader,
 * overloaded, stopping); info when it may have (leadership changed after it was proposed,
 * or the run ended before an answer).
 */
import type { NodeId } from '../../raft/types';
import type { ClientRequest, ClientResponse } from '../../contract/client';
import type { HistoryOp } from '../../contract/runEvents';

export interface DebugClientDeps {
  send(node: NodeId, requests: ClientRequest[]): void;
  now(): number;
  recordOp(op: HistoryOp): void;
  /** Client ids are `${prefix}${n}`: distinct from the workload's (`…-c`). */
  prefix: string;
}

/**
 * History indexes of the debugger's puts start here, above any workload client's index
 * (LIMITS.workload clients are far fewer), so they never share a checker process.
 */
export const DEBUG_CLIENT_FIRST_INDEX = 1_000_000;

interface PendingPut {
  index: number;
  node: NodeId;
  key: string;
  value: string;
  call: number;
}

export class DebugClient {
  private count = 0;
  private readonly pending = new Map<string, PendingPut>();

  constructor(private readonly deps: DebugClientDeps) {}

  /** Whether a client response is an answer to one of this client's puts. */
  owns(res: ClientResponse): boolean {
    return res.client.startsWith(this.deps.prefix);
  }

  /** Sends a put to `node`; returns the client id it travels under. */
  put(node: NodeId, key: string, value: string): string {
    const client = `${this.deps.prefix}${++this.count}`;
    this.pending.set(client, { index: DEBUG_CLIENT_FIRST_INDEX + this.count - 1, node, key, value, call: this.deps.now() });
    this.deps.send(node, [{ client, seq: 1, op: { op: 'put', key, value } }]);
    return client;
  }

  /** Puts sent and not answered yet. */
  outstanding(): number {
    return this.pending.size;
  }

  onResponse(from: NodeId, res: ClientResponse): void {
    const p = this.pending.get(res.client);
    if (!p || p.node !== from || res.seq !== 1) return; // not an answer to a put still open
    if (res.status === 'ok') this.finish(res.client, p, 'ok', res.value, undefined);
    else if (res.status === 'fail') this.finish(res.client, p, 'fail', null, res.error);
    else this.finish(res.client, p, 'info', null, res.error);
  }

  /** The run ends: a put never answered may still have been applied. */
  finishAll(): void {
    for (const [client, p] of [...this.pending]) this.finish(client, p, 'info', null, 'the run ended before the node answered');
  }

  private finish(client: string, p: PendingPut, status: HistoryOp['status'], output: string | null, error: string | undefined): void {
    this.pending.delete(client);
    const op: HistoryOp = { client: p.index, op: 'put', key: p.key, value: p.value, output, call: p.call, return: this.deps.now(), status };
    if (error !== undefined) op.error = error;
    this.deps.recordOp(op);
  }
}
