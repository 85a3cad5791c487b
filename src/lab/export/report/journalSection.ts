/**
 * report.html's flight-recorder section (issue 10 part 4): the rate of peer messages by type
 * over the run (from the journals' messages, src/replay/messages.ts via runMessages), and each
 * node's log at the end of its journal (replayed with src/replay: last index, commit,
 * applied, snapshot, the terms its log spans). Pure: the caller reads and replays the files.
 */
import { MESSAGE_LABELS, messageColours } from '../../../analysis/legend';
import type { CoreStateView } from '../../../replay/coreState';
import type { RunMessages } from '../messageExports';
import { lineChart, type Series } from './charts';
import { html, type SafeHtml } from './html';
import type { RunTimelines } from './timelines';

/** The end of one node's journal, as the report's table shows it. */
export interface NodeLogSummary {
  node: number;
  /** The replayed state at the journal's last step; null with the reason when there is none. */
  state: CoreStateView | null;
  unavailable?: string;
}

export interface MessageRate {
  bucketMs: number;
  /** Per message type, [bucket start (run ms), messages/s sent in it]. */
  perType: Map<string, Array<[number, number]>>;
  total: number;
}

/** Bucket widths tried, smallest first: about 60 buckets over the run. */
const WIDTHS_MS = [100, 200, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000, 600_000, 3_600_000];

export function messageRate(m: RunMessages, start: number, end: number): MessageRate {
  const span = Math.max(1, end - start);
  const bucketMs = WIDTHS_MS.find((w) => span / w <= 60) ?? WIDTHS_MS[WIDTHS_MS.length - 1];
  const n = Math.max(1, Math.ceil(span / bucketMs));
  const counts = new Map<string, number[]>();
  for (const msg of m.messages) {
    const i = Math.floor((msg.sentAt - start) / bucketMs);
    if (i < 0 || i >= n) continue;
    let c = counts.get(msg.type);
    if (!c) counts.set(msg.type, (c = new Array<number>(n).fill(0)));
    c[i]++;
  }
  const perType = new Map<string, Array<[number, number]>>();
  for (const [type, c] of counts) perType.set(type, c.map((k, i) => [start + i * bucketMs, k / (bucketMs / 1000)] as [number, number]));
  return { bucketMs, perType, total: m.messages.length };
}

/** Terms the held log spans: from the snapshot's (or first held entry's) term to the last, and how many distinct. */
export function termsSpanned(s: CoreStateView): string {
  const terms = new Set(s.log.entries.map((e) => e.term));
  if (s.log.snapshotIndex > 0) terms.add(s.log.snapshotTerm);
  if (terms.size === 0) return '–';
  const sorted = [...terms].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return first === last ? `${first}` : `${first}–${last} (${sorted.length} terms)`;
}

export function journalSection(input: { messages: RunMessages | null; logs: readonly NodeLogSummary[] | null; note?: string }, tl: RunTimelines): SafeHtml {
  const parts: SafeHtml[] = [html`<h2>Messages and logs (flight recorder)</h2>`];
  if (input.messages === null && input.logs === null) {
    parts.push(html`<p>${input.note ?? 'This run has no journal (recorded with recording off, or before the flight recorder).'}</p>`);
    return html`${parts}`;
  }
  if (input.note) parts.push(html`<p>${input.note}</p>`);
  if (input.messages) {
    const rate = messageRate(input.messages, tl.start, tl.end);
    const colours = messageColours('light');
    const series: Series[] = [...rate.perType].map(([type, points]) => ({
      name: MESSAGE_LABELS[type as keyof typeof MESSAGE_LABELS] ?? type,
      colour: colours[type as keyof typeof colours] ?? '#6b7280',
      points,
    }));
    parts.push(html`<p>Peer messages sent per second by type, in ${rate.bucketMs / 1000} s buckets, from the nodes' journals: ${rate.total} messages${input.messages.mismatches ? `, ${input.messages.mismatches} replay mismatches` : ''}.</p>`);
    parts.push(lineChart('Message rate', 'messages/s', series, tl));
  }
  if (input.logs) {
    const rows = input.logs.map((l) =>
      l.state === null
        ? html`<tr><td>${l.node}</td><td colspan="7">${l.unavailable ?? 'no state'}</td></tr>`
        : html`<tr><td>${l.node}</td><td>${l.state.role}, term ${l.state.term}</td><td class="num">${l.state.log.lastIndex}</td><td class="num">${l.state.commit}</td><td class="num">${l.state.applied}</td><td class="num">${l.state.log.snapshotIndex > 0 ? `${l.state.log.snapshotIndex} (term ${l.state.log.snapshotTerm})` : '–'}</td><td>${termsSpanned(l.state)}</td><td class="num">${l.state.incarnation}</td></tr>`,
    );
    parts.push(html`<h3>Each node's log at the end of its journal</h3><p>Replayed from the journal (docs/formats.md, "replay state"); a node that went down shows what it held then.</p>`);
    parts.push(html`<table><tr><th>Node</th><th>Role</th><th>Last index</th><th>Commit</th><th>Applied</th><th>Snapshot</th><th>Terms spanned</th><th>Incarnations</th></tr>${rows}</table>`);
  }
  return html`${parts}`;
}
