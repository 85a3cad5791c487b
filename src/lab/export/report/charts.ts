/**
 * The report's charts as inline SVG, built with the auto-escaping `html` tag. Colours and
 * legend words are the app's (src/analysis/legend.ts, light scheme).
 */
import type { NodeId } from '../../../raft/types';
import { LANE_LABELS, LANE_STATES, MARK_LABELS, markColours, nodeColour, roleColours, type LaneState } from '../../../analysis/legend';
import { html, type SafeHtml } from './html';
import { axes, downsample, fmtTick, niceTicks, px, sx, sy, type Frame } from './svg';
import type { FaultPeriod, RunTimelines } from './timelines';
import { termOffset, withGaps, type Gap } from '../../../analysis/seriesGaps';

export const WIDTH = 960;

const SCHEME = 'light';

/** Lane colours: the app's, so a role looks the same in the report and the app. */
export const ROLE_COLOURS: Readonly<Record<LaneState, string>> = roleColours(SCHEME);
export const MARKS = markColours(SCHEME);

function svgOpen(height: number, title: string): SafeHtml {
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${title}">`;
}

const fmtS = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

function faultShading(f: Frame, faults: readonly FaultPeriod[]): SafeHtml {
  const parts: SafeHtml[] = [];
  for (const fault of faults) {
    const x0 = sx(f, fault.start);
    const tip = html`<title>${`${fault.description} (${fmtS(fault.start)}${fault.instant ? '' : ` to ${fmtS(fault.end)}`})`}</title>`;
    if (fault.instant) {
      parts.push(html`<line x1="${px(x0)}" y1="${f.top}" x2="${px(x0)}" y2="${f.height - f.bottom}" class="fault-line">${tip}</line>`);
    } else {
      const w = Math.max(1, sx(f, fault.end) - x0);
      parts.push(html`<rect x="${px(x0)}" y="${f.top}" width="${px(w)}" height="${f.height - f.top - f.bottom}" class="fault-band">${tip}</rect>`);
    }
  }
  return html`${parts}`;
}

/** The legend the app shows (renderer/src/charts/RoleLegend.vue): every lane state, then the marks. */
function roleLegend(x0: number): SafeHtml {
  const parts: SafeHtml[] = [];
  let x = x0;
  const step = (label: string): number => 24 + label.length * 6.2;
  for (const s of LANE_STATES) {
    parts.push(html`<rect x="${x}" y="4" width="12" height="12" fill="${ROLE_COLOURS[s]}"/><text x="${x + 16}" y="14" class="tick">${LANE_LABELS[s]}</text>`);
    x += step(LANE_LABELS[s]);
  }
  return html`${parts}`;
}

function marksLegend(x0: number, y: number): SafeHtml {
  const band = html`<rect x="${x0}" y="${y}" width="12" height="12" class="fault-band"/><text x="${x0 + 16}" y="${y + 10}" class="tick">${MARK_LABELS.lastingFault}</text>`;
  const x1 = x0 + 340;
  const line = html`<line x1="${x1 + 6}" y1="${y}" x2="${x1 + 6}" y2="${y + 12}" class="fault-line"/><text x="${x1 + 16}" y="${y + 10}" class="tick">${MARK_LABELS.instantFault}</text>`;
  const x2 = x1 + 320;
  const violation = html`<path d="M${x2},${y} L${x2 + 12},${y} L${x2 + 6},${y + 10} Z" class="violation"/><text x="${x2 + 18}" y="${y + 10}" class="tick">${MARK_LABELS.violation}</text>`;
  return html`${band}${line}${violation}`;
}

