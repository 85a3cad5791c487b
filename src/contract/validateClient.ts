/**
 * Runtime checks for the key-value client protocol (src/contract/client.ts).
 * No Node imports: src/contract is shared with the renderer.
 */
import type { ClientRequest, ClientRequestBatch, ClientResponse, ClientResponseBatch } from './client';
import { arrayOf, literal, nodeId, nullable, object, str, tagged, uint, validate, type Check, type ValidationResult } from './validateCore';
import { LIMITS } from './limits';

const key = str(LIMITS.keyLength);
const value = str(LIMITS.valueLength);

const kvOp = tagged('op', {
  put: object({ op: literal('put'), key, value }),
  get: object({ op: literal('get'), key }),
  delete: object({ op: literal('delete'), key }),
  cas: object({ op: literal('cas'), key, expect: nullable(value), value }),
  append: object({ op: literal('append'), key, value }),
});

export const checkClientRequest: Check<ClientRequest> = object({
  client: str(LIMITS.clientIdLength, 1),
  seq: uint,
  op: kvOp,
});

export const checkClientRequestBatch: Check<ClientRequestBatch> = object({
  requests: arrayOf(checkClientRequest, LIMITS.clientRequestsPerBatch),
});

const client = str(LIMITS.clientIdLength, 1);
const text = str(LIMITS.textLength);

export const checkClientResponse: Check<ClientResponse> = tagged('status', {
  ok: object({ client, seq: uint, status: literal('ok'), value: nullable(value), index: uint }),
  fail: object(
    {
      client,
      seq: uint,
      status: literal('fail'),
      error: literal('not_leader', 'cas_mismatch', 'invalid_request', 'overloaded', 'stopping'),
    },
    {
      leader: nullable(nodeId),
      leaderAddress: nullable(str(LIMITS.addressLength)),
      value: nullable(value),
      message: text,
    },
  ),
  info: object(
    { client, seq: uint, status: literal('info'), error: literal('leadership_lost', 'timeout') },
    { message: text },
  ),
});

export const checkClientResponseBatch: Check<ClientResponseBatch> = object({
  responses: arrayOf(checkClientResponse, LIMITS.clientRequestsPerBatch),
});

export function validateClientRequestBatch(v: unknown): ValidationResult<ClientRequestBatch> {
  return validate(checkClientRequestBatch, v);
}

export function validateClientResponseBatch(v: unknown): ValidationResult<ClientResponseBatch> {
  return validate(checkClientResponseBatch, v);
}
