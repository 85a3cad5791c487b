/**
 * The report's charts as inline SVG strings.
 */
import type { NodeId } from '../../../raft/types';
import { axes, colourOf, downsample, esc, fmtTick, niceTicks, px, sx, sy, type Frame } from './svg';
import type { FaultPeriod, RunTimelines, Segment } from './timelines';

export const WIDTH = 960;

export const ROLE_COLOURS: Record<Segment['kind'], string> = {
  follower: '#9ecae1',
  candidate: '#fdae6b',
  leader: '#31a354',
  down: '#4a4a4a',
  paused: 'url(#paused)',
};

function svgOpen(height: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(title)}">`;
}

const fmtS = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

function faultShading(f: Frame, faults: FaultPeriod[]): string {
  const parts: string[] = [];
  for (const fault of faults) {
    const x0 = sx(f, fault.start);
    const tip = `<title>${esc(`${fault.description} (${fmtS(fault.start)}${fault.instant ? '' : ` to ${fmtS(fault.end)}`})`)}</title>`;
    if (fault.instant) {
      parts.push(`<line x1="${px(x0)}" y1="${f.top}" x2="${px(x0)}" y2="${f.height - f.bottom}" class="fault-line">${tip}</line>`);
    } else {
      const w = Math.max(1, sx(f, fault.end) - x0);
      parts.push(`<rect x="${px(x0)}" y="${f.top}" width="${px(w)}" height="${f.height - f.top - f.bottom}" class="fault-band">${tip}</rect>`);
    }
  }
  return parts.join('');
}

