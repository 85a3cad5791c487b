/**
 * history.edn: the client history as Jepsen operation maps, one per line, for Knossos
 * (linearizability, model `cas-register` per key via `jepsen.independent`) and Elle.
 *
 * Each operation becomes an :invoke line at its call time and a completion line (:ok,
 * :fail or :info) at its return time, in time order, with :index counting lines. Mapping:
 *
 * | history.jsonl | :f      | :value                      |
 * |---------------|---------|-----------------------------|
 * | get           | :read   | [key nil] / ok: [key value] |
 * | put v         | :write  | [key v]                     |
 * | delete        | :write  | [key nil] (nil = absent), with :raftlab/op :delete |
 * | cas e v       | :cas    | [key [e v]]                 |
 * | append v      | :append | [key v], ok: :raftlab/after is the value after |
 *
 * Keys travel as `jepsen.independent` tuples [key value], which print as vectors. A Jepsen
 * process runs one operation at a time and is never reused after an :info (its operation
 * may still be in flight), so a client gets a fresh :process number after an :info, and
 * when (unusually) it has overlapping operations. Times are nanoseconds since the run
 * started; at equal times completions come before invocations.
 */
import type { HistoryOp } from '../../contract/runEvents';

const F: Record<HistoryOp['op'], string> = { get: ':read', put: ':write', delete: ':write', cas: ':cas', append: ':append' };

/** An EDN string literal. */
export function ednString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function ednValue(v: string | null | undefined): string {
  return v === null || v === undefined ? 'nil' : ednString(v);
}

/** A keyword from an error code: "cas_mismatch" -> :cas-mismatch. */
function ednKeyword(s: string): string {
  const name = s.replace(/[^A-Za-z0-9*+!?<>=-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown';
  return `:${/^[0-9]/.test(name) ? `e${name}` : name}`;
}

function opValue(op: HistoryOp, completion: boolean): string {
  const key = ednString(op.key);
  switch (op.op) {
    case 'get':
      return `[${key} ${completion && op.status === 'ok' ? ednValue(op.output) : 'nil'}]`;
    case 'put':
    case 'append':
      return `[${key} ${ednValue(op.value)}]`;
    case 'delete':
      return `[${key} nil]`;
    case 'cas':
      return `[${key} [${ednValue(op.expect ?? null)} ${ednValue(op.value)}]]`;
  }
}

/** Assigns Jepsen process numbers: one per client, renewed after an :info or an overlap. */
function assignProcesses(history: readonly HistoryOp[]): number[] {
  const clients = history.reduce((m, o) => Math.max(m, o.client), -1) + 1;
  let nextFresh = clients;
  const current = new Map<number, { process: number; busyUntil: number; crashed: boolean }>();
  const order = history.map((_, i) => i).sort((a, b) => history[a].call - history[b].call || a - b);
  const out = new Array<number>(history.length);
  for (const i of order) {
    const op = history[i];
    let c = current.get(op.client);
    if (!c) c = { process: op.client, busyUntil: -Infinity, crashed: false };
    else if (c.crashed || c.busyUntil > op.call) c = { process: nextFresh++, busyUntil: -Infinity, crashed: false };
    c.busyUntil = op.return;
    c.crashed = op.status === 'info';
    current.set(op.client, c);
    out[i] = c.process;
  }
  return out;
}

/** The whole history.edn text. */
export function toHistoryEdn(history: readonly HistoryOp[]): string {
  const processes = assignProcesses(history);
  type Line = { time: number; completion: boolean; op: number };
  const lines: Line[] = [];
  history.forEach((op, i) => {
    lines.push({ time: op.call, completion: false, op: i });
    lines.push({ time: op.return, completion: true, op: i });
  });
  lines.sort((a, b) => a.time - b.time || (a.completion === b.completion ? a.op - b.op : a.completion ? -1 : 1));
  const out: string[] = [];
  lines.forEach((l, index) => {
    const op = history[l.op];
    const type = l.completion ? `:${op.status}` : ':invoke';
    const fields = [
      `:type ${type}`,
      `:f ${F[op.op]}`,
      `:value ${opValue(op, l.completion)}`,
      `:process ${processes[l.op]}`,
      `:time ${Math.round(l.time * 1e6)}`,
      `:index ${index}`,
    ];
    if (l.completion && op.error) fields.push(`:error ${ednKeyword(op.error)}`);
    if (op.op === 'delete') fields.push(':raftlab/op :delete');
    if (l.completion && op.status === 'ok' && op.op !== 'get' && op.output !== null) fields.push(`:raftlab/after ${ednValue(op.output)}`);
    out.push(`{${fields.join(', ')}}\n`);
  });
  return out.join('');
}
