/**
 * metrics.csv: one row per node per metrics sample (every 100 ms per node), for
 * spreadsheets and pandas. Columns are documented in docs/formats.md.
 */
import type { RunEvent } from '../../contract/runEvents';
import type { EventOf } from './knownEvents';

export const METRICS_CSV_COLUMNS = [
  't',
  'node',
  'term',
  'role',
  'leader',
  'commit',
  'applied',
  'lastIndex',
  'snapshotIndex',
  'loopLagMs',
  'rssBytes',
  'electionsStarted',
  'electionsWon',
  'votesGranted',
  'heartbeatsSent',
  'heartbeatsReceived',
  'stateChanges',
  'leaderStalenessMs',
  'fsyncP50Ms',
  'fsyncP99Ms',
  'telemetryDropped',
  // Added after the others, so a reader that counts columns still finds the older ones where they were.
  'heapUsedBytes',
  'externalBytes',
] as const;

/** Quotes a field when it holds a comma, quote or line break (RFC 4180); null is empty. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricsCsvHeader(): string {
  return `${METRICS_CSV_COLUMNS.join(',')}\n`;
}

/** The row of one metrics event (with its newline). */
export function metricsCsvRow(ev: EventOf<'metrics'>): string {
  const values: unknown[] = [
    Math.round(ev.t * 1000) / 1000,
    ev.node,
    ev.term,
    ev.role,
    ev.leader,
    ev.commit,
    ev.applied,
    ev.lastIndex,
    ev.snapshotIndex,
    ev.loopLagMs,
    ev.rssBytes,
    ev.electionsStarted,
    ev.electionsWon,
    ev.votesGranted,
    ev.heartbeatsSent,
    ev.heartbeatsReceived,
    ev.stateChanges,
    ev.leaderStalenessMs,
    ev.fsync?.p50Ms,
    ev.fsync?.p99Ms,
    ev.telemetryDropped,
    // Optional in the metrics event: recordings from before they existed leave them empty.
    ev.heapUsedBytes,
    ev.externalBytes,
  ];
  return `${values.map(csvField).join(',')}\n`;
}

/** The whole file from a run's events. */
export function toMetricsCsv(events: readonly RunEvent[]): string {
  const parts = [metricsCsvHeader()];
  for (const ev of events) {
    if (ev.type === 'metrics') parts.push(metricsCsvRow(ev));
  }
  return parts.join('');
}