/** Swimlanes per node coloured by role, with down/paused periods, faults and violations. */
export function roleTimeline(tl: RunTimelines): string {
  const lane = 24;
  const f: Frame = { width: WIDTH, height: 40 + tl.nodes.length * lane + 30, left: 70, right: 20, top: 24, bottom: 30, x0: tl.start, x1: tl.end, y0: 0, y1: 1 };
  const parts = [svgOpen(f.height, 'Role timeline')];
  parts.push(
    '<defs><pattern id="paused" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#ddd"/><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="3"/></pattern></defs>',
  );
  for (const t of niceTicks(tl.start / 1000, tl.end / 1000, 8)) {
    const x = sx(f, t * 1000);
    parts.push(`<line x1="${px(x)}" y1="${f.top}" x2="${px(x)}" y2="${f.height - f.bottom}" class="grid"/>`);
    parts.push(`<text x="${px(x)}" y="${f.height - f.bottom + 14}" class="tick" text-anchor="middle">${esc(fmtTick(t))}</text>`);
  }
  parts.push(`<text x="${(f.left + WIDTH - f.right) / 2}" y="${f.height - 4}" class="label" text-anchor="middle">time (s)</text>`);
  parts.push(faultShading(f, tl.faults));
  tl.nodes.forEach((n, i) => {
    const y = f.top + 6 + i * lane;
    parts.push(`<text x="${f.left - 8}" y="${y + 15}" class="tick" text-anchor="end">Node ${n}</text>`);
    const segs = [...(tl.roles.get(n) ?? []), ...(tl.process.get(n) ?? [])];
    for (const s of segs) {
      const x0 = sx(f, s.start);
      const w = Math.max(0.5, sx(f, s.end) - x0);
      const h = s.kind === 'down' || s.kind === 'paused' ? 18 : 18;
      const label = `Node ${n}: ${s.kind}${s.term !== undefined ? ` (term ${s.term})` : ''}, ${fmtS(s.start)} to ${fmtS(s.end)}`;
      parts.push(`<rect x="${px(x0)}" y="${y}" width="${px(w)}" height="${h}" fill="${ROLE_COLOURS[s.kind]}"><title>${esc(label)}</title></rect>`);
    }
  });
  for (const v of tl.violations) {
    const x = sx(f, v.t);
    parts.push(`<path d="M${px(x - 6)},${f.top - 12} L${px(x + 6)},${f.top - 12} L${px(x)},${f.top - 2} Z" class="violation"><title>${esc(`${v.property} at ${fmtS(v.t)}: ${v.message}`)}</title></path>`);
  }
  // Legend.
  const legend: Array<[string, string]> = [
    ['leader', ROLE_COLOURS.leader],
    ['candidate', ROLE_COLOURS.candidate],
    ['follower', ROLE_COLOURS.follower],
    ['down', ROLE_COLOURS.down],
    ['paused', ROLE_COLOURS.paused],
  ];
  legend.forEach(([name, colour], i) => {
    const x = f.left + i * 100;
    parts.push(`<rect x="${x}" y="4" width="12" height="12" fill="${colour}"/><text x="${x + 16}" y="14" class="tick">${name}</text>`);
  });
  parts.push(`<rect x="${f.left + 500}" y="4" width="12" height="12" class="fault-band"/><text x="${f.left + 516}" y="14" class="tick">fault</text>`);
  parts.push(`<path d="M${f.left + 580},4 L${f.left + 592},4 L${f.left + 586},14 Z" class="violation"/><text x="${f.left + 598}" y="14" class="tick">violation</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface Series {
  name: string;
  colour: string;
  points: Array<[number, number]>;
}

/** A line chart over run time; `step` draws values as held until the next point. */
export function lineChart(title: string, yLabel: string, series: Series[], tl: RunTimelines, opts: { step?: boolean; height?: number } = {}): string {
  // Loops, not Math.max(...values): a long run has more points than the stack allows.
  let yMax = -Infinity;
  let yMin = 0;
  for (const s of series) {
    for (const p of s.points) {
      if (p[1] > yMax) yMax = p[1];
      if (p[1] < yMin) yMin = p[1];
    }
  }
  if (yMax === -Infinity) yMax = 1;
  const f: Frame = { width: WIDTH, height: opts.height ?? 240, left: 70, right: 20, top: 28, bottom: 36, x0: tl.start, x1: tl.end, y0: yMin, y1: yMax > yMin ? yMax : yMin + 1 };
  const parts = [svgOpen(f.height, title), axes(f, yLabel), faultShading(f, tl.faults)];
  for (const s of series) {
    const pts = downsample(s.points, f);
    if (pts.length === 0) continue;
    let d = '';
    pts.forEach(([t, v], i) => {
      const x = px(sx(f, t));
      const y = px(sy(f, v));
      if (i === 0) d += `M${x},${y}`;
      else if (opts.step) d += `H${x}V${y}`;
      else d += `L${x},${y}`;
    });
    if (opts.step) d += `H${px(sx(f, tl.end))}`;
    parts.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.5"><title>${esc(s.name)}</title></path>`);
  }
  series.forEach((s, i) => {
    const x = f.left + i * 90;
    parts.push(`<rect x="${x}" y="8" width="12" height="4" fill="${s.colour}"/><text x="${x + 16}" y="14" class="tick">${esc(s.name)}</text>`);
  });
  if (series.every((s) => s.points.length === 0)) {
    parts.push(`<text x="${WIDTH / 2}" y="${f.height / 2}" class="empty" text-anchor="middle">no data</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Per-node step series from a map. */
export function nodeSeries(map: Map<NodeId, Array<[number, number]>>, nodes: NodeId[]): Series[] {
  return nodes.map((n, i) => ({ name: `Node ${n}`, colour: colourOf(i), points: map.get(n) ?? [] }));
}

/** Histogram of election times (ms). */
export function histogram(samples: number[], title: string): string {
  const height = 220;
  if (samples.length === 0) {
    return `${svgOpen(60, title)}<text x="${WIDTH / 2}" y="34" class="empty" text-anchor="middle">no leader was lost during the run, so there are no election times</text></svg>`;
  }
  const max = samples.reduce((m, v) => Math.max(m, v), 0);
  const bins = Math.min(40, Math.max(5, Math.ceil(Math.sqrt(samples.length) * 2)));
  const width = Math.max(1, niceTicks(0, max, bins)[1] ?? max / bins);
  const counts = new Array(Math.ceil((max + 1e-9) / width) + 1).fill(0);
  for (const s of samples) counts[Math.floor(s / width)]++;
  const top = counts.reduce((m: number, v: number) => Math.max(m, v), 0);
  const f: Frame = { width: WIDTH, height, left: 70, right: 20, top: 20, bottom: 36, x0: 0, x1: counts.length * width, y0: 0, y1: top };
  const parts = [svgOpen(height, title)];
  // Axes with ms on x (axes() labels seconds, so draw our own).
  for (const v of niceTicks(0, f.x1, 10)) {
    const x = sx(f, v);
    parts.push(`<text x="${px(x)}" y="${height - f.bottom + 14}" class="tick" text-anchor="middle">${esc(fmtTick(v))}</text>`);
  }
  for (const v of niceTicks(0, top, 4).filter(Number.isInteger)) {
    const y = sy(f, v);
    parts.push(`<line x1="${f.left}" y1="${px(y)}" x2="${WIDTH - f.right}" y2="${px(y)}" class="grid"/><text x="${f.left - 6}" y="${px(y + 4)}" class="tick" text-anchor="end">${esc(fmtTick(v))}</text>`);
  }
  counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = sx(f, i * width);
    const x1 = sx(f, (i + 1) * width);
    const y = sy(f, c);
    parts.push(`<rect x="${px(x0 + 1)}" y="${px(y)}" width="${px(Math.max(1, x1 - x0 - 2))}" height="${px(height - f.bottom - y)}" fill="#4e79a7"><title>${esc(`${c} election(s) of ${fmtTick(i * width)} to ${fmtTick((i + 1) * width)} ms`)}</title></rect>`);
  });
  parts.push(`<line x1="${f.left}" y1="${height - f.bottom}" x2="${WIDTH - f.right}" y2="${height - f.bottom}" class="axis"/>`);
  parts.push(`<text x="${(f.left + WIDTH - f.right) / 2}" y="${height - 4}" class="label" text-anchor="middle">time without a leader (ms)</text>`);
  parts.push(`<text x="12" y="${height / 2}" class="label" text-anchor="middle" transform="rotate(-90 12 ${height / 2})">elections</text>`);
  parts.push('</svg>');
  return parts.join('');
}
