/**
 * The report of election-trial sets (Figure 16, §9.3): one SVG per panel with the CDF of
 * every variant, real processes solid and the simulator dashed, on a log-scale time axis as
 * in the paper, the paper's reported values drawn as markers; and an HTML page with the
 * figures and a statistics table (n, mean, p50 with its bootstrap 95% CI, p90, p99, max) that
 * sets each variant beside the paper's values and the simulated beside the real.
 *
 * Charts are ECharts rendered to SVG strings in Node (server-side rendering), the library the
 * app draws its live charts with. The page shows the SVG files as images, so it runs no script
 * and its Content-Security-Policy allows only its own stylesheet and images from its folder.
 */
import { createHash } from 'node:crypto';
import * as echarts from 'echarts';
import { FIGURE16_RANGES, PAPER_REFERENCE, type Figure16Panel, type TrialSet, type TrialVariant } from '../../analysis/figure16';
import { bootstrapMedianCi, bootstrapPercentileDiff, ecdf, mannWhitney, pText, summarize } from '../../analysis/stats';
import type { StatsRowView } from '../../contract/labApiExperiments';
import { html, styleElement, type SafeHtml } from '../export/report/html';

/** One colour per timeout range (the same range keeps its colour in both panels). */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

const FIGURE16_LABELS = [...new Set([...FIGURE16_RANGES.top, ...FIGURE16_RANGES.bottom].map((r) => r.label))];

/** A Figure 16 range keeps its colour in both panels; other variants (a sweep's) take colours in order. */
function colourOf(label: string, labels: readonly string[]): string {
  const i = FIGURE16_LABELS.indexOf(label);
  return PALETTE[(i >= 0 ? i : Math.max(0, labels.indexOf(label))) % PALETTE.length];
}

export interface PanelData {
  panel: Figure16Panel | string;
  /** Trial sets shown together (at most one per mode is usual). */
  sets: TrialSet[];
}

/** The CDF chart of one panel as an SVG document. */
export function panelSvg(p: PanelData, width = 820, height = 440, title = `Figure 16, ${p.panel} panel: time without a leader after the leader crashes`): string {
  const series: echarts.SeriesOption[] = [];
  const allLabels = [...new Set(p.sets.flatMap((s) => s.variants.map((v) => v.label)))];
  let lo = Infinity;
  let hi = 0;
  for (const set of p.sets) {
    for (const v of set.variants) {
      if (v.samples.length === 0) continue;
      const points = ecdf(v.samples).map(([x, f]) => [Math.max(x, 0.1), f * 100]);
      lo = Math.min(lo, points[0][0]);
      hi = Math.max(hi, points[points.length - 1][0]);
      series.push({
        type: 'line',
        name: `${v.label} ${set.mode === 'sim' ? 'sim' : 'real'}`,
        step: 'end',
        showSymbol: false,
        data: [[points[0][0], 0], ...points],
        lineStyle: { color: colourOf(v.label, allLabels), width: set.mode === 'sim' ? 1.5 : 2, type: set.mode === 'sim' ? 'dashed' : 'solid' },
        itemStyle: { color: colourOf(v.label, allLabels) },
      });
    }
  }
  const labels = new Set(p.sets.flatMap((s) => s.variants.map((v) => v.label)));
  const paperPoints: Array<{ value: [number, number]; name: string; itemStyle: { color: string } }> = [];
  for (const label of labels) {
    const ref = PAPER_REFERENCE[label];
    if (ref?.p50 !== undefined) paperPoints.push({ value: [ref.p50, 50], name: `${label} paper p50`, itemStyle: { color: colourOf(label, allLabels) } });
    if (ref?.max !== undefined) paperPoints.push({ value: [ref.max, 100], name: `${label} paper max`, itemStyle: { color: colourOf(label, allLabels) } });
  }
  for (const pt of paperPoints) {
    lo = Math.min(lo, pt.value[0]);
    hi = Math.max(hi, pt.value[0]);
  }
  if (paperPoints.length > 0) {
    series.push({ type: 'scatter', name: 'paper (§9.3)', symbol: 'diamond', symbolSize: 11, data: paperPoints, itemStyle: { color: '#111' } });
  }
  if (!Number.isFinite(lo)) {
    lo = 10;
    hi = 1000;
  }
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#fff',
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { type: 'plain', bottom: 0, textStyle: { fontSize: 11 } },
      grid: { left: 60, right: 24, top: 40, bottom: 90 },
      xAxis: {
        type: 'log',
        name: 'election time (ms, log scale)',
        nameLocation: 'middle',
        nameGap: 26,
        min: 10 ** Math.floor(Math.log10(lo)),
        max: 10 ** Math.ceil(Math.log10(hi)),
        splitLine: { show: true, lineStyle: { color: '#eee' } },
      },
      yAxis: { type: 'value', name: 'cumulative percent', nameLocation: 'middle', nameGap: 40, min: 0, max: 100, splitLine: { lineStyle: { color: '#eee' } } },
      series,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1000px;color:#1f2937;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#4b5563;margin:0 0 16px}img{max-width:100%;height:auto;display:block;margin:8px 0}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#6b7280}
`;

/** The page's policy: its own stylesheet (by hash) and the SVG figures beside it; nothing runs. */
export const TRIAL_REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; img-src 'self'; base-uri 'none'; form-action 'none'`;

const fmt = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '–' : v.toFixed(digits));

/** Statistics of one variant, as the table and `raftlab compare` print them (the view's row without the paper's figure). */
export type VariantStats = Omit<StatsRowView, 'paper'>;

