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
 */
import { Packr } from 'msgpackr';
import type { ClientRequest, KvOp } from '../../contract/client';

const packr = new Packr({ useRecords: false });
const FORMAT_VERSION = 1;

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
  const valid = validateClientRequest(request);
  const { client, seq, op } = valid;
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
  checkClientAndSeq(client, seq);
  const fail = (message: string): never => {
    throw new InvalidCommandError(message, client as string, seq as number);
  };
  if (typeof key !== 'string') fail('key must be a string');
  let op: KvOp;
  switch (opName) {
    case 'put':
    case 'append':
      if (rest.length !== 1 || typeof rest[0] !== 'string') fail(`${opName} needs exactly one string value`);
      op = { op: opName, key: key as string, value: rest[0] as string };
      break;
    case 'get':
    case 'delete':
      if (rest.length !== 0) fail(`${opName} takes no value`);
      op = { op: opName, key: key as string };
      break;
    case 'cas':
      if (rest.length !== 2 || (rest[0] !== null && typeof rest[0] !== 'string') || typeof rest[1] !== 'string') {
        fail('cas needs expect (string or null) and a string value');
      }
      op = { op: 'cas', key: key as string, expect: rest[0] as string | null, value: rest[1] as string };
      break;
    default:
      return fail(`unknown operation ${describe(opName)}`);
  }
  return { client: client as string, seq: seq as number, op };
}

/**
 * Checks a decoded ClientRequest (e.g. from the client socket) and returns it in canonical
 * form (only the known fields). Throws InvalidCommandError with the reason.
 */
export function validateClientRequest(value: unknown): ClientRequest {
  if (typeof value !== 'object' || value === null) throw new InvalidCommandError('request must be an object');
  const { client, seq, op } = value as Record<string, unknown>;
  checkClientAndSeq(client, seq);
  const fail = (message: string): never => {
    throw new InvalidCommandError(message, client as string, seq as number);
  };
  if (typeof op !== 'object' || op === null) return fail('op must be an object');
  const o = op as Record<string, unknown>;
  if (typeof o.key !== 'string') fail('op.key must be a string');
  const key = o.key as string;
  switch (o.op) {
    case 'put':
    case 'append':
      if (typeof o.value !== 'string') fail(`${o.op} needs a string value`);
      return { client: client as string, seq: seq as number, op: { op: o.op, key, value: o.value as string } };
    case 'get':
    case 'delete':
      return { client: client as string, seq: seq as number, op: { op: o.op, key } };
    case 'cas':
      if (o.expect !== null && typeof o.expect !== 'string') fail('cas expect must be a string or null');
      if (typeof o.value !== 'string') fail('cas needs a string value');
      return { client: client as string, seq: seq as number, op: { op: 'cas', key, expect: o.expect as string | null, value: o.value as string } };
    default:
      return fail(`unknown operation ${describe(o.op)}`);
  }
}

function checkClientAndSeq(client: unknown, seq: unknown): void {
  if (typeof client !== 'string' || client.length === 0) throw new InvalidCommandError('client must be a non-empty string');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    throw new InvalidCommandError('seq must be a non-negative safe integer', client);
  }
}

/** A short, never-throwing description of an untrusted value for error messages. */
function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v) : typeof v;
}
