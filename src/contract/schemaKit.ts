/**
 * The building blocks every contract declaration is written with (valibot, chosen by
 * measurement: docs/contracts.md), and the two ways a declaration is used: `decoder` (a
 * validator returning the typed value or a readable error) and `checker` (the same as a
 * `Check<T>` that throws a ValidationError, for the frame codec in codec.ts).
 *
 * The blocks keep the old validators' strictness and their sentences: plain objects only
 * (msgpack decoders produce Maps, Dates and class instances; valibot's objects would take
 * them), no unknown keys, safe integers, finite numbers, bounded strings, arrays and maps,
 * no map key that shadows an Object.prototype member. Errors read `path: problem`, with
 * paths written as in code (`requests[3].op.key`).
 *
 * No Node imports: src/contract is shared with the renderer.
 */
import * as v from 'valibot';
import { LIMITS } from './limits';
import { describe, describeError, isPlainObject, ValidationError, type Check, type ValidationResult } from './validateCore';

// Declarations import valibot themselves (`import * as v`): re-exporting the namespace from
// here would keep all of valibot in the renderer's bundle instead of the parts used.

/** Any valibot schema without async parts: what the blocks and declarations are. */
export type Schema = v.GenericSchema;
/** The TypeScript type a declaration decodes to. */
export type Decoded<S extends Schema> = v.InferOutput<S>;

type Message = (issue: v.BaseIssue<unknown>) => string;
const got = (what: string): Message => (issue) => `expected ${what}, got ${describe(issue.input)}`;

/** A finite number in [min, max]. NaN and infinities never pass. */
export function numberIn(min: number, max: number) {
  const m = got(`a number in [${min}, ${max}]`);
  return v.pipe(v.number(m), v.finite(m), v.minValue(min, m), v.maxValue(max, m));
}

/** An integer in [min, max] (a safe integer when the bounds are). */
export function intIn(min: number, max: number, what = `an integer in [${min}, ${max}]`) {
  const m = got(what);
  return v.pipe(v.number(m), v.safeInteger(m), v.minValue(min, m), v.maxValue(max, m));
}

