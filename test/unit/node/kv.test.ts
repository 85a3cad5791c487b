import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { ClientRequest, KvOp } from '../../../src/contract/client';
import {
  decodeCommand,
  encodeCommand,
  entryDigest,
  InvalidCommandError,
  InvalidSnapshotError,
  KvStateMachine,
  validateClientRequest,
} from '../../../src/node/kv';
import { Fnv1a64 } from '../../../src/node/kv/fnv';
import type { Entry } from '../../../src/raft/types';

const packr = new Packr({ useRecords: false });

/** Feeds commands to a state machine as consecutive log entries. */
class Driver {
  index = 0;
  constructor(readonly sm = new KvStateMachine(), readonly term = 1) {
    this.index = sm.appliedIndex;
  }
  entry(data: Uint8Array, kind: Entry['kind'] = 'command'): Entry {
    return { index: ++this.index, term: this.term, kind, data };
  }
  run(client: string, seq: number, op: KvOp) {
    return this.sm.apply(this.entry(encodeCommand({ client, seq, op })));
  }
  raw(bytes: Uint8Array) {
    return this.sm.apply(this.entry(bytes));
  }
}

describe('command encoding', () => {
  const requests: ClientRequest[] = [
    { client: 'c1', seq: 1, op: { op: 'put', key: 'k', value: 'v' } },
    { client: 'c1', seq: 2, op: { op: 'get', key: 'k' } },
    { client: 'c1', seq: 3, op: { op: 'delete', key: '' } },
    { client: 'c1', seq: 4, op: { op: 'cas', key: 'k', expect: null, value: 'x' } },
    { client: 'c1', seq: 2 ** 40, op: { op: 'cas', key: 'k', expect: 'x', value: 'ünïcødé' } },
    { client: 'c2', seq: 0, op: { op: 'append', key: 'log', value: 'a' } },
  ];

  it('round-trips every operation', () => {
    for (const r of requests) expect(decodeCommand(encodeCommand(r))).toEqual(r);
  });

  it('encodes as standard msgpack arrays', () => {
    expect(packr.unpack(encodeCommand(requests[3]))).toEqual([1, 'c1', 4, 'cas', 'k', null, 'x']);
  });

  it('rejects malformed bytes and shapes with a clear error', () => {
    // The wording is the declaration's (ClientRequestSchema, src/contract/client.ts); the
    // arity of each operation is the array format's own check.
    const bad: [unknown, RegExp][] = [
      [[2, 'c', 1, 'put', 'k', 'v'], /format version 2/],
      [[1, '', 1, 'put', 'k', 'v'], /^client: string shorter than 1/],
      [[1, 'c', -1, 'put', 'k', 'v'], /^seq: expected a non-negative integer/],
      [[1, 'c', 1.5, 'put', 'k', 'v'], /^seq: expected a non-negative integer/],
      [[1, 'c', 1, 'put', 'k'], /put takes value after the key, got 0/],
      [[1, 'c', 1, 'put'], /at least 5/],
      [[1, 'c', 1, 'put', 'k', 5], /^op.value: expected a string/],
      [[1, 'c', 1, 'put', 'k', 'v', 'w'], /put takes value after the key, got 2/],
      [[1, 'c', 1, 'get', 'k', 'v'], /get takes no value after the key, got 1/],
      [[1, 'c', 1, 'cas', 'k', 3, 'v'], /^op.expect: expected a string/],
      [[1, 'c', 1, 'cas', 'k', 'v'], /cas takes expect and value after the key, got 1/],
      [[1, 'c', 1, 'frob', 'k'], /^op.op: unknown op "frob"/],
      [[1, 'c', 1, 'put', 7, 'v'], /^op.key: expected a string/],
      [[1, 'c', 1, 'toString', 'k'], /^op.op: unknown op "toString"/],
      [{ client: 'c' }, /array/],
    ];
    for (const [value, pattern] of bad) {
      expect(() => decodeCommand(packr.pack(value)), JSON.stringify(value)).toThrow(pattern);
    }
    expect(() => decodeCommand(new Uint8Array([0x93, 0x01]))).toThrow(InvalidCommandError);
    expect(() => decodeCommand(new Uint8Array([0xc1]))).toThrow(InvalidCommandError);
    expect(() => decodeCommand(new Uint8Array(0))).toThrow(InvalidCommandError);
    const trailing = new Uint8Array([...encodeCommand(requests[0]), 0x00]);
    expect(() => decodeCommand(trailing)).toThrow(/not valid msgpack/);
  });

  it('names the client and seq of a bad command only when they are valid', () => {
    const read = (value: unknown) => {
      try {
        decodeCommand(packr.pack(value));
      } catch (err) {
        return { client: (err as InvalidCommandError).client, seq: (err as InvalidCommandError).seq };
      }
      throw new Error('accepted');
    };
    expect(read([1, 'c', 3, 'frob', 'k'])).toEqual({ client: 'c', seq: 3 });
    expect(read([1, 'c', 3, 'get', 'k', 'v'])).toEqual({ client: 'c', seq: 3 });
    expect(read([1, 'c', -1, 'frob', 'k'])).toEqual({ client: 'c', seq: undefined });
    expect(read([1, 5, 3, 'get', 'k'])).toEqual({ client: undefined, seq: undefined });
  });

  it('validates ClientRequest objects against the one declaration', () => {
    // Unknown fields are refused, as on the client socket (ClientRequestBatchSchema).
    expect(validateClientRequest({ client: 'a', seq: 1, op: { op: 'put', key: 'k', value: 'v' } })).toEqual({
      client: 'a',
      seq: 1,
      op: { op: 'put', key: 'k', value: 'v' },
    });
    expect(() => validateClientRequest({ client: 'a', seq: 1, op: { op: 'put', key: 'k', value: 'v', extra: 1 } })).toThrow(/unexpected field "extra"/);
    expect(() => validateClientRequest(null)).toThrow(/object/);
    expect(() => validateClientRequest({ client: 'a', seq: 1, op: { op: 'cas', key: 'k', value: 'v' } })).toThrow(/expect/);
    expect(() => encodeCommand({ client: 'a', seq: 1, op: { op: 'put', key: 'k' } } as unknown as ClientRequest)).toThrow(/value/);
  });
});

