/**
 * Building blocks for runtime validation of decoded wire data.
 *
 * Everything that arrives on a socket is untrusted: msgpack decoders happily produce
 * bigints, Dates, Maps, NaN, huge arrays or objects with surprising keys (msgpackr decodes
 * 0xC1 into an object and renames `__proto__`). A `Check<T>` either returns the value typed
 * as T or throws a `ValidationError` naming the offending path. Checks are strict: plain
 * objects only, no unknown keys, exact primitive types, bounded strings and arrays.
 *
 * Paths are built only when a check fails (each container re-throws with its key
 * prefixed), so validating good data allocates nothing.
 *
 * No Node imports: src/contract is shared with the renderer.
 */

/** Sane upper bounds for everything that crosses a socket. The frame size limit applies too. */
export const LIMITS = {
  raftMessagesPerFrame: 10_000,
  /**
   * Entries in one AppendEntries. 8,192 entries of at most 6 msgpack values fit the raft
   * frame's pre-decode budget (FRAME_LIMITS.raft.maxItems in codec.ts); the node refuses a
   * config whose maxEntriesPerMsg exceeds this (src/node/config.ts).
   */
  entriesPerMessage: 8_192,
  idsPerConfig: 1_024,
  clientRequestsPerBatch: 10_000,
  telemetryEventsPerBatch: 10_000,
  linkRules: 4_096,
  /** Keys in a record-like map (per-peer progress, traffic, counters). */
  recordKeys: 1_024,
  recordKeyLength: 128,
  clientIdLength: 256,
  keyLength: 1_024,
  /** Characters of a value in the key-value store. */
  valueLength: 1_048_576,
  addressLength: 1_024,
  /** Error messages, reasons, log lines. */
  textLength: 8_192,
  shortTextLength: 256,
  /** Fault delays, fsync delays: one hour is already absurd for a lab. */
  maxDelayMs: 3_600_000,
  maxTimerRate: 1_000,
} as const;

export class ValidationError extends Error {
  constructor(
    /** Where the problem is, e.g. `requests[3].op.key`. Empty for the value itself. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'ValidationError';
  }
}

/** Returns the value typed as T, or throws a ValidationError. */
export type Check<T> = (value: unknown) => T;
export type Checked<C> = C extends Check<infer T> ? T : never;

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs a check without throwing. */
export function validate<T>(check: Check<T>, value: unknown): ValidationResult<T> {
  try {
    return { ok: true, value: check(value) };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, error: error.message };
    // Any other exception is a bug in a check, or a hostile value (a getter, a Proxy)
    // the checks did not anticipate: still a rejection, never a crash.
    return { ok: false, error: `validation failed unexpectedly: ${describeError(error)}` };
  }
}

export function describeError(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    // A thrown value whose toString itself throws: describing it must not throw again.
    return 'an error that cannot be printed';
  }
}

export function fail(problem: string): never {
  throw new ValidationError('', problem);
}

/** Re-throws `error` with `segment` prefixed to its path. */
export function rethrowAt(error: unknown, segment: string | number): never {
  if (error instanceof ValidationError) {
    const key = typeof segment === 'number' ? `[${segment}]` : segment;
    const joined = !error.path ? key : error.path.startsWith('[') ? key + error.path : `${key}.${error.path}`;
    throw new ValidationError(joined, error.problem);
  }
  throw error;
}

/** Short, safe description of an unexpected value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value instanceof Uint8Array) return `bytes(${value.byteLength})`;
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `string(${value.length})` : JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object': {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return 'object';
      // Decoder extensions can produce Dates, Sets, Errors...: name the class if it is safe to.
      const ctor: unknown = (proto as { constructor?: unknown }).constructor;
      const name: unknown = typeof ctor === 'function' ? ctor.name : undefined;
      return typeof name === 'string' && name ? `${name} object` : 'exotic object';
    }
    default:
      return typeof value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------

/** Non-negative safe integer: terms, indexes, sequence numbers, counts. */
export const uint: Check<number> = (v) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`expected a non-negative integer, got ${describe(v)}`);
  return v;
};

/** Node ids are positive safe integers. */
export const nodeId: Check<number> = (v) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(`expected a node id (positive integer), got ${describe(v)}`);
  return v;
};

export const bool: Check<boolean> = (v) => {
  if (typeof v !== 'boolean') fail(`expected a boolean, got ${describe(v)}`);
  return v;
};

/** A finite number in [min, max]. NaN and infinities never pass. */
export function numberIn(min: number, max: number): Check<number> {
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      fail(`expected a number in [${min}, ${max}], got ${describe(v)}`);
    }
    return v;
  };
}

/** A finite number > 0 and <= max. */
export function positiveNumber(max: number): Check<number> {
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) fail(`expected a number in (0, ${max}], got ${describe(v)}`);
    return v;
  };
}

/** Finite, non-negative: durations, timestamps, sizes that may be fractional. */
export const nonNegative: Check<number> = numberIn(0, Number.MAX_VALUE);

