/**
 * The key-value client protocol between workload clients (the lab) and a node's client
 * socket. Requests and responses travel in batches: one frame carries many of them, which
 * is what lets a node reach tens of thousands of writes per second over ZeroMQ.
 * Declared once (docs/contracts.md).
 */
import { LIMITS } from './limits';
import * as v from 'valibot';
import { arrayOf, checker, decoder, literal, nodeId, object, str, tagged, uint, variantCase, type Decoded } from './schemaKit';

const key = str(LIMITS.keyLength);
const value = str(LIMITS.valueLength);
const client = str(LIMITS.clientIdLength, 1);
const text = str(LIMITS.textLength);

export const KvOpSchema = tagged('op', [
  variantCase({ op: v.literal('put'), key, value }),
  variantCase({ op: v.literal('get'), key }),
  variantCase({ op: v.literal('delete'), key }),
  /** Compare-and-set: succeeds when the current value equals `expect` (null: key absent). */
  variantCase({ op: v.literal('cas'), key, expect: v.nullable(value), value }),
  variantCase({ op: v.literal('append'), key, value }),
]);
export type KvOp = Decoded<typeof KvOpSchema>;
export type KvOpName = KvOp['op'];

export const ClientRequestSchema = object({
  /** Client session id; with `seq` it makes retried writes apply once (§8). */
  client,
  /** Per-client request number, strictly increasing across new requests, reused on retry. */
  seq: uint,
  op: KvOpSchema,
});
export type ClientRequest = Decoded<typeof ClientRequestSchema>;

/**
 * Every answer says whether the operation certainly happened (`ok`), certainly did not
 * (`fail`), or may have (`info`), which is what a linearizability checker needs.
 */
export const ClientResponseSchema = tagged('status', [
  variantCase({
    client,
    seq: uint,
    status: v.literal('ok'),
    /** get: the value (null when absent); put/append/cas/delete: the value after the op. */
    value: v.nullable(value),
    /** Log index the write applied at, or the read index for a get. */
    index: uint,
  }),
  variantCase({
    client,
    seq: uint,
    status: v.literal('fail'),
    error: literal('not_leader', 'cas_mismatch', 'invalid_request', 'overloaded', 'stopping'),
    /** Known leader for not_leader, so clients can redirect. */
    leader: v.optional(v.nullable(nodeId)),
    /** Client address of that leader, when known. */
    leaderAddress: v.optional(v.nullable(str(LIMITS.addressLength))),
    /** cas_mismatch: the current value. */
    value: v.optional(v.nullable(value)),
    message: v.optional(text),
  }),
  variantCase({
    client,
    seq: uint,
    status: v.literal('info'),
    /**
     * leadership_lost / timeout: the write was proposed but its fate is unknown (leadership
     * changed before commit). duplicate: a retry of a request older than the client's latest;
     * its outcome is not known here.
     */
    error: literal('leadership_lost', 'timeout', 'duplicate'),
    message: v.optional(text),
  }),
]);
export type ClientResponse = Decoded<typeof ClientResponseSchema>;

export const ClientRequestBatchSchema = object({ requests: arrayOf(ClientRequestSchema, LIMITS.clientRequestsPerBatch) });
export type ClientRequestBatch = Decoded<typeof ClientRequestBatchSchema>;

export const ClientResponseBatchSchema = object({ responses: arrayOf(ClientResponseSchema, LIMITS.clientRequestsPerBatch) });
export type ClientResponseBatch = Decoded<typeof ClientResponseBatchSchema>;

export const checkClientRequest = checker(ClientRequestSchema);
export const checkClientRequestBatch = checker(ClientRequestBatchSchema);
export const checkClientResponse = checker(ClientResponseSchema);
export const checkClientResponseBatch = checker(ClientResponseBatchSchema);
export const validateClientRequestBatch = decoder(ClientRequestBatchSchema);
export const validateClientResponseBatch = decoder(ClientResponseBatchSchema);