describe('KvStateMachine operations', () => {
  it('put, get, delete, append', () => {
    const d = new Driver();
    expect(d.run('c', 1, { op: 'get', key: 'a' }).response).toEqual({ client: 'c', seq: 1, status: 'ok', value: null, index: 1 });
    expect(d.run('c', 2, { op: 'put', key: 'a', value: 'x' }).response).toEqual({ client: 'c', seq: 2, status: 'ok', value: 'x', index: 2 });
    expect(d.sm.get('a')).toBe('x');
    expect(d.run('c', 3, { op: 'append', key: 'a', value: 'yz' }).response).toMatchObject({ status: 'ok', value: 'xyz', index: 3 });
    expect(d.run('c', 4, { op: 'append', key: 'b', value: 'new' }).response).toMatchObject({ status: 'ok', value: 'new' });
    expect(d.run('c', 5, { op: 'get', key: 'a' }).response).toMatchObject({ value: 'xyz', index: 5 });
    expect(d.run('c', 6, { op: 'delete', key: 'a' }).response).toMatchObject({ status: 'ok', value: null, index: 6 });
    expect(d.sm.get('a')).toBeNull();
    expect(d.run('c', 7, { op: 'delete', key: 'never' }).response).toMatchObject({ status: 'ok', value: null });
    expect(d.sm.size).toBe(1);
    expect(d.sm.appliedIndex).toBe(7);
  });

  it('cas succeeds only on the expected value; null means absent', () => {
    const d = new Driver();
    expect(d.run('c', 1, { op: 'cas', key: 'k', expect: null, value: 'one' }).response).toMatchObject({ status: 'ok', value: 'one', index: 1 });
    const miss = d.run('c', 2, { op: 'cas', key: 'k', expect: null, value: 'two' });
    expect(miss.outcome).toBe('applied');
    expect(miss.response).toEqual({ client: 'c', seq: 2, status: 'fail', error: 'cas_mismatch', value: 'one' });
    expect(d.sm.get('k')).toBe('one');
    expect(d.run('c', 3, { op: 'cas', key: 'k', expect: 'one', value: 'two' }).response).toMatchObject({ status: 'ok', value: 'two' });
    expect(d.run('c', 4, { op: 'cas', key: 'other', expect: 'x', value: 'y' }).response).toMatchObject({ status: 'fail', error: 'cas_mismatch', value: null });
    expect(d.sm.get('other')).toBeNull();
    // An empty string is a value, not absence.
    d.run('c', 5, { op: 'put', key: 'e', value: '' });
    expect(d.run('c', 6, { op: 'cas', key: 'e', expect: null, value: 'z' }).response).toMatchObject({ status: 'fail', value: '' });
    expect(d.run('c', 7, { op: 'cas', key: 'e', expect: '', value: 'z' }).response).toMatchObject({ status: 'ok', value: 'z' });
  });

  it('skips noop and config entries but advances the applied index', () => {
    const d = new Driver();
    const r = d.sm.apply({ index: 1, term: 1, kind: 'noop', data: new Uint8Array(0) });
    expect(r).toMatchObject({ outcome: 'skipped', response: null, index: 1 });
    d.index = 1;
    expect(d.sm.apply({ index: 2, term: 2, kind: 'config', data: new Uint8Array(0), config: { voters: [1, 2] } }).outcome).toBe('skipped');
    expect(d.sm.appliedIndex).toBe(2);
    expect(d.sm.appliedTerm).toBe(2);
  });

  it('refuses entries out of order', () => {
    const sm = new KvStateMachine();
    expect(() => sm.apply({ index: 2, term: 1, kind: 'noop', data: new Uint8Array(0) })).toThrow(/expected index 1, got 2/);
  });
});