/** Probability in [0, 1]. */
export const probability: Check<number> = numberIn(0, 1);

export function str(maxLength: number, minLength = 0): Check<string> {
  return (v) => {
    if (typeof v !== 'string') fail(`expected a string, got ${describe(v)}`);
    if (v.length > maxLength) fail(`string longer than ${maxLength} characters (${v.length})`);
    if (v.length < minLength) fail(`string shorter than ${minLength} characters`);
    return v;
  };
}

export function literal<const T extends readonly (string | boolean)[]>(...values: T): Check<T[number]> {
  return (v) => {
    for (let i = 0; i < values.length; i++) if (v === values[i]) return v as T[number];
    fail(`expected one of ${values.map((x) => JSON.stringify(x)).join(', ')}, got ${describe(v)}`);
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v) => (v === null ? null : check(v));
}

// ---------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------

export function arrayOf<T>(item: Check<T>, maxLength: number, minLength = 0): Check<T[]> {
  return (v) => {
    if (!Array.isArray(v)) fail(`expected an array, got ${describe(v)}`);
    if (v.length > maxLength) fail(`array longer than ${maxLength} items (${v.length})`);
    if (v.length < minLength) fail(`array shorter than ${minLength} items`);
    for (let i = 0; i < v.length; i++) {
      try {
        item(v[i]);
      } catch (error) {
        rethrowAt(error, i);
      }
    }
    return v as T[];
  };
}

/** A string-keyed map with bounded size and key length, every value checked. */
export function recordOf<T>(value: Check<T>, maxKeys: number = LIMITS.recordKeys): Check<Record<string, T>> {
  return (v) => {
    if (!isPlainObject(v)) fail(`expected an object, got ${describe(v)}`);
    let count = 0;
    for (const key in v) {
      if (++count > maxKeys) fail(`more than ${maxKeys} keys`);
      if (key.length > LIMITS.recordKeyLength) fail(`key longer than ${LIMITS.recordKeyLength} characters`);
      // Own keys like "toString" or "constructor" would shadow Object.prototype members
      // that consumers (and template strings) rely on.
      if (key in Object.prototype) fail(`reserved key ${JSON.stringify(key)}`);
      try {
        value(v[key]);
      } catch (error) {
        rethrowAt(error, key);
      }
    }
    return v as Record<string, T>;
  };
}

type Shape = Record<string, Check<unknown>>;
type Required<R extends Shape> = { [K in keyof R]: Checked<R[K]> };
type Optional<O extends Shape> = { [K in keyof O]?: Checked<O[K]> };
type Flatten<T> = { [K in keyof T]: T[K] };

/**
 * A plain object with exactly these fields: every `required` one present, `optional` ones
 * present or absent (or undefined), nothing else.
 */
export function object<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
): Check<Flatten<Required<R> & Optional<O>>> {
  const requiredKeys = Object.keys(required);
  const requiredChecks = requiredKeys.map((k) => required[k]);
  const optionalKeys = optional ? Object.keys(optional) : [];
  const optionalChecks = optionalKeys.map((k) => optional![k]);
  const allowed = new Set([...requiredKeys, ...optionalKeys]);
  return (v) => {
    if (!isPlainObject(v)) fail(`expected an object, got ${describe(v)}`);
    for (let i = 0; i < requiredKeys.length; i++) {
      const key = requiredKeys[i];
      if (!Object.hasOwn(v, key)) fail(`missing field "${key}"`);
      try {
        requiredChecks[i](v[key]);
      } catch (error) {
        rethrowAt(error, key);
      }
    }
    for (let i = 0; i < optionalKeys.length; i++) {
      const key = optionalKeys[i];
      const field = v[key];
      if (field === undefined) continue;
      try {
        optionalChecks[i](field);
      } catch (error) {
        rethrowAt(error, key);
      }
    }
    for (const key in v) {
      if (!allowed.has(key)) fail(`unexpected field ${describe(key)}`);
    }
    return v as Flatten<Required<R> & Optional<O>>;
  };
}

/**
 * A discriminated union of objects keyed by a string `tag` field; each case's check must
 * itself check the tag (usually with `literal`).
 */
export function tagged<C extends Record<string, Check<object>>>(tag: string, cases: C): Check<Checked<C[keyof C]>> {
  const table = new Map<string, Check<object>>(Object.entries(cases));
  return (v) => {
    if (!isPlainObject(v)) fail(`expected an object, got ${describe(v)}`);
    const name = v[tag];
    const check = typeof name === 'string' ? table.get(name) : undefined;
    if (!check) throw new ValidationError(tag, `unknown ${tag} ${describe(name)}`);
    return check(v) as Checked<C[keyof C]>;
  };
}

/** A ClusterConfig in object form (control replies, telemetry). */
export const clusterConfig = object(
  { voters: arrayOf(nodeId, LIMITS.idsPerConfig) },
  { outgoing: arrayOf(nodeId, LIMITS.idsPerConfig), learners: arrayOf(nodeId, LIMITS.idsPerConfig) },
);

export const role = literal('follower', 'candidate', 'leader');
