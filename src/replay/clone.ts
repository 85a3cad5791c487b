/**
 * A deep copy that keeps prototypes (class instances stay instances of their class), Maps,
 * Sets, shared references and cycles. Replay's checkpoints copy a whole `RaftNode` with it,
 * so a seek starts from the nearest checkpoint instead of the incarnation's start.
 *
 * Uint8Arrays are shared, not copied: they are entry commands and snapshot data, which the
 * core never mutates (src/raft/log.ts: "Entries are shared by reference ... never mutated").
 * Other typed arrays (the inflight window's ring) are copied.
 *
 * Hand-written rather than structuredClone (which drops prototypes) or lodash (not a
 * dependency of this project): 30 lines, on replay's seek path only.
 */
export function deepCloneKeepingClasses<T>(value: T): T {
  return cloneValue(value, new Map()) as T;
}

function cloneValue(v: unknown, seen: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) {
    const copy = (v as unknown as { slice(): unknown }).slice();
    seen.set(v, copy);
    return copy;
  }
  if (Array.isArray(v)) {
    const copy: unknown[] = new Array(v.length);
    seen.set(v, copy);
    for (let i = 0; i < v.length; i++) copy[i] = cloneValue(v[i], seen);
    return copy;
  }
  if (v instanceof Map) {
    const copy = new Map();
    seen.set(v, copy);
    for (const [k, x] of v) copy.set(cloneValue(k, seen), cloneValue(x, seen));
    return copy;
  }
  if (v instanceof Set) {
    const copy = new Set();
    seen.set(v, copy);
    for (const x of v) copy.add(cloneValue(x, seen));
    return copy;
  }
  const copy = Object.create(Object.getPrototypeOf(v) as object) as Record<string, unknown>;
  seen.set(v, copy);
  for (const key of Object.keys(v)) copy[key] = cloneValue((v as Record<string, unknown>)[key], seen);
  return copy;
}