describe('KvStateMachine sessions', () => {
  it('answers a retry of the last seq from the cache without applying it again', () => {
    const d = new Driver();
    const first = d.run('c', 1, { op: 'append', key: 'k', value: 'a' });
    const retry = d.run('c', 1, { op: 'append', key: 'k', value: 'a' });
    expect(retry.outcome).toBe('cached');
    expect(retry.response).toEqual(first.response);
    expect(retry.response).toMatchObject({ index: 1 });
    expect(d.sm.get('k')).toBe('a');
    // Cached fails stay fails.
    const failed = d.run('c', 2, { op: 'cas', key: 'k', expect: 'zz', value: 'b' });
    expect(d.run('c', 2, { op: 'cas', key: 'k', expect: 'a', value: 'b' }).response).toEqual(failed.response);
    expect(d.sm.get('k')).toBe('a');
  });

  it('marks older seqs as duplicates and applies nothing', () => {
    const d = new Driver();
    d.run('c', 5, { op: 'put', key: 'k', value: 'five' });
    d.run('c', 6, { op: 'put', key: 'k', value: 'six' });
    const old = d.run('c', 5, { op: 'put', key: 'k', value: 'five' });
    expect(old).toMatchObject({ outcome: 'duplicate', response: null, client: 'c', seq: 5, index: 3 });
    expect(old.message).toMatch(/older than seq 6/);
    expect(d.sm.get('k')).toBe('six');
    // Other clients are independent.
    expect(d.run('other', 1, { op: 'append', key: 'k', value: '!' }).response).toMatchObject({ value: 'six!' });
  });

  it('evicts the least recently applied client beyond the bound', () => {
    const d = new Driver(new KvStateMachine({ maxSessions: 3 }));
    d.run('a', 1, { op: 'append', key: 'k', value: 'a' });
    d.run('b', 1, { op: 'append', key: 'k', value: 'b' });
    d.run('c', 1, { op: 'append', key: 'k', value: 'c' });
    d.run('a', 2, { op: 'append', key: 'k', value: 'A' }); // a is now the most recent
    d.run('d', 1, { op: 'append', key: 'k', value: 'd' }); // evicts b
    expect(d.sm.sessionCount).toBe(3);
    expect(d.run('a', 2, { op: 'append', key: 'k', value: 'A' }).outcome).toBe('cached');
    // b lost its session: its retry applies again (the documented cost of the bound).
    expect(d.run('b', 1, { op: 'append', key: 'k', value: 'b' }).outcome).toBe('applied');
    expect(d.sm.get('k')).toBe('abcAdb');
  });
});

describe('KvStateMachine malformed commands', () => {
  it('applies them as a no-op answered invalid_request, identically on every replica', () => {
    const replicas = [new Driver(), new Driver()];
    const inputs = [
      packr.pack([1, 'c', 1, 'frob', 'k']),
      new Uint8Array([0xff, 0x00, 0x13]),
      packr.pack([1, 'c', 2, 'put', 'k', 'v']),
    ];
    const results = replicas.map((d) => inputs.map((bytes) => d.raw(bytes)));
    expect(results[0]).toEqual(results[1]);
    const [badOp, garbage, good] = results[0];
    expect(badOp).toMatchObject({ outcome: 'invalid', client: 'c', seq: 1 });
    expect(badOp.response).toEqual({ client: 'c', seq: 1, status: 'fail', error: 'invalid_request', message: badOp.message });
    expect(garbage).toMatchObject({ outcome: 'invalid', response: null });
    expect(garbage.message).toMatch(/msgpack|array/);
    expect(good).toMatchObject({ outcome: 'applied', index: 3 });
    expect(replicas[0].sm.stateDigest()).toBe(replicas[1].sm.stateDigest());
  });
});

