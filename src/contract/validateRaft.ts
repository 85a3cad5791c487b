/**
 * Parses and validates the body of a 'raft' frame: the positional layout of
 * codecRaftWire.ts back into fresh `Message` objects.
 *
 * Hand-written rather than built from validateCore combinators because it is the hot path
 * (a 100-entry AppendEntries parses in a few µs). Every field gets its exact type:
 * terms/indexes are non-negative safe integers, node ids positive ones, flags booleans,
 * data bytes. Building new objects (instead of trusting the decoded ones) means the core
 * only ever sees objects of our own shape, whatever the decoder produced.
 *
 * Binary data: msgpackr decodes bin as a Node Buffer that is a view into the received
 * frame. It is normalized to a plain Uint8Array view over the same memory (no copy); the
 * frame buffer is never reused by ZeroMQ, so the view stays valid for as long as it is held.
 *
 * No Node imports: src/contract is shared with the renderer.
 */
import type { ClusterConfig, Entry, Message } from '../raft/types';
import { ENTRY_KINDS, RAFT_TYPE_CODES, type RaftBatch } from './codecRaftWire';
import { describe, fail, rethrowAt, ValidationError, validate, type Check, type ValidationResult } from './validateCore';
import { LIMITS } from './limits';

const TYPE_NAMES: readonly (Message['type'] | undefined)[] = (() => {
  const names: (Message['type'] | undefined)[] = [];
  for (const [name, code] of Object.entries(RAFT_TYPE_CODES)) names[code] = name as Message['type'];
  return names;
})();

/** Parses a batch of messages; throws ValidationError on any deviation. */
export const parseRaftBatch: Check<Message[]> = (value) => {
  if (!Array.isArray(value)) fail(`expected an array of messages, got ${describe(value)}`);
  if (value.length === 0) fail('empty message batch');
  if (value.length > LIMITS.raftMessagesPerFrame) fail(`more than ${LIMITS.raftMessagesPerFrame} messages in one frame`);
  const out: Message[] = new Array<Message>(value.length);
  for (let i = 0; i < value.length; i++) {
    try {
      out[i] = parseRaftMessage(value[i]);
    } catch (error) {
      rethrowAt(error, i);
    }
  }
  return out;
};

/**
 * Parses a 'raft' frame body in either form (codecRaftWire.ts): a plain batch, or
 * `[incarnation, [n...], [message...]]` with one id number per message.
 */
export const parseRaftFrameBody: Check<RaftBatch> = (value) => {
  if (Array.isArray(value) && typeof value[0] === 'number') {
    if (value.length !== 3) fail(`expected [incarnation, ids, messages], got an array of ${value.length}`);
    const incarnation = value[0] as number;
    if (!Number.isSafeInteger(incarnation) || incarnation < 0) at(0, `incarnation must be a non-negative integer, got ${describe(incarnation)}`);
    const ns = value[1];
    if (!Array.isArray(ns)) at(1, `expected a list of message numbers, got ${describe(ns)}`);
    for (let i = 0; i < ns.length; i++) if (!Number.isSafeInteger(ns[i]) || ns[i] < 0) at(1, `message number ${i} is ${describe(ns[i])}`);
    let messages: Message[];
    try {
      messages = parseRaftBatch(value[2]);
    } catch (error) {
      rethrowAt(error, 2);
    }
    if (ns.length !== messages.length) at(1, `${ns.length} message numbers for ${messages.length} messages`);
    return { messages, ids: { incarnation, ns: ns as number[] } };
  }
  return { messages: parseRaftBatch(value), ids: null };
};

/** Non-throwing form of `parseRaftBatch`. */
export function validateRaftBatch(value: unknown): ValidationResult<Message[]> {
  return validate(parseRaftBatch, value);
}

function parseRaftMessage(t: unknown): Message {
  if (!Array.isArray(t)) fail(`expected a message tuple, got ${describe(t)}`);
  if (t.length < 4) fail(`message tuple too short (${t.length})`);
  const code = t[0];
  const type = typeof code === 'number' ? TYPE_NAMES[code] : undefined;
  if (type === undefined) at(0, `unknown message type code ${describe(code)}`);
  const from = nodeIdAt(t, 1);
  const to = nodeIdAt(t, 2);
  const term = uintAt(t, 3);
  switch (type) {
    case 'vote':
      expectLength(t, 8, type);
      return {
        type,
        from,
        to,
        term,
        lastLogIndex: uintAt(t, 4),
        lastLogTerm: uintAt(t, 5),
        preVote: boolAt(t, 6),
        transfer: boolAt(t, 7),
      };
    case 'voteResp':
      expectLength(t, 6, type);
      return { type, from, to, term, granted: boolAt(t, 4), preVote: boolAt(t, 5) };
    case 'append':
      expectLength(t, 9, type);
      return {
        type,
        from,
        to,
        term,
        prevIndex: uintAt(t, 4),
        prevTerm: uintAt(t, 5),
        entries: entriesAt(t, 6),
        commit: uintAt(t, 7),
        seq: uintAt(t, 8),
      };
    case 'appendResp':
      expectLength(t, 10, type);
      return {
        type,
        from,
        to,
        term,
        success: boolAt(t, 4),
        matchIndex: uintAt(t, 5),
        rejectIndex: uintAt(t, 6),
        hintTerm: uintAt(t, 7),
        hintIndex: uintAt(t, 8),
        seq: uintAt(t, 9),
      };
    case 'heartbeat':
      expectLength(t, 6, type);
      return { type, from, to, term, commit: uintAt(t, 4), seq: uintAt(t, 5) };
    case 'heartbeatResp':
      expectLength(t, 5, type);
      return { type, from, to, term, seq: uintAt(t, 4) };
    case 'snapshot': {
      expectLength(t, 9, type);
      const index = uintAt(t, 4);
      const snapshotTerm = uintAt(t, 5);
      const config = configAt(t, 6);
      const data = bytesAt(t, 7);
      const checksum = uint32At(t, 8);
      return { type, from, to, term, snapshot: { meta: { index, term: snapshotTerm, config }, data }, checksum };
    }
    case 'timeoutNow':
      expectLength(t, 4, type);
      return { type, from, to, term };
  }
}

