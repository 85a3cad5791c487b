/**
 * The bytes of a key-value command in a log entry: a ClientRequest ({client, seq, op})
 * in standard msgpack, as a compact array
 *
 *   [1, client, seq, 'put', key, value]
 *   [1, client, seq, 'get' | 'delete', key]
 *   [1, client, seq, 'cas', key, expect | null, value]
 *   [1, client, seq, 'append', key, value]
 *
 * The leading 1 is the format version. Decoding validates everything, because a log entry
 * is applied on every node: a bad command must be rejected the same way everywhere.
 *
 * What a valid request is has one declaration, `ClientRequestSchema` (src/contract/client.ts,
 * docs/contracts.md): this file only maps the array's positions onto that object and back.
 */
import { Packr } from 'msgpackr';
import { checkClientRequest, type ClientRequest } from '../../contract/client';
import { ValidationError } from '../../contract/validateCore';

const packr = new Packr({ useRecords: false });
const FORMAT_VERSION = 1;

/** How many values follow the key for each operation, in their array order. */
const VALUES_AFTER_KEY = { put: ['value'], append: ['value'], get: [], delete: [], cas: ['expect', 'value'] } as const;

/** Command bytes (or a decoded value) that are not a valid key-value command. */
export class InvalidCommandError extends Error {
  override readonly name = 'InvalidCommandError';
  constructor(
    message: string,
    /** The client and seq, when they could be read: lets the node answer the right request. */
    readonly client?: string,
    readonly seq?: number,
  ) {
    super(message);
  }
}

export function encodeCommand(request: ClientRequest): Uint8Array {
  const { client, seq, op } = validateClientRequest(request);
  const head = [FORMAT_VERSION, client, seq, op.op, op.key];
  switch (op.op) {
    case 'put':
    case 'append':
      return packr.pack([...head, op.value]);
    case 'get':
    case 'delete':
      return packr.pack(head);
    case 'cas':
      return packr.pack([...head, op.expect, op.value]);
  }
}

/** Decodes and validates command bytes; throws InvalidCommandError with the reason. */
export function decodeCommand(bytes: Uint8Array): ClientRequest {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (err) {
    throw new InvalidCommandError(`command is not valid msgpack: ${(err as Error).message}`);
  }
  if (!Array.isArray(value) || value.length < 5) throw new InvalidCommandError('command is not an array of at least 5 elements');
  const [version, client, seq, opName, key, ...rest] = value as unknown[];
  if (version !== FORMAT_VERSION) throw new InvalidCommandError(`unknown command format version ${String(version)}`);
  const op: Record<string, unknown> = { op: opName, key };
  const names = typeof opName === 'string' && Object.hasOwn(VALUES_AFTER_KEY, opName) ? VALUES_AFTER_KEY[opName as keyof typeof VALUES_AFTER_KEY] : undefined;
  // The positions are the wire format's, which the object schema cannot see: an extra or
  // missing trailing element is reported here, everything else by the declaration.
  if (names && rest.length !== names.length) {
    // A valid stand-in op: what is checked is whether client and seq can name the answer.
    const request = validateClientRequest({ client, seq, op: { op: 'get', key: '' } });
    throw new InvalidCommandError(
      `${opName as string} takes ${names.length === 0 ? 'no value' : names.join(' and ')} after the key, got ${rest.length} value(s)`,
      request.client,
      request.seq,
    );
  }
  names?.forEach((name, i) => (op[name] = rest[i]));
  return validateClientRequest({ client, seq, op });
}

/**
 * Checks a ClientRequest against its declaration and returns the decoded copy. Throws
 * InvalidCommandError with the declaration's `path: problem`, carrying the client and seq
 * when they were valid (the declaration checks them before `op`, and stops at the first
 * problem), so the node can answer the request that sent it.
 */
export function validateClientRequest(value: unknown): ClientRequest {
  try {
    return checkClientRequest(value);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const at = err.path.split(/[.[]/)[0];
    const request = value as { client?: unknown; seq?: unknown } | null;
    const client = at === '' || at === 'client' ? undefined : (request?.client as string);
    const seq = client === undefined || at === 'seq' ? undefined : (request?.seq as number);
    throw new InvalidCommandError(err.message, client, seq);
  }
}