describe('KvStateMachine snapshots', () => {
  function populated(): Driver {
    const d = new Driver(new KvStateMachine({ maxSessions: 100 }));
    for (let i = 0; i < 50; i++) d.run(`client-${i % 7}`, Math.floor(i / 7) + 1, { op: 'append', key: `k${i % 11}`, value: String(i) });
    d.run('client-0', 100, { op: 'delete', key: 'k3' });
    d.run('caser', 1, { op: 'cas', key: 'k1', expect: 'nope', value: 'x' });
    return d;
  }

  it('round-trips data, sessions and the applied index', () => {
    const source = populated();
    const bytes = source.sm.snapshot();
    const copy = new KvStateMachine({ maxSessions: 100 });
    copy.restore(bytes);
    expect(copy.appliedIndex).toBe(source.sm.appliedIndex);
    expect(copy.appliedTerm).toBe(1);
    expect(copy.stateDigest()).toBe(source.sm.stateDigest());
    expect(Buffer.from(copy.snapshot()).equals(Buffer.from(bytes))).toBe(true);
    for (let i = 0; i < 11; i++) expect(copy.get(`k${i}`)).toBe(source.sm.get(`k${i}`));

    // Sessions survived: retries are answered from the cache on the restored copy.
    const d = new Driver(copy);
    expect(d.run('client-0', 100, { op: 'delete', key: 'k3' })).toMatchObject({ outcome: 'cached', response: { index: 51 } });
    expect(d.run('caser', 1, { op: 'cas', key: 'k1', expect: 'nope', value: 'x' }).response).toMatchObject({ status: 'fail', error: 'cas_mismatch' });
    expect(d.run('client-1', 1, { op: 'put', key: 'z', value: 'z' }).outcome).toBe('duplicate');
    // And both replicas continue identically.
    const s = new Driver(source.sm);
    s.run('client-0', 100, { op: 'delete', key: 'k3' });
    s.run('caser', 1, { op: 'cas', key: 'k1', expect: 'nope', value: 'x' });
    s.run('client-1', 1, { op: 'put', key: 'z', value: 'z' });
    expect(copy.stateDigest()).toBe(source.sm.stateDigest());
  });

  it('keeps session recency order across a snapshot (so evictions stay identical)', () => {
    const a = new Driver(new KvStateMachine({ maxSessions: 2 }));
    a.run('x', 1, { op: 'put', key: 'k', value: '1' });
    a.run('y', 1, { op: 'put', key: 'k', value: '2' });
    a.run('x', 2, { op: 'put', key: 'k', value: '3' });
    const b = new Driver(new KvStateMachine({ maxSessions: 2 }));
    b.sm.restore(a.sm.snapshot());
    b.index = b.sm.appliedIndex;
    for (const d of [a, b]) d.run('z', 1, { op: 'put', key: 'k', value: '4' }); // evicts y on both
    expect(b.run('y', 1, { op: 'put', key: 'k', value: '2' }).outcome).toBe('applied');
    expect(a.run('y', 1, { op: 'put', key: 'k', value: '2' }).outcome).toBe('applied');
    expect(a.sm.stateDigest()).toBe(b.sm.stateDigest());
  });

  it('rejects damaged snapshot bytes and keeps its state', () => {
    const d = populated();
    const before = d.sm.stateDigest();
    const bad = [
      new Uint8Array([1, 2, 3]),
      packr.pack([2, 1, 1, [], []]),
      packr.pack([1, 1, 1, ['k'], []]),
      packr.pack([1, 1, 1, [], [['c', 1, 1, 7, null]]]),
      packr.pack([1, -1, 1, [], []]),
    ];
    for (const bytes of bad) expect(() => d.sm.restore(bytes)).toThrow(InvalidSnapshotError);
    expect(d.sm.stateDigest()).toBe(before);
  });
});

describe('digests', () => {
  it('FNV-1a 64 matches the reference vectors', () => {
    const enc = new TextEncoder();
    expect(new Fnv1a64().hex()).toBe('cbf29ce484222325');
    expect(new Fnv1a64().bytes(enc.encode('a')).hex()).toBe('af63dc4c8601ec8c');
    expect(new Fnv1a64().bytes(enc.encode('foobar')).hex()).toBe('85944171f73967e8');
  });

  it('entryDigest is stable and sensitive to index, term, kind, data and config', () => {
    const data = encodeCommand({ client: 'c', seq: 1, op: { op: 'put', key: 'k', value: 'v' } });
    const base: Entry = { index: 7, term: 3, kind: 'command', data };
    const digest = entryDigest(base);
    expect(digest).toMatch(/^[0-9a-f]{16}$/);
    expect(entryDigest({ ...base, data: Uint8Array.from(data) })).toBe(digest);
    const variants: Entry[] = [
      { ...base, index: 8 },
      { ...base, term: 4 },
      { ...base, kind: 'noop' },
      { ...base, data: data.subarray(1) },
      { ...base, kind: 'config', config: { voters: [1, 2, 3] } },
      { ...base, kind: 'config', config: { voters: [1, 2], outgoing: [3] } },
    ];
    const digests = new Set([digest, ...variants.map(entryDigest)]);
    expect(digests.size).toBe(variants.length + 1);
    expect(new Driver().run('c', 1, { op: 'put', key: 'k', value: 'v' }).digest).toBe(entryDigest({ index: 1, term: 1, kind: 'command', data }));
  });
});