function at(index: number, problem: string): never {
  throw new ValidationError(`[${index}]`, problem);
}

function expectLength(t: unknown[], length: number, type: string): void {
  if (t.length !== length) fail(`${type} tuple must have ${length} fields, has ${t.length}`);
}

function uintAt(t: unknown[], i: number): number {
  const v = t[i];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) at(i, `expected a non-negative integer, got ${describe(v)}`);
  return v;
}

/** A CRC-32 (the snapshot checksum, src/raft/checksum.ts). */
function uint32At(t: unknown[], i: number): number {
  const v = t[i];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) at(i, `expected a 32-bit checksum, got ${describe(v)}`);
  return v;
}

function nodeIdAt(t: unknown[], i: number): number {
  const v = t[i];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) at(i, `expected a node id, got ${describe(v)}`);
  return v;
}

function boolAt(t: unknown[], i: number): boolean {
  const v = t[i];
  if (typeof v !== 'boolean') at(i, `expected a boolean, got ${describe(v)}`);
  return v;
}

function bytesAt(t: unknown[], i: number): Uint8Array {
  const v = t[i];
  if (!(v instanceof Uint8Array)) at(i, `expected bytes, got ${describe(v)}`);
  // A Buffer (or any subclass) becomes a plain Uint8Array view over the same bytes.
  return v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function entriesAt(t: unknown[], i: number): Entry[] {
  const v = t[i];
  if (!Array.isArray(v)) at(i, `expected an array of entries, got ${describe(v)}`);
  if (v.length > LIMITS.entriesPerMessage) at(i, `more than ${LIMITS.entriesPerMessage} entries`);
  const out: Entry[] = new Array<Entry>(v.length);
  for (let k = 0; k < v.length; k++) {
    try {
      out[k] = parseEntry(v[k]);
    } catch (error) {
      rethrowAt(error, k);
    }
  }
  return out;
}

function parseEntry(e: unknown): Entry {
  if (!Array.isArray(e)) fail(`expected an entry tuple, got ${describe(e)}`);
  const kindCode = e[2];
  const kind = typeof kindCode === 'number' ? ENTRY_KINDS[kindCode] : undefined;
  if (kind === undefined) at(2, `unknown entry kind code ${describe(kindCode)}`);
  if (kind === 'config') {
    if (e.length !== 5) fail(`config entry tuple must have 5 fields, has ${e.length}`);
    return { index: uintAt(e, 0), term: uintAt(e, 1), kind, data: bytesAt(e, 3), config: configAt(e, 4) };
  }
  if (e.length !== 4) fail(`${kind} entry tuple must have 4 fields, has ${e.length}`);
  return { index: uintAt(e, 0), term: uintAt(e, 1), kind, data: bytesAt(e, 3) };
}

function configAt(t: unknown[], i: number): ClusterConfig {
  const c = t[i];
  try {
    if (!Array.isArray(c)) fail(`expected a config tuple, got ${describe(c)}`);
    if (c.length === 1) return { voters: idsAt(c, 0) };
    if (c.length === 2) return { voters: idsAt(c, 0), outgoing: idsAt(c, 1) };
    if (c.length === 3) {
      // Learners (thesis §4.2.1) ride in a third list; an empty outgoing list means "not joint".
      const outgoing = idsAt(c, 1);
      const config: ClusterConfig = { voters: idsAt(c, 0), learners: idsAt(c, 2) };
      if (outgoing.length > 0) config.outgoing = outgoing;
      return config;
    }
    fail(`config tuple must have 1, 2 or 3 fields, has ${c.length}`);
  } catch (error) {
    rethrowAt(error, i);
  }
}

/** A set of node ids: positive integers, bounded, no duplicates (majorities count members). */
function idsAt(t: unknown[], i: number): number[] {
  const v = t[i];
  if (!Array.isArray(v)) at(i, `expected an array of node ids, got ${describe(v)}`);
  if (v.length > LIMITS.idsPerConfig) at(i, `more than ${LIMITS.idsPerConfig} node ids`);
  const ids: number[] = new Array<number>(v.length);
  for (let k = 0; k < v.length; k++) {
    try {
      ids[k] = nodeIdAt(v, k);
    } catch (error) {
      rethrowAt(error, i);
    }
  }
  if (new Set(ids).size !== ids.length) at(i, 'duplicate node id');
  return ids;
}
