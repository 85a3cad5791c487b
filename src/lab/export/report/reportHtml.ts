/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no external
 * resources) that reads offline: the summary, then charts of roles, terms, elections,
 * commit progress, throughput and latency, with faults marked on every time axis.
 *
 * A run folder may come from anyone (shared, attached to an issue), so the page is built
 * to be inert: every value goes through the auto-escaping `html` tag (./html.ts), and a
 * Content-Security-Policy meta tag allows nothing but the page's own inline stylesheet
 * (by hash): no script, no image, no font, no frame, no form, no base URL. The run's
 * numbers are checked where the run is read (src/lab/export/checkRun.ts).
 */
import { createHash } from 'node:crypto';
import type { HistoryOp, RunEvent, Summary } from '../../../contract/runEvents';
import { analyzeElections } from '../../../analysis/elections';
import { causeText, outcomeText } from '../../../analysis/leaderless';
import { MARK_LABELS, ROLE_TIMELINE_CAPTION, nodeColours } from '../../../analysis/legend';
import { runSpan } from '../summary';
import { histogram, lineChart, MARKS, nodeSeries, roleTimeline, ROLE_COLOURS } from './charts';
import { html, styleElement, type SafeHtml } from './html';
import { buildTimelines } from './timelines';
import { speedText, type LabSteps } from '../../../analysis/labSteps';
import { journalSection, type NodeLogSummary } from './journalSection';
import type { RunMessages } from '../messageExports';

