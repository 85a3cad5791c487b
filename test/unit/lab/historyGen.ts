/**
 * Test helpers: build histories by hand and generate random ones from a simulated
 * linearizable register (each op takes effect at a random point inside its interval).
 */
import type { HistoryOp } from '../../../src/contract/runEvents';
import { stepRegister } from '../../../src/lab/checkers/kvModel';

/** xorshift32 in [0, 1): deterministic randomness for tests. */
export function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

type OpInit = Partial<HistoryOp> & Pick<HistoryOp, 'op' | 'call' | 'return'>;

/** An op with sensible defaults (client 0, key 'k', ok, null value/output). */
export function op(o: OpInit): HistoryOp {
  return { client: 0, key: 'k', value: null, output: null, status: 'ok', ...o };
}

export const get = (call: number, ret: number, output: string | null, extra: Partial<HistoryOp> = {}): HistoryOp =>
  op({ op: 'get', call, return: ret, output, ...extra });
export const put = (call: number, ret: number, value: string, extra: Partial<HistoryOp> = {}): HistoryOp =>
  op({ op: 'put', call, return: ret, value, output: extra.status && extra.status !== 'ok' ? null : value, ...extra });
export const cas = (call: number, ret: number, expect: string | null, value: string, extra: Partial<HistoryOp> = {}): HistoryOp =>
  op({ op: 'cas', call, return: ret, expect, value, output: extra.status && extra.status !== 'ok' ? null : value, ...extra });
export const append = (call: number, ret: number, value: string, output: string | null, extra: Partial<HistoryOp> = {}): HistoryOp =>
  op({ op: 'append', call, return: ret, value, output, ...extra });
export const del = (call: number, ret: number, extra: Partial<HistoryOp> = {}): HistoryOp =>
  op({ op: 'delete', call, return: ret, ...extra });

export interface GenOptions {
  ops: number;
  keys: number;
  clients: number;
  seed: number;
  /** Probability that a write ends as info (timed out); it applies with probability 1/2. */
  infoRate?: number;
  /** Mean op latency in ms. */
  latencyMs?: number;
}

/**
 * A linearizable history: clients issue ops back to back; each op's effect happens at a
 * random instant inside [call, return], and the register evolves in that order.
 */
export function linearizableHistory(g: GenOptions): HistoryOp[] {
  const r = rng(g.seed);
  const latency = g.latencyMs ?? 5;
  const pending: Array<{ op: HistoryOp; at: number; applies: boolean }> = [];
  const clientFree = new Array(g.clients).fill(0);
  const kinds: HistoryOp['op'][] = ['get', 'put', 'cas', 'append', 'get', 'put', 'delete'];
  let written = 0;
  for (let i = 0; i < g.ops; i++) {
    const c = i % g.clients;
    const call = clientFree[c] + r() * 2;
    const ret = call + 0.1 + r() * latency * 2;
    clientFree[c] = ret;
    const key = `k${Math.floor(r() * g.keys)}`;
    const kind = kinds[Math.floor(r() * kinds.length)];
    const value = `v${written++}`;
    const info = kind !== 'get' && r() < (g.infoRate ?? 0);
    const h: HistoryOp = { client: c, op: kind, key, value: kind === 'get' || kind === 'delete' ? null : value, output: null, call, return: ret, status: info ? 'info' : 'ok' };
    pending.push({ op: h, at: call + r() * (ret - call), applies: !info || r() < 0.5 });
  }
  // Apply in effect order to fill in outputs (and cas expectations that succeed).
  const state = new Map<string, string | null>();
  const out: HistoryOp[] = [];
  for (const p of [...pending].sort((a, b) => a.at - b.at)) {
    const cur = state.get(p.op.key) ?? null;
    const o = p.op;
    if (o.op === 'cas') o.expect = r() < 0.8 ? cur : 'never';
    if (o.op === 'get') o.output = cur;
    if (o.op === 'cas' && o.expect !== cur) {
      o.status = o.status === 'info' ? 'info' : 'fail';
      o.error = 'cas_mismatch';
      out.push(o);
      continue;
    }
    if (!p.applies) {
      out.push(o);
      continue;
    }
    const next = stepRegister(cur, { ...o, status: 'info' });
    if (next === undefined) throw new Error('generator bug');
    state.set(o.key, next);
    if (o.status === 'ok' && o.op !== 'get') o.output = next;
    out.push(o);
  }
  return out.sort((a, b) => a.call - b.call);
}

/**
 * Brute force: is there an order of the ops (all ok ones, any subset of info writes)
 * that respects real time (a before b when a returned before b was called) and the model?
 */
export function bruteForceLinearizable(history: HistoryOp[]): boolean {
  const byKey = new Map<string, HistoryOp[]>();
  for (const o of history) {
    if (o.status === 'fail' || (o.status === 'info' && o.op === 'get')) continue;
    byKey.set(o.key, [...(byKey.get(o.key) ?? []), o]);
  }
  for (const ops of byKey.values()) if (!searchAll(ops)) return false;
  return true;
}

function searchAll(ops: HistoryOp[]): boolean {
  const n = ops.length;
  const placed = new Array(n).fill(false);
  const ret = (o: HistoryOp) => (o.status === 'ok' ? o.return : Infinity);
  const rec = (state: string | null, okLeft: number): boolean => {
    if (okLeft === 0) return true;
    for (let i = 0; i < n; i++) {
      if (placed[i]) continue;
      // Every ok op that returned before i's call must already be placed.
      let ready = true;
      for (let j = 0; j < n; j++) if (!placed[j] && j !== i && ret(ops[j]) < ops[i].call) ready = false;
      if (!ready) continue;
      const next = stepRegister(state, ops[i]);
      if (next === undefined) continue;
      placed[i] = true;
      const ok = rec(next, okLeft - (ops[i].status === 'ok' ? 1 : 0));
      placed[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return rec(null, ops.filter((o) => o.status === 'ok').length);
}
