/**
 * What every validator shares: the error type, the `Check<T>` shape the frame codec calls,
 * the never-throwing `validate`, and safe descriptions of unexpected values.
 *
 * Everything that arrives on a socket is untrusted: msgpack decoders happily produce
 * bigints, Dates, Maps, NaN, huge arrays or objects with surprising keys (msgpackr decodes
 * 0xC1 into an object and renames `__proto__`). A `Check<T>` either returns the value typed
 * as T or throws a `ValidationError` naming the offending path. The contract's declarations
 * (schemaKit.ts) are Checks through `checker`; the raft wire parser (validateRaft.ts), a
 * measured hot path, is one written by hand.
 *
 * No Node imports: src/contract is shared with the renderer.
 */


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