/** Swimlanes per node coloured by role, with down/paused periods, faults and violations. */
export function roleTimeline(tl: RunTimelines): SafeHtml {
  const lane = 24;
  const legendHeight = 40;
  const f: Frame = { width: WIDTH, height: legendHeight + 16 + tl.nodes.length * lane + 30, left: 70, right: 20, top: legendHeight + 12, bottom: 30, x0: tl.start, x1: tl.end, y0: 0, y1: 1 };
  const parts: SafeHtml[] = [svgOpen(f.height, 'Role timeline')];
  for (const t of niceTicks(tl.start / 1000, tl.end / 1000, 8)) {
    const x = px(sx(f, t * 1000));
    parts.push(html`<line x1="${x}" y1="${f.top}" x2="${x}" y2="${f.height - f.bottom}" class="grid"/><text x="${x}" y="${f.height - f.bottom + 14}" class="tick" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  parts.push(html`<text x="${(f.left + WIDTH - f.right) / 2}" y="${f.height - 4}" class="label" text-anchor="middle">time (s)</text>`);
  parts.push(faultShading(f, tl.faults));
  tl.nodes.forEach((n, i) => {
    const y = f.top + 6 + i * lane;
    parts.push(html`<text x="${f.left - 8}" y="${y + 15}" class="tick" text-anchor="end">Node ${n}</text>`);
    const segs = [...(tl.roles.get(n) ?? []), ...(tl.process.get(n) ?? [])];
    for (const s of segs) {
      const x0 = sx(f, s.start);
      const w = Math.max(0.5, sx(f, s.end) - x0);
      const label = `Node ${n}: ${LANE_LABELS[s.kind]}${s.term !== undefined ? ` (term ${s.term})` : ''}, ${fmtS(s.start)} to ${fmtS(s.end)}`;
      parts.push(html`<rect x="${px(x0)}" y="${y}" width="${px(w)}" height="18" fill="${ROLE_COLOURS[s.kind]}"><title>${label}</title></rect>`);
    }
  });
  for (const v of tl.violations) {
    const x = sx(f, v.t);
    parts.push(html`<path d="M${px(x - 6)},${f.top - 12} L${px(x + 6)},${f.top - 12} L${px(x)},${f.top - 2} Z" class="violation"><title>${`${v.property} at ${fmtS(v.t)}: ${v.message}`}</title></path>`);
  }
  parts.push(roleLegend(f.left), marksLegend(f.left, 22));
  parts.push(html`</svg>`);
  return html`${parts}`;
}

export interface Series {
  name: string;
  colour: string;
  points: Array<[number, number]>;
  /** Where the node was down or removed: the line breaks there (as in the app). */
  gaps?: readonly Gap[];
  /** Drawn this much above its value (the app's term offsets); the tooltip keeps the value. */
  lift?: number;
}

/** A series cut at its gaps into runs of live points, each with the time it lasts until. */
function liveRuns(s: Series, step: boolean, end: number): Array<{ points: Array<[number, number]>; until: number }> {
  const runs: Array<{ points: Array<[number, number]>; until: number }> = [];
  let cur: Array<[number, number]> = [];
  for (const [t, v] of withGaps(s.points, s.gaps ?? [], step)) {
    if (v !== null) {
      cur.push([t, v + (s.lift ?? 0)]);
      continue;
    }
    if (cur.length > 0) runs.push({ points: cur, until: t });
    cur = [];
  }
  if (cur.length > 0) runs.push({ points: cur, until: end });
  return runs;
}

/** A line chart over run time; `step` draws values as held until the next point. */
export function lineChart(title: string, yLabel: string, series: Series[], tl: RunTimelines, opts: { step?: boolean; height?: number } = {}): SafeHtml {
  // Loops, not Math.max(...values): a long run has more points than the stack allows.
  let yMax = -Infinity;
  let yMin = 0;
  for (const s of series) {
    for (const p of s.points) {
      const v = p[1] + (s.lift ?? 0);
      if (v > yMax) yMax = v;
      if (v < yMin) yMin = v;
    }
  }
  if (yMax === -Infinity) yMax = 1;
  const f: Frame = { width: WIDTH, height: opts.height ?? 240, left: 70, right: 20, top: 28, bottom: 36, x0: tl.start, x1: tl.end, y0: yMin, y1: yMax > yMin ? yMax : yMin + 1 };
  const parts: SafeHtml[] = [svgOpen(f.height, title), axes(f, yLabel), faultShading(f, tl.faults)];
  for (const s of series) {
    let d = '';
    for (const run of liveRuns(s, opts.step === true, tl.end)) {
      const pts = downsample(run.points, f);
      pts.forEach(([t, v], i) => {
        const x = px(sx(f, t));
        const y = px(sy(f, v));
        if (i === 0) d += `M${x},${y}`;
        else if (opts.step) d += `H${x}V${y}`;
        else d += `L${x},${y}`;
      });
      if (opts.step) d += `H${px(sx(f, Math.min(run.until, tl.end)))}`;
    }
    if (d === '') continue;
    parts.push(html`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.5"><title>${s.name}</title></path>`);
  }
  series.forEach((s, i) => {
    const x = f.left + i * 90;
    parts.push(html`<rect x="${x}" y="8" width="12" height="4" fill="${s.colour}"/><text x="${x + 16}" y="14" class="tick">${s.name}</text>`);
  });
  if (series.every((s) => s.points.length === 0)) {
    parts.push(html`<text x="${WIDTH / 2}" y="${f.height / 2}" class="empty" text-anchor="middle">no data</text>`);
  }
  parts.push(html`</svg>`);
  return html`${parts}`;
}

/** Per-node step series from a map, in each node's app colour. */
/**
 * One series per node, broken where the node was down or removed; `offsets` lifts each
 * node's line slightly (termOffset) so nodes in the same term stay visible, as in the app.
 */
export function nodeSeries(map: Map<NodeId, Array<[number, number]>>, tl: RunTimelines, opts: { offsets?: boolean } = {}): Series[] {
  return tl.nodes.map((n, i) => ({
    name: `Node ${n}`,
    colour: nodeColour(SCHEME, n),
    points: map.get(n) ?? [],
    gaps: nodeGaps(tl, n),
    lift: opts.offsets === true ? termOffset(i, tl.nodes.length) : 0,
  }));
}

/** When a node had no live process or was no longer a member. */
function nodeGaps(tl: RunTimelines, n: NodeId): Gap[] {
  const gaps: Gap[] = (tl.process.get(n) ?? []).filter((p) => p.kind === 'down').map((p) => [p.start, p.end] as const);
  const removed = tl.removedAt.get(n);
  if (removed !== undefined) gaps.push([removed, Infinity]);
  return gaps;
}

/** Histogram of election times (ms). */
export function histogram(samples: number[], title: string): SafeHtml {
  const height = 220;
  if (samples.length === 0) {
    return html`${svgOpen(60, title)}<text x="${WIDTH / 2}" y="34" class="empty" text-anchor="middle">no leader was lost during the run, so there are no election times</text></svg>`;
  }
  const max = samples.reduce((m, v) => Math.max(m, v), 0);
  const bins = Math.min(40, Math.max(5, Math.ceil(Math.sqrt(samples.length) * 2)));
  const width = Math.max(1, niceTicks(0, max, bins)[1] ?? max / bins);
  const counts: number[] = new Array(Math.ceil((max + 1e-9) / width) + 1).fill(0);
  for (const s of samples) counts[Math.floor(s / width)]++;
  const top = counts.reduce((m, v) => Math.max(m, v), 0);
  const f: Frame = { width: WIDTH, height, left: 70, right: 20, top: 20, bottom: 36, x0: 0, x1: counts.length * width, y0: 0, y1: top };
  const parts: SafeHtml[] = [svgOpen(height, title)];
  // Axes with ms on x (axes() labels seconds, so draw our own).
  for (const v of niceTicks(0, f.x1, 10)) {
    parts.push(html`<text x="${px(sx(f, v))}" y="${height - f.bottom + 14}" class="tick" text-anchor="middle">${fmtTick(v)}</text>`);
  }
  for (const v of niceTicks(0, top, 4).filter(Number.isInteger)) {
    const y = px(sy(f, v));
    parts.push(html`<line x1="${f.left}" y1="${y}" x2="${WIDTH - f.right}" y2="${y}" class="grid"/><text x="${f.left - 6}" y="${px(sy(f, v) + 4)}" class="tick" text-anchor="end">${fmtTick(v)}</text>`);
  }
  counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = sx(f, i * width);
    const x1 = sx(f, (i + 1) * width);
    const y = sy(f, c);
    const tip = `${c} election(s) of ${fmtTick(i * width)} to ${fmtTick((i + 1) * width)} ms`;
    parts.push(html`<rect x="${px(x0 + 1)}" y="${px(y)}" width="${px(Math.max(1, x1 - x0 - 2))}" height="${px(height - f.bottom - y)}" fill="${ROLE_COLOURS.follower}"><title>${tip}</title></rect>`);
  });
  parts.push(html`<line x1="${f.left}" y1="${height - f.bottom}" x2="${WIDTH - f.right}" y2="${height - f.bottom}" class="axis"/>`);
  parts.push(html`<text x="${(f.left + WIDTH - f.right) / 2}" y="${height - 4}" class="label" text-anchor="middle">time without a leader (ms)</text>`);
  parts.push(html`<text x="12" y="${height / 2}" class="label" text-anchor="middle" transform="rotate(-90 12 ${height / 2})">elections</text>`);
  parts.push(html`</svg>`);
  return html`${parts}`;
}
