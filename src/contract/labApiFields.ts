/**
 * The blocks the lab API's declarations are written with, and the sentences they give
 * ("fault:link request.from must be a node id (a whole number from 1 to 100000)"). A module
 * of its own so that the declarations of requests (labApiRequests.ts), of faults
 * (faults.ts) and the validator (labApiValidate.ts) share them without importing each other
 * in a circle: labApi.ts infers its request types from labApiRequests.ts, which needs
 * faults.ts, which labApi.ts also needs (docs/contracts.md).
 *
 * Plain TypeScript with no Node imports: shared with the renderer.
 */
import * as v from 'valibot';
import { LIMITS } from './limits';
import { FIELD, KEY, PARENT } from './schemaKit';
import { isPlainObject } from './validateCore';

// Names the renderer's forms already import; the values are LIMITS' (src/contract/limits.ts).
export const MAX_NODE_ID = LIMITS.nodeId.max;
export const MAX_PATH_LENGTH = LIMITS.pathLength;
export const MAX_FILE_NAME_LENGTH = LIMITS.fileNameLength;
export const MAX_PARTITION_GROUPS = LIMITS.partitionGroups;
export const MAX_PARTITION_NODES = LIMITS.partitionNodes;
export const MAX_LINK_DELAY_MS = LIMITS.linkDelayMs.max;
export const CLOCK_RATE_RANGE = LIMITS.timerRate;
export const MAX_FSYNC_DELAY_MS = LIMITS.fsyncDelayMs.max;

type Issue = v.BaseIssue<unknown>;

export const say = (sentence: string) => () => sentence;

export function nodeId() {
  const m = say(`${FIELD} must be a node id (a whole number from 1 to ${MAX_NODE_ID})`);
  return v.pipe(v.number(m), v.integer(m), v.minValue(1, m), v.maxValue(MAX_NODE_ID, m));
}
export function wholeNumber(min: number, max: number) {
  const m = say(`${FIELD} must be a whole number from ${min} to ${max}`);
  return v.pipe(v.number(m), v.integer(m), v.minValue(min, m), v.maxValue(max, m));
}
export function numberFrom(min: number, max: number) {
  const m = say(`${FIELD} must be a number from ${min} to ${max}`);
  return v.pipe(v.number(m), v.finite(m), v.minValue(min, m), v.maxValue(max, m));
}
export const probability = (() => {
  const m = say(`${FIELD} must be a probability from 0 to 1`);
  return v.pipe(v.number(m), v.finite(m), v.minValue(0, m), v.maxValue(1, m));
})();
export const trueOrFalse = v.boolean(say(`${FIELD} must be true or false`));

/** A filesystem path the lab will open: non-empty, bounded, and without NUL (which truncates C paths). */
export const filePath = v.pipe(
  v.string(say(`${FIELD} must be a non-empty path`)),
  v.check((s) => s.trim().length > 0, say(`${FIELD} must be a non-empty path`)),
  v.maxLength(MAX_PATH_LENGTH, say(`${FIELD} must be at most ${MAX_PATH_LENGTH} characters`)),
  v.check((s) => !s.includes('\0'), say(`${FIELD} must not contain NUL characters`)),
);

/** A bare file name inside a run directory: no separators or "..", so it cannot escape the directory. */
export const fileName = v.pipe(
  v.string(say(`${FIELD} must be a file name`)),
  v.minLength(1, say(`${FIELD} must be a file name`)),
  v.maxLength(MAX_FILE_NAME_LENGTH, say(`${FIELD} must be at most ${MAX_FILE_NAME_LENGTH} characters`)),
  v.check((s) => !/[/\\\0]/.test(s) && s !== '.' && s !== '..', say(`${FIELD} must be a plain file name without "/", "\\" or ".."`)),
);

/** An object message: not an object, a missing field, or an unknown one. */
export function objectMessage(takesNoFields: boolean) {
  return (issue: Issue) => {
    if (issue.expected === 'never') return takesNoFields ? `${PARENT} takes no fields (got "${KEY}")` : `${PARENT} has an unknown field "${KEY}"`;
    if (issue.received === 'undefined' && issue.expected !== 'Object') return `${FIELD} is required`;
    return `${FIELD} must be an object`;
  };
}

/** `schema`, admitting only plain data objects (never arrays, class instances or poisoned prototypes). */
export function plain<S extends v.GenericSchema>(schema: S) {
  return v.pipe(v.custom<v.InferInput<S>>(isPlainObject, say(`${FIELD} must be an object`)), schema);
}

/** A plain object with exactly these fields. */
export function fields<E extends v.ObjectEntries>(entries: E) {
  return plain(v.strictObject(entries, objectMessage(Object.keys(entries).length === 0)));
}

/** One case of a `v.variant`: exactly these fields (the variant has checked it is a plain object). */
export const strictCase = <E extends v.ObjectEntries>(entries: E) => v.strictObject(entries, objectMessage(false));