export function variantStats(v: TrialVariant, mode: TrialSet['mode'], seed = 1): VariantStats {
  const s = summarize(v.samples);
  const ci = bootstrapMedianCi(v.samples, { seed });
  return { label: v.label, mode, n: s.n, unresolved: v.unresolved, mean: s.mean, p50: s.p50, p50Low: ci?.low ?? null, p50High: ci?.high ?? null, p90: s.p90, p99: s.p99, max: s.max };
}

export function paperText(label: string): string {
  const r = PAPER_REFERENCE[label];
  if (!r) return '–';
  const nums = [r.p50 !== undefined ? `p50 ${r.p50}` : '', r.mean !== undefined ? `mean ${r.mean}` : '', r.max !== undefined ? `max ${r.max}` : ''].filter(Boolean).join(', ');
  return nums || (r.note ?? '–');
}

function statsTable(p: PanelData): SafeHtml {
  const rows: SafeHtml[] = [];
  const labels = [...new Set(p.sets.flatMap((s) => s.variants.map((v) => v.label)))];
  for (const label of labels) {
    const byMode = p.sets.map((set) => ({ set, v: set.variants.find((x) => x.label === label) })).filter((x) => x.v);
    for (const { set, v } of byMode) {
      const st = variantStats(v!, set.mode, set.seed);
      rows.push(html`<tr><td>${label}</td><td>${set.mode === 'sim' ? 'simulated' : 'real processes'}</td><td class="num">${st.n}</td><td class="num">${st.unresolved}</td>
<td class="num">${fmt(st.mean)}</td><td class="num">${fmt(st.p50)}</td><td class="num">${fmt(st.p50Low)}–${fmt(st.p50High)}</td><td class="num">${fmt(st.p90)}</td><td class="num">${fmt(st.p99)}</td><td class="num">${fmt(st.max)}</td><td>${paperText(label)}</td></tr>`);
    }
    const real = byMode.find((x) => x.set.mode === 'real')?.v;
    const sim = byMode.find((x) => x.set.mode === 'sim')?.v;
    if (real && sim && real.samples.length > 0 && sim.samples.length > 0) {
      const d = bootstrapPercentileDiff(sim.samples, real.samples, 50, { seed: 1 })!;
      const mw = mannWhitney(sim.samples, real.samples)!;
      const agree = d.diff.low <= 0 && d.diff.high >= 0;
      rows.push(html`<tr class="muted"><td></td><td colspan="10">real − simulated median: ${fmt(d.diff.estimate)} ms (95% CI ${fmt(d.diff.low)} to ${fmt(d.diff.high)}); Mann–Whitney p = ${pText(mw.pTwoSided)}, P(real &gt; sim) = ${mw.probabilityBGreater.toFixed(2)}: ${agree ? 'medians agree within the interval' : 'the medians differ'}</td></tr>`);
    }
  }
  return html`<table><thead><tr><th>range (ms)</th><th>mode</th><th>n</th><th>unresolved</th><th>mean</th><th>p50</th><th>p50 95% CI</th><th>p90</th><th>p99</th><th>max</th><th>paper (§9.3)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function settingText(sets: readonly TrialSet[]): string {
  const s = sets[0];
  if (!s) return '';
  const d = s.networkDelay;
  const tick = s.variants[0]?.tickMs ?? 1;
  const lag = sets.find((x) => x.mode === 'sim' && (x.timerLagMs ?? 0) > 0)?.timerLagMs;
  const simNote = lag ? ` The simulator adds an exponential lateness of mean ${lag} ms to every timer and delivery (a model of event-loop lag).` : ' The simulator\'s timers are exact.';
  return `${s.nodes} servers; emulated one-way network delay ${d.delayMs} ms + U[0, ${d.jitterMs}) ms per message (docs/network-emulation.md); ${tick} ms timer ticks; PreVote and CheckQuorum off; heartbeat half the minimum timeout; the leader killed uniformly within its heartbeat interval.${simNote}`;
}

/** The HTML page; `figures` maps a panel to its SVG file name (beside the page). */
export function trialReportHtml(
  panels: readonly PanelData[],
  figures: ReadonlyMap<string, string>,
  title = 'Figure 16: leader election performance',
  /** What the variants share, one sentence (default: Figure 16's setting). */
  setting?: string,
): string {
  const all = panels.flatMap((p) => p.sets);
  const sections = panels.map((p) => {
    const counts = p.sets.map((s) => `${s.mode === 'sim' ? 'simulated' : 'real processes'}: ${s.trialsPerVariant} trials per range`).join('; ');
    const file = figures.get(String(p.panel));
    const heading = p.panel === 'top' || p.panel === 'bottom' ? `${p.panel} panel` : String(p.panel);
    return html`<h2>${heading}</h2><p class="sub">${counts}. Solid: real processes; dashed: simulated; diamonds: the paper's values.</p>
${file ? html`<img src="${file}" alt="${`CDF of election times, ${String(p.panel)} panel`}">` : ''}
${statsTable(p)}`;
  });
  const randomness = all.flatMap((s) => s.variants.map((v) => html`<li>${v.label} (${s.mode}): ${v.timeoutRandomness}</li>`));
  const page = html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${TRIAL_REPORT_CSP}"><title>${title}</title>${styleElement(CSS)}</head>
<body><h1>${title}</h1><p class="sub">${setting ?? settingText(all)} Times in ms, from the kill to another node's report that it leads. Percentiles by nearest rank; the median's interval is a seeded bootstrap (2,000 resamples).</p>
${sections}
<h2>Effective timeout randomness</h2><ul>${randomness}</ul>
</body></html>`;
  return page.markup;
}
