/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no external
 * resources) that reads offline: the summary, then charts of roles, terms, elections,
 * commit progress, throughput and latency, with faults shaded on every time axis.
 */
import type { HistoryOp, RunEvent, Summary } from '../../../contract/runEvents';
import { analyzeElections } from '../elections';
import { runSpan } from '../summary';
import { histogram, lineChart, nodeSeries, roleTimeline } from './charts';
import { esc } from './svg';
import { buildTimelines } from './timelines';

export interface ReportInput {
  summary: Summary;
  events: readonly RunEvent[];
  history: readonly HistoryOp[];
  /** Problems met while reading the recording (shown at the end). */
  warnings?: readonly string[];
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37;font-weight:600}.bad{color:#c62828;font-weight:600}.unknown{color:#b26a00;font-weight:600}
svg{display:block;margin:6px 0;max-width:100%;height:auto}
svg .grid{stroke:#eee;stroke-width:1}svg .axis{stroke:#888;stroke-width:1}
svg .tick{font-size:11px;fill:#555}svg .label{font-size:12px;fill:#333}svg .empty{font-size:13px;fill:#888}
svg .fault-band{fill:#d62728;fill-opacity:.1}svg .fault-line{stroke:#d62728;stroke-width:1;stroke-dasharray:4 3}
svg .violation{fill:#c62828}
code{background:#f4f4f4;padding:0 3px;border-radius:3px}
ul.warn li{color:#8a5300}
`;

function verdict(v: Summary['linearizable']): string {
  if (v === true) return '<span class="ok">linearizable</span>';
  if (v === false) return '<span class="bad">NOT linearizable</span>';
  return '<span class="unknown">unknown</span>';
}

const ms = (v: number | null): string => (v === null ? '–' : `${v.toFixed(1)} ms`);

function summaryTable(s: Summary): string {
  const rows: Array<[string, string]> = [
    ['Run', esc(s.runId || '(unnamed)')],
    ['Nodes', String(s.nodes)],
    ['Duration', `${(s.durationMs / 1000).toFixed(2)} s`],
    ['Leaders (node, term)', String(s.leaderChanges)],
    ['Elections after losing a leader', `${s.electionMs.count}: p50 ${ms(s.electionMs.p50)}, p99 ${ms(s.electionMs.p99)}, max ${ms(s.electionMs.max)}`],
    ['Write latency (ok)', `p50 ${ms(s.commitLatencyMs.p50)}, p99 ${ms(s.commitLatencyMs.p99)}`],
    ['Throughput (ok ops)', `${s.throughputOpsPerSec.toFixed(1)} ops/s`],
    ['Operations', `${s.ops.ok} ok, ${s.ops.fail} fail, ${s.ops.info} info (unknown outcome)`],
    ['Faults injected', String(s.faults)],
    ['Safety violations', s.violations.length === 0 ? '<span class="ok">none</span>' : `<span class="bad">${s.violations.length}</span>`],
    ['History', `${verdict(s.linearizable)}${s.linearizability ? `<br><small>${esc(s.linearizability)}</small>` : ''}`],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function expectationsTable(s: Summary): string {
  if (!s.expectations || s.expectations.length === 0) return '';
  const rows = s.expectations
    .map((e) => `<tr><td>${esc(e.name)}</td><td>${e.ok ? '<span class="ok">met</span>' : '<span class="bad">not met</span>'}</td><td>${esc(e.detail)}</td></tr>`)
    .join('');
  return `<h2>Expectations</h2><table><tr><th>Expectation</th><th>Result</th><th>Detail</th></tr>${rows}</table>`;
}

function violationsList(s: Summary): string {
  if (s.violations.length === 0) return '';
  const rows = s.violations
    .slice(0, 200)
    .map((v) => `<tr><td class="num">${(v.t / 1000).toFixed(3)} s</td><td>${esc(v.property)}</td><td>${esc(v.message)}</td></tr>`)
    .join('');
  const more = s.violations.length > 200 ? `<p>… and ${s.violations.length - 200} more (see summary.json).</p>` : '';
  return `<h2>Safety violations</h2><table><tr><th>Time</th><th>Property</th><th>What happened</th></tr>${rows}</table>${more}`;
}

export function renderReport(input: ReportInput): string {
  const { summary, events, history } = input;
  const span = runSpan(events, history);
  const tl = buildTimelines(events, history, span);
  const elections = analyzeElections(events);
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  parts.push(`<title>Raft lab run ${esc(summary.runId)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>Raft lab run ${esc(summary.runId || '')}</h1>`);
  parts.push(`<p class="sub">${summary.nodes} nodes, ${(summary.durationMs / 1000).toFixed(1)} s. Generated by raftlab; readable offline.</p>`);
  parts.push('<h2>Summary</h2>', summaryTable(summary), expectationsTable(summary), violationsList(summary));

  parts.push('<h2>Roles over time</h2><p>One lane per node. Shaded bands are partitions and link faults; dashed lines are process faults (kill, pause, restart). Hover for details.</p>');
  parts.push(roleTimeline(tl));
  parts.push('<h2>Term</h2>', lineChart('Term per node', 'term', nodeSeries(tl.term, tl.nodes), tl, { step: true, height: 220 }));

  parts.push('<h2>Elections</h2><p>Time from losing a leader (crash, pause, step-down, or a partition cutting it off) to the next leader (docs/formats.md).</p>');
  parts.push(histogram(summary.electionMs.samples, 'Election times'));
  if (elections.intervals.length > 0) {
    const rows = elections.intervals
      .slice(0, 300)
      .map(
        (i) =>
          `<tr><td class="num">${(i.start / 1000).toFixed(3)} s</td><td>${esc(i.cause)}</td><td>node ${i.from} (term ${i.fromTerm})</td>` +
          `<td>${i.to !== undefined ? `node ${i.to} (term ${i.toTerm})` : i.end === null ? 'none by the end' : 'the same leader came back'}</td>` +
          `<td class="num">${i.end === null ? '–' : `${(i.end - i.start).toFixed(1)} ms`}</td></tr>`,
      )
      .join('');
    parts.push(`<table><tr><th>Lost at</th><th>Cause</th><th>Lost leader</th><th>Next leader</th><th>Without leader</th></tr>${rows}</table>`);
  }

  parts.push('<h2>Commit index</h2>', lineChart('Commit index per node', 'commit index', nodeSeries(tl.commit, tl.nodes), tl, { step: true }));

  const okSeries = { name: 'ok ops/s', colour: '#59a14f', points: tl.ops.map((b) => [b.t, b.okPerSec] as [number, number]) };
  const failSeries = { name: 'fail/s', colour: '#e15759', points: tl.ops.map((b) => [b.t, b.fail / (tl.bucketMs / 1000)] as [number, number]) };
  const infoSeries = { name: 'info/s', colour: '#edc948', points: tl.ops.map((b) => [b.t, b.info / (tl.bucketMs / 1000)] as [number, number]) };
  parts.push(`<h2>Throughput</h2><p>Client operations completed per second, in ${tl.bucketMs / 1000} s buckets.</p>`);
  parts.push(lineChart('Throughput', 'ops/s', history.length > 0 ? [okSeries, failSeries, infoSeries] : [], tl));
  const p50 = tl.ops.filter((b) => b.p50 !== null).map((b) => [b.t, b.p50 as number] as [number, number]);
  const p99 = tl.ops.filter((b) => b.p99 !== null).map((b) => [b.t, b.p99 as number] as [number, number]);
  parts.push('<h2>Latency</h2><p>Latency of successful operations (call to return), per bucket.</p>');
  parts.push(lineChart('Latency', 'ms', [{ name: 'p50', colour: '#4e79a7', points: p50 }, { name: 'p99', colour: '#f28e2b', points: p99 }], tl));

  if (tl.faults.length > 0) {
    const rows = tl.faults
      .map((f) => `<tr><td class="num">${(f.start / 1000).toFixed(3)} s</td><td class="num">${f.instant ? '' : `${(f.end / 1000).toFixed(3)} s`}</td><td>${esc(f.description)}</td></tr>`)
      .join('');
    parts.push(`<h2>Faults</h2><table><tr><th>From</th><th>Until</th><th>Fault</th></tr>${rows}</table>`);
  }
  if (input.warnings && input.warnings.length > 0) {
    parts.push(`<h2>Recording warnings</h2><ul class="warn">${input.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  }
  parts.push('</body></html>\n');
  return parts.join('');
}
