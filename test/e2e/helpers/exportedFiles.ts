/**
 * Checks on the files of an exported run, by format (docs/formats.md): each function parses
 * one file and throws an Error naming the file, the line and what is wrong.
 */
import type { RunEvent, Summary } from '../../../src/contract/runEvents';

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

/** events.jsonl: one JSON object per line, each with a number `t`, a `node` (id or null) and a `type`. */
export function parseEventsJsonl(text: string): RunEvent[] {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  if (lines.length === 0) fail('events.jsonl', 'no events');
  return lines.map((line, i) => {
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch (err) {
      fail('events.jsonl', `line ${i + 1} is not JSON (${err instanceof Error ? err.message : String(err)}): ${line.slice(0, 120)}`);
    }
    if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) fail('events.jsonl', `line ${i + 1} is not an object`);
    const e = ev as Record<string, unknown>;
    if (typeof e.t !== 'number' || !Number.isFinite(e.t)) fail('events.jsonl', `line ${i + 1}: t is ${JSON.stringify(e.t)}, not a number`);
    if (e.node !== null && !(typeof e.node === 'number' && Number.isInteger(e.node) && e.node > 0)) {
      fail('events.jsonl', `line ${i + 1}: node is ${JSON.stringify(e.node)}, not a node id or null`);
    }
    if (typeof e.type !== 'string' || e.type.length === 0) fail('events.jsonl', `line ${i + 1}: type is ${JSON.stringify(e.type)}`);
    return ev as RunEvent;
  });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown): boolean => v === null || isNum(v);

/** summary.json: every field of `Summary` (src/contract/runEvents.ts) with the right type. */
export function parseSummary(text: string): Summary {
  let s: Record<string, unknown>;
  try {
    s = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    fail('summary.json', `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(typeof s.runId === 'string' && s.runId.length > 0, 'runId is a non-empty string');
  need(isNum(s.nodes) && s.nodes > 0, 'nodes is a positive number');
  need(isNum(s.durationMs) && s.durationMs > 0, 'durationMs is a positive number');
  need(isNum(s.leaderChanges), 'leaderChanges is a number');
  const e = s.electionMs as Record<string, unknown> | undefined;
  need(
    typeof e === 'object' && e !== null && isNum(e.count) && isNumOrNull(e.p50) && isNumOrNull(e.p99) && isNumOrNull(e.max) &&
      Array.isArray(e.samples) && e.samples.every(isNum),
    'electionMs is { count, p50, p99, max, samples[] }',
  );
  const c = s.commitLatencyMs as Record<string, unknown> | undefined;
  need(typeof c === 'object' && c !== null && isNumOrNull(c.p50) && isNumOrNull(c.p99), 'commitLatencyMs is { p50, p99 }');
  need(isNum(s.throughputOpsPerSec), 'throughputOpsPerSec is a number');
  const o = s.ops as Record<string, unknown> | undefined;
  need(typeof o === 'object' && o !== null && isNum(o.ok) && isNum(o.fail) && isNum(o.info), 'ops is { ok, fail, info }');
  need(isNum(s.faults), 'faults is a number');
  need(
    Array.isArray(s.violations) &&
      s.violations.every((v: unknown) => {
        const r = v as Record<string, unknown>;
        return typeof r === 'object' && r !== null && typeof r.property === 'string' && typeof r.message === 'string' && isNum(r.t);
      }),
    'violations is an array of { property, message, t }',
  );
  need(s.linearizable === true || s.linearizable === false || s.linearizable === 'unknown', 'linearizable is true, false or "unknown"');
  need(s.linearizability === undefined || typeof s.linearizability === 'string', 'linearizability, if present, is a string');
  if (problems.length > 0) fail('summary.json', `expected ${problems.join('; ')} in ${text.slice(0, 400)}`);
  return s as unknown as Summary;
}

/** trace.json: Chrome trace format, `{ traceEvents: [...] }` with at least one event. */
export function parseTrace(text: string): { traceEvents: unknown[] } {
  let t: unknown;
  try {
    t = JSON.parse(text);
  } catch (err) {
    fail('trace.json', `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const events = (t as { traceEvents?: unknown }).traceEvents;
  if (!Array.isArray(events)) fail('trace.json', 'no traceEvents array');
  if (events.length === 0) fail('trace.json', 'traceEvents is empty');
  return t as { traceEvents: unknown[] };
}

/** Splits RFC 4180 CSV into rows of cells (quoted fields may hold commas, quotes, line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.length === 0) quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (cell.length > 0 || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Columns docs/formats.md promises in metrics.csv (a subset: the file may grow more). */
const METRICS_COLUMNS = ['t', 'node', 'term', 'role', 'leader', 'commit', 'applied', 'lastIndex'];

/** metrics.csv: a header with the documented columns and at least one row, every row as wide as the header. */
export function parseMetricsCsv(text: string): { header: string[]; rows: string[][] } {
  let table: string[][];
  try {
    table = parseCsv(text);
  } catch (err) {
    fail('metrics.csv', err instanceof Error ? err.message : String(err));
  }
  if (table.length < 2) fail('metrics.csv', `expected a header and rows, got ${table.length} line(s)`);
  const [header, ...rows] = table;
  const missing = METRICS_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) fail('metrics.csv', `header lacks ${missing.join(', ')}: ${header.join(',')}`);
  const tCol = header.indexOf('t');
  rows.forEach((cells, i) => {
    if (cells.length !== header.length) fail('metrics.csv', `row ${i + 1} has ${cells.length} cells, the header ${header.length}: ${cells.join(',')}`);
    if (cells[tCol] === '' || !Number.isFinite(Number(cells[tCol]))) fail('metrics.csv', `row ${i + 1}: t is ${JSON.stringify(cells[tCol])}`);
  });
  return { header, rows };
}

/** history.edn: Jepsen/Knossos operations, one map per line; here: not empty, looks like EDN maps. */
export function checkHistoryEdn(text: string): number {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  if (lines.length === 0) fail('history.edn', 'empty');
  const bad = lines.findIndex((l) => !/^\s*[{[]/.test(l));
  if (bad >= 0) fail('history.edn', `line ${bad + 1} is not an EDN map or vector: ${lines[bad].slice(0, 120)}`);
  return lines.length;
}
