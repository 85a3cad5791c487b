/**
 * The key-value client protocol between workload clients (the lab) and a node's client
 * socket. Requests and responses travel in batches: one frame carries many of them, which
 * is what lets a node reach tens of thousands of writes per second over ZeroMQ.
 */
import type { NodeId } from '../raft/types';

export type KvOp =
  | { op: 'put'; key: string; value: string }
  | { op: 'get'; key: string }
  | { op: 'delete'; key: string }
  /** Compare-and-set: succeeds when the current value equals `expect` (null: key absent). */
  | { op: 'cas'; key: string; expect: string | null; value: string }
  | { op: 'append'; key: string; value: string };

export type KvOpName = KvOp['op'];

export interface ClientRequest {
  /** Client session id; with `seq` it makes retried writes apply once (§8). */
  client: string;
  /** Per-client request number, strictly increasing across new requests, reused on retry. */
  seq: number;
  op: KvOp;
}

/**
 * Every answer says whether the operation certainly happened (`ok`), certainly did not
 * (`fail`), or may have (`info`), which is what a linearizability checker needs.
 */
export type ClientResponse =
  | {
      client: string;
      seq: number;
      status: 'ok';
      /** get: the value (null when absent); put/append/cas/delete: the value after the op. */
      value: string | null;
      /** Log index the write applied at, or the read index for a get. */
      index: number;
    }
  | {
      client: string;
      seq: number;
      status: 'fail';
      error: 'not_leader' | 'cas_mismatch' | 'invalid_request' | 'overloaded' | 'stopping';
      /** Known leader for not_leader, so clients can redirect. */
      leader?: NodeId | null;
      /** Client address of that leader, when known. */
      leaderAddress?: string | null;
      /** cas_mismatch: the current value. */
      value?: string | null;
      message?: string;
    }
  | {
      client: string;
      seq: number;
      status: 'info';
      /** The write was proposed but its fate is unknown (leadership changed before commit). */
      /** duplicate: a retry of a request older than the client's latest; its outcome is not known here. */
      error: 'leadership_lost' | 'timeout' | 'duplicate';
      message?: string;
    };

export interface ClientRequestBatch {
  requests: ClientRequest[];
}

export interface ClientResponseBatch {
  responses: ClientResponse[];
}