export interface ReportInput {
  summary: Summary;
  events: readonly RunEvent[];
  history: readonly HistoryOp[];
  /** Problems met while reading the recording (shown at the end). */
  warnings?: readonly string[];
  /** The journals' messages and each node's final log (absent: the section is left out). */
  journal?: { messages: RunMessages | null; logs: readonly NodeLogSummary[] | null; note?: string };
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1000px;color:#1f2937;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#4b5563;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37;font-weight:600}.bad{color:#c62828;font-weight:600}.unknown{color:#8a5300;font-weight:600}
svg{display:block;margin:6px 0;max-width:100%;height:auto}
svg .grid{stroke:#eee;stroke-width:1}svg .axis{stroke:#888;stroke-width:1}
svg .tick{font-size:11px;fill:#4b5563}svg .label{font-size:12px;fill:#333}svg .empty{font-size:13px;fill:#6b7280}
svg .fault-band{fill:${MARKS.fault}}svg .fault-line{stroke:${MARKS.faultInstant};stroke-width:2}
svg .violation{fill:${MARKS.violation}}
code{background:#f4f4f4;padding:0 3px;border-radius:3px}
ul.warn li{color:#8a5300}
`;

/** The page's policy: only the stylesheet above (by its hash) may apply; nothing may load or run. */
export const REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; img-src 'none'; base-uri 'none'; form-action 'none'`;

function verdict(v: Summary['linearizable']): SafeHtml {
  if (v === true) return html`<span class="ok">linearizable</span>`;
  if (v === false) return html`<span class="bad">NOT linearizable</span>`;
  return html`<span class="unknown">unknown</span>`;
}

const ms = (v: number | null): string => (v === null ? '–' : `${v.toFixed(1)} ms`);
const sec = (t: number, digits = 3): string => `${(t / 1000).toFixed(digits)} s`;

/** Summary rows for what the lab did besides faults: only when the run has any. */
function labStepRows(steps: LabSteps): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  if (steps.actionCount > 0) {
    const frozenMs = steps.frozen.reduce((sum, p) => sum + ((p.end ?? p.start) - p.start), 0);
    rows.push(['Debugger actions', `${steps.actionCount} (frozen ${steps.frozen.length}×${steps.frozen.length > 0 ? `, ${sec(frozenMs, 1)} in all` : ''}), listed under Faults and debugger actions`]);
  }
  if (steps.slowMotion.length > 0) rows.push(['Slow motion', `${steps.slowMotion.map((p) => `${speedText(p.speed ?? 1)} from ${sec(p.start, 1)}`).join('; ')}: every time axis below is real time`]);
  return rows;
}

function summaryTable(s: Summary, steps: LabSteps): SafeHtml {
  const transfers = s.transfers && s.transfers.count > 0 ? `; ${s.transfers.count} planned leadership transfer(s), not counted` : '';
  const o = s.options;
  const rows: Array<[string, string | SafeHtml]> = [
    ['Run', s.runId || '(unnamed)'],
    ['Nodes', String(s.nodes)],
    ['Configuration', o ? `election timeout ${o.electionTimeoutMinMs}–${o.electionTimeoutMaxMs} ms, heartbeat ${o.heartbeatMs} ms, PreVote ${o.preVote ? 'on' : 'off'}, CheckQuorum ${o.checkQuorum ? 'on' : 'off'}` : 'not recorded'],
    ['Duration', sec(s.durationMs, 2)],
    ['Leaders (node, term)', String(s.leaderChanges)],
    ['Elections after losing a leader', `${s.electionMs.count}: p50 ${ms(s.electionMs.p50)}, p99 ${ms(s.electionMs.p99)}, max ${ms(s.electionMs.max)}${transfers}`],
    ['Write latency (ok)', `p50 ${ms(s.commitLatencyMs.p50)}, p99 ${ms(s.commitLatencyMs.p99)}`],
    ['Throughput (ok ops)', `${s.throughputOpsPerSec.toFixed(1)} ops/s`],
    ['Operations', `${s.ops.ok} ok, ${s.ops.fail} fail, ${s.ops.info} info (unknown outcome)`],
    ['Faults injected', String(s.faults)],
    ...labStepRows(steps),
    ['Safety violations', s.violations.length === 0 ? html`<span class="ok">none</span>` : html`<span class="bad">${s.violations.length}</span>`],
    ['History', html`${verdict(s.linearizable)}${s.linearizability ? html`<br><small>${s.linearizability}</small>` : ''}`],
  ];
  return html`<table>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>`;
}

function expectationsTable(s: Summary): SafeHtml {
  if (!s.expectations || s.expectations.length === 0) return html``;
  const rows = s.expectations.map((e) => html`<tr><td>${e.name}</td><td>${e.ok ? html`<span class="ok">met</span>` : html`<span class="bad">not met</span>`}</td><td>${e.detail}</td></tr>`);
  return html`<h2>Expectations</h2><table><tr><th>Expectation</th><th>Result</th><th>Detail</th></tr>${rows}</table>`;
}

function violationsList(s: Summary): SafeHtml {
  if (s.violations.length === 0) return html``;
  const rows = s.violations.slice(0, 200).map((v) => html`<tr><td class="num">${sec(v.t)}</td><td>${v.property}</td><td>${v.message}</td></tr>`);
  const more = s.violations.length > 200 ? html`<p>… and ${s.violations.length - 200} more (see summary.json).</p>` : '';
  return html`<h2>Safety violations</h2><table><tr><th>Time</th><th>Property</th><th>What happened</th></tr>${rows}</table>${more}`;
}

function electionsTable(events: readonly RunEvent[]): SafeHtml {
  const a = analyzeElections(events);
  const parts: SafeHtml[] = [];
  if (a.intervals.length > 0) {
    const rows = a.intervals.slice(0, 300).map(
      (i) =>
        html`<tr><td class="num">${sec(i.start)}</td><td>${causeText(i.cause)}${i.steppedDownAt !== undefined ? `; it stepped down at ${sec(i.steppedDownAt)}` : ''}</td>${html`<td>node ${i.from} (term ${i.fromTerm})</td><td>${outcomeText(i)}</td><td class="num">${i.end === null ? '–' : `${(i.end - i.start).toFixed(1)} ms`}</td>`}</tr>`,
    );
    parts.push(html`<table><tr><th>Lost at</th><th>Cause</th><th>Lost leader</th><th>Next leader</th><th>Without leader</th></tr>${rows}</table>`);
  }
  if (a.transfers.length > 0) {
    const rows = a.transfers.map(
      (i) => html`<tr><td class="num">${sec(i.start)}</td><td>node ${i.from} (term ${i.fromTerm})</td><td>${outcomeText(i)}</td><td class="num">${i.end === null ? '–' : `${(i.end - i.start).toFixed(1)} ms`}</td></tr>`,
    );
    parts.push(html`<h3>Planned leadership transfers</h3><p>Not elections: the leader handed over on request (thesis §3.10).</p>`);
    parts.push(html`<table><tr><th>At</th><th>From</th><th>To</th><th>Without leader</th></tr>${rows}</table>`);
  }
  return html`${parts}`;
}

export function renderReport(input: ReportInput): string {
  const { summary, events, history } = input;
  const span = runSpan(events, history);
  const tl = buildTimelines(events, history, span);
  const parts: SafeHtml[] = [];
  parts.push(html`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
  parts.push(html`<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">`);
  parts.push(html`<title>Raft lab run ${summary.runId}</title>${styleElement(CSS)}</head><body>`);
  parts.push(html`<h1>Raft lab run ${summary.runId || ''}</h1>`);
  parts.push(html`<p class="sub">${summary.nodes} nodes, ${sec(summary.durationMs, 1)}. Generated by raftlab; readable offline.</p>`);
  parts.push(html`<h2>Summary</h2>`, summaryTable(summary, tl.steps), expectationsTable(summary), violationsList(summary));

  parts.push(html`<h2>Roles over time</h2><p>${ROLE_TIMELINE_CAPTION} Red triangles: ${MARK_LABELS.violation}. Hover for details.</p>`);
  parts.push(roleTimeline(tl));
  parts.push(html`<h2>Term</h2><p>Lines are offset slightly so nodes in the same term stay visible; a line breaks while its node is down or after it was removed.</p>`, lineChart('Term per node', 'term', nodeSeries(tl.term, tl, { offsets: true }), tl, { step: true, height: 220 }));

  parts.push(html`<h2>Elections</h2><p>Time from losing a leader (crash, pause, step-down, or a partition cutting it off) to the next leader of a higher term; planned transfers are listed apart (docs/formats.md, "Leaderless intervals").</p>`);
  parts.push(histogram(summary.electionMs.samples, 'Election times'), electionsTable(events));

  parts.push(html`<h2>Commit index</h2>`, lineChart('Commit index per node', 'commit index', nodeSeries(tl.commit, tl), tl, { step: true }));

  const [okColour, failColour, infoColour] = [ROLE_COLOURS.leader, MARKS.violation, ROLE_COLOURS.candidate];
  const perSec = tl.bucketMs / 1000;
  const okSeries = { name: 'ok ops/s', colour: okColour, points: tl.ops.map((b) => [b.t, b.okPerSec] as [number, number]) };
  const failSeries = { name: 'fail/s', colour: failColour, points: tl.ops.map((b) => [b.t, b.fail / perSec] as [number, number]) };
  const infoSeries = { name: 'info/s', colour: infoColour, points: tl.ops.map((b) => [b.t, b.info / perSec] as [number, number]) };
  parts.push(html`<h2>Throughput</h2><p>Client operations completed per second, in ${perSec} s buckets.</p>`);
  parts.push(lineChart('Throughput', 'ops/s', history.length > 0 ? [okSeries, failSeries, infoSeries] : [], tl));
  const p50 = tl.ops.filter((b) => b.p50 !== null).map((b) => [b.t, b.p50 as number] as [number, number]);
  const p99 = tl.ops.filter((b) => b.p99 !== null).map((b) => [b.t, b.p99 as number] as [number, number]);
  const [p50Colour, p99Colour] = nodeColours('light');
  parts.push(html`<h2>Latency</h2><p>Latency of successful operations (call to return), per bucket; percentiles are nearest-rank.</p>`);
  parts.push(lineChart('Latency', 'ms', [{ name: 'p50', colour: p50Colour, points: p50 }, { name: 'p99', colour: p99Colour, points: p99 }], tl));

  if (input.journal) parts.push(journalSection(input.journal, tl));

  if (tl.faults.length > 0) {
    const rows = tl.faults.map((f) => html`<tr><td class="num">${sec(f.start)}</td><td class="num">${f.instant ? '' : sec(f.end)}</td><td>${f.description}</td></tr>`);
    const title = tl.steps.actionCount > 0 || tl.steps.slowMotion.length > 0 ? 'Faults and debugger actions' : 'Faults';
    parts.push(html`<h2>${title}</h2><table><tr><th>From</th><th>Until</th><th>What</th></tr>${rows}</table>`);
  }
  if (input.warnings && input.warnings.length > 0) {
    parts.push(html`<h2>Recording warnings</h2><ul class="warn">${input.warnings.map((w) => html`<li>${w}</li>`)}</ul>`);
  }
  parts.push(html`</body></html>\n`);
  return html`${parts}`.markup;
}
