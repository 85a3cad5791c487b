/**
 * Reading a recorded run directory (events.jsonl, history.jsonl): the input of every
 * exporter and of the renderer's "open run". A half-written run is still readable.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryOp, RunEvent } from '../../contract/runEvents';
import { readJsonl } from './jsonl';

export const EVENTS_FILE = 'events.jsonl';
export const HISTORY_FILE = 'history.jsonl';

export interface RecordedRun {
  events: RunEvent[];
  history: HistoryOp[];
  /** Lines skipped and why (an interrupted run has one for its torn last line). */
  warnings: string[];
}

export class RunReadError extends Error {}

function checkEvent(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an event object';
  const e = v as Record<string, unknown>;
  if (typeof e.type !== 'string') return 'event without a type';
  if (typeof e.t !== 'number' || !Number.isFinite(e.t)) return `${e.type} event without a time t`;
  if (e.node !== null && e.node !== undefined && typeof e.node !== 'number') return `${e.type} event with a bad node`;
  return null;
}

const OPS = new Set(['get', 'put', 'delete', 'cas', 'append']);
const STATUSES = new Set(['ok', 'fail', 'info']);

function checkOp(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not an operation object';
  const o = v as Record<string, unknown>;
  if (!OPS.has(o.op as string)) return `unknown op ${JSON.stringify(o.op)}`;
  if (!STATUSES.has(o.status as string)) return `unknown status ${JSON.stringify(o.status)}`;
  if (typeof o.key !== 'string') return 'operation without a key';
  if (typeof o.call !== 'number' || typeof o.return !== 'number') return 'operation without call and return times';
  if (typeof o.client !== 'number') return 'operation without a client';
  return null;
}

/**
 * Reads a run directory.
 * @throws RunReadError when the directory has no events.jsonl
 */
export function readRun(dir: string): RecordedRun {
  const eventsPath = join(dir, EVENTS_FILE);
  if (!existsSync(eventsPath) || !statSync(eventsPath).isFile()) {
    throw new RunReadError(`${dir} is not a recorded run: ${EVENTS_FILE} is missing`);
  }
  const ev = readJsonl<RunEvent>(eventsPath, checkEvent);
  const historyPath = join(dir, HISTORY_FILE);
  const hist = existsSync(historyPath) ? readJsonl<HistoryOp>(historyPath, checkOp) : { items: [], warnings: [] };
  return { events: ev.items, history: hist.items, warnings: [...ev.warnings, ...hist.warnings] };
}
