/**
 * The remote nodes' clocks as the time-travel panel states them (docs/multi-host.md, "Clocks"):
 * per node, from its 'clock' run events, the current estimate (the newest) and the widest bound
 * any estimate had. Local nodes have no 'clock' events and so no row.
 */
import type { RunEvent } from '../../../src/contract/runEvents';
import type { EventLog } from './eventLog';

export interface ClockRow {
  node: number;
  host: string;
  offsetMs: number;
  boundMs: number;
  widestMs: number;
}

export function clockRows(events: Iterable<RunEvent>): ClockRow[] {
  const byNode = new Map<number, ClockRow & { t: number }>();
  for (const e of events) {
    if (e.type !== 'clock' || e.node === null) continue;
    const seen = byNode.get(e.node);
    if (!seen) byNode.set(e.node, { node: e.node, host: e.host, offsetMs: e.offsetMs, boundMs: e.boundMs, widestMs: e.boundMs, t: e.t });
    else {
      seen.widestMs = Math.max(seen.widestMs, e.boundMs);
      if (e.t >= seen.t) Object.assign(seen, { host: e.host, offsetMs: e.offsetMs, boundMs: e.boundMs, t: e.t });
    }
  }
  return [...byNode.values()].sort((a, b) => a.node - b.node).map(({ t: _t, ...row }) => row);
}

/** The clock rows of a run's event log (the newest 500 'clock' events): one query for every view that shows them. */
export function clockRowsOf(log: EventLog): ClockRow[] {
  return clockRows(log.query({ types: new Set(['clock']), limit: 500 }).map((r) => r.event));
}