/** Non-negative safe integer: terms, indexes, sequence numbers, counts. */
export const uint = intIn(0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
/** Node ids are positive safe integers. */
export const nodeId = intIn(1, Number.MAX_SAFE_INTEGER, 'a node id (positive integer)');
export const bool = v.boolean(got('a boolean'));
/** Finite, non-negative: durations, timestamps, sizes that may be fractional. */
export const nonNegative = numberIn(0, Number.MAX_VALUE);
/** Probability in [0, 1]. */
export const probability = numberIn(0, 1);

/** A string of at most `maxLength` (and at least `minLength`) characters. */
export function str(maxLength: number, minLength = 0) {
  return v.pipe(
    v.string(got('a string')),
    v.maxLength(maxLength, (issue) => `string longer than ${maxLength} characters (${(issue.input as string).length})`),
    v.minLength(minLength, `string shorter than ${minLength} characters`),
  );
}

/** One of these strings. */
export function literal<const T extends readonly [string, ...string[]]>(...values: T) {
  return v.picklist(values, got(`one of ${values.map((x) => JSON.stringify(x)).join(', ')}`));
}

const plainMessage: Message = (issue) => `expected an object, got ${describe(issue.input)}`;
/** `schema`, admitting only plain objects (never arrays, Maps, Dates or class instances). */
function plainOnly<S extends Schema>(schema: S) {
  return v.pipe(v.custom<v.InferInput<S>>(isPlainObject, plainMessage), schema);
}

/**
 * A plain object with exactly these fields (optional ones wrapped in `v.optional`), nothing
 * else. The output is a fresh object holding only the declared fields.
 */
export function object<E extends v.ObjectEntries>(entries: E) {
  return plainOnly(v.strictObject(entries));
}

/** A list of at most `maxLength` items, each checked. */
export function arrayOf<S extends Schema>(item: S, maxLength: number, minLength = 0) {
  return v.pipe(
    v.array(item, got('an array')),
    v.maxLength(maxLength, (issue) => `array longer than ${maxLength} items (${(issue.input as unknown[]).length})`),
    v.minLength(minLength, `array shorter than ${minLength} items`),
  );
}

const recordKey = v.pipe(
  v.string(),
  v.maxLength(LIMITS.recordKeyLength, `key longer than ${LIMITS.recordKeyLength} characters`),
  // Own keys like "toString" or "constructor" would shadow Object.prototype members that
  // consumers (and template strings) rely on.
  v.check((key) => !(key in Object.prototype), (issue) => `reserved key ${JSON.stringify(issue.input)}`),
);

/** A string-keyed map with bounded size and key length, every value checked. */
export function recordOf<S extends Schema>(value: S, maxKeys: number = LIMITS.recordKeys) {
  return v.pipe(plainOnly(v.record(recordKey, value)), v.maxEntries(maxKeys, `more than ${maxKeys} keys`));
}

/**
 * One case of a `tagged` union: exactly these fields (the union has already made sure the
 * value is a plain object).
 */
export function variantCase<E extends v.ObjectEntries>(entries: E) {
  return v.strictObject(entries);
}

/**
 * A discriminated union of `variantCase`s keyed by the field `tag`. An unknown tag is
 * reported at the tag's path ("cmd: unknown cmd "reboot"").
 */
export function tagged<const K extends string, const O extends v.VariantOptions<K>>(tag: K, options: O) {
  return plainOnly(v.variant(tag, options, (issue) => `unknown ${tag} ${describe(issue.input)}`));
}

/**
 * Placeholders for sentences that name their field. valibot writes a message before the
 * enclosing objects add their keys to the issue's path, so a sentence holds FIELD (the
 * value's path), PARENT (its object's) or KEY (its own key), and `fillSentence` puts the
 * names in once the path is whole.
 */
export const FIELD = '\u0000field\u0000';
export const PARENT = '\u0000parent\u0000';
export const KEY = '\u0000key\u0000';

/**
 * An issue's message with its placeholders filled: `root` names the value itself, and its
 * fields are named under `fieldsUnder` ("fault:link request.from"; empty: "workload.rate").
 */
export function fillSentence(issue: v.BaseIssue<unknown>, root: string, fieldsUnder = root): string {
  const path = issue.path ?? [];
  const join = (upTo: number) =>
    path.slice(0, upTo).reduce<string>((out, p) => (p.type === 'array' ? `${out}[${String(p.key)}]` : out ? `${out}.${String(p.key)}` : String(p.key)), '');
  const named = (upTo: number) => (upTo === 0 ? root : fieldsUnder ? `${fieldsUnder}.${join(upTo)}`.replace('.[', '[') : join(upTo));
  const key = String(path[path.length - 1]?.key ?? '');
  return issue.message
    .replaceAll(FIELD, named(path.length))
    .replaceAll(PARENT, named(path.length - 1))
    .replaceAll(KEY, key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

/** Writes an issue's path as code would: `requests[3].op.key`. */
function pathOf(issue: v.BaseIssue<unknown>, upTo = issue.path?.length ?? 0): string {
  let out = '';
  for (let i = 0; i < upTo; i++) {
    const item = issue.path![i];
    if (item.type === 'array') out += `[${String(item.key)}]`;
    else out += out ? `.${String(item.key)}` : String(item.key);
  }
  return out;
}

/** The first issue as a ValidationError: a missing or unknown field is named at its object's path. */
function errorOf(issue: v.BaseIssue<unknown>): ValidationError {
  const depth = issue.path?.length ?? 0;
  if ((issue.type === 'strict_object' || issue.type === 'object') && depth > 0) {
    const key = String(issue.path![depth - 1].key);
    const problem = issue.expected === 'never' ? `unexpected field ${describe(key)}` : `missing field "${key}"`;
    return new ValidationError(pathOf(issue, depth - 1), problem);
  }
  return new ValidationError(pathOf(issue), issue.message);
}

const FIRST_ISSUE = { abortEarly: true } as const;

/** The declaration as a `Check<T>`: returns the typed value or throws a ValidationError. */
export function checker<S extends Schema>(schema: S): Check<Decoded<S>> {
  return (value) => {
    const r = v.safeParse(schema, value, FIRST_ISSUE);
    if (r.success) return r.output;
    throw errorOf(r.issues[0]);
  };
}

/**
 * The declaration as a validator that reports every problem, not only the first: the typed
 * value, or one `path: problem` per issue (config files, where a person fixes them all at once).
 */
export function fullDecoder<S extends Schema>(schema: S): (value: unknown) => { ok: true; value: Decoded<S> } | { ok: false; errors: string[] } {
  return (value) => {
    try {
      const r = v.safeParse(schema, value);
      return r.success ? { ok: true, value: r.output } : { ok: false, errors: r.issues.map((issue) => errorOf(issue).message) };
    } catch (error) {
      return { ok: false, errors: [`validation failed unexpectedly: ${describeError(error)}`] };
    }
  };
}

/** The declaration as a validator that never throws: the typed value, or `path: problem`. */
export function decoder<S extends Schema>(schema: S): (value: unknown) => ValidationResult<Decoded<S>> {
  return (value) => {
    try {
      const r = v.safeParse(schema, value, FIRST_ISSUE);
      return r.success ? { ok: true, value: r.output } : { ok: false, error: errorOf(r.issues[0]).message };
    } catch (error) {
      // A hostile value (a throwing getter, a Proxy): still a rejection, never a crash.
      return { ok: false, error: `validation failed unexpectedly: ${describeError(error)}` };
    }
  };
}

/** A node's role (src/raft/types.ts Role). */
export const role = literal('follower', 'candidate', 'leader');

/** A ClusterConfig in object form (control replies, telemetry): voters, C_old while joint, and learners (thesis §4.2.1). */
export const clusterConfig = object({
  voters: arrayOf(nodeId, LIMITS.idsPerConfig),
  outgoing: v.optional(arrayOf(nodeId, LIMITS.idsPerConfig)),
  learners: v.optional(arrayOf(nodeId, LIMITS.idsPerConfig)),
});
