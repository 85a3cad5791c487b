/**
 * Minimal SVG building blocks for the offline report: "nice" axis ticks, axes and
 * down-sampling. Hand-written rather than a charting library so report.html stays small,
 * deterministic and free of scripts. Markup goes through the auto-escaping `html` tag.
 */
import { html, type SafeHtml } from './html';

export { esc } from './html';

/** Round numbers for coordinates (keeps the file small). */
export const px = (v: number): string => (Math.round(v * 10) / 10).toString();

/** Roughly `count` evenly spaced round values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** A tick label: integers plainly, others with up to 2 decimals; large values with k/M. */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? String(v) : String(+v.toFixed(2));
}

export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export const sx = (f: Frame, x: number): number => f.left + ((x - f.x0) / (f.x1 - f.x0 || 1)) * (f.width - f.left - f.right);
export const sy = (f: Frame, y: number): number => f.height - f.bottom - ((y - f.y0) / (f.y1 - f.y0 || 1)) * (f.height - f.top - f.bottom);

/** Axes with grid lines; x values are ms, labelled in seconds. */
export function axes(f: Frame, yLabel: string, xLabel = 'time (s)'): SafeHtml {
  const parts: SafeHtml[] = [];
  const xb = f.height - f.bottom;
  for (const t of niceTicks(f.x0 / 1000, f.x1 / 1000, 8)) {
    const x = px(sx(f, t * 1000));
    parts.push(html`<line x1="${x}" y1="${f.top}" x2="${x}" y2="${xb}" class="grid"/><text x="${x}" y="${xb + 14}" class="tick" text-anchor="middle">${fmtTick(t)}</text>`);
  }
  for (const v of niceTicks(f.y0, f.y1, 5)) {
    const y = sy(f, v);
    parts.push(html`<line x1="${f.left}" y1="${px(y)}" x2="${f.width - f.right}" y2="${px(y)}" class="grid"/><text x="${f.left - 6}" y="${px(y + 4)}" class="tick" text-anchor="end">${fmtTick(v)}</text>`);
  }
  const mid = (f.top + xb) / 2;
  parts.push(html`<line x1="${f.left}" y1="${xb}" x2="${f.width - f.right}" y2="${xb}" class="axis"/>`);
  parts.push(html`<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${xb}" class="axis"/>`);
  parts.push(html`<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - 4}" class="label" text-anchor="middle">${xLabel}</text>`);
  parts.push(html`<text x="12" y="${mid}" class="label" text-anchor="middle" transform="rotate(-90 12 ${mid})">${yLabel}</text>`);
  return html`${parts}`;
}

/**
 * Keeps at most about two points per pixel column (the min and max of each column, in
 * time order), enough to draw the same picture from far fewer points.
 */
export function downsample(points: Array<[number, number]>, f: Frame): Array<[number, number]> {
  const columns = Math.max(1, Math.floor(f.width - f.left - f.right));
  if (points.length <= columns * 2) return points;
  const out: Array<[number, number]> = [];
  let col = -1;
  let lo: [number, number] | null = null;
  let hi: [number, number] | null = null;
  const push = (): void => {
    if (!lo || !hi) return;
    if (lo === hi) out.push(lo);
    else if (lo[0] <= hi[0]) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (const p of points) {
    const c = Math.floor(sx(f, p[0]));
    if (c !== col) {
      push();
      col = c;
      lo = hi = p;
    } else {
      if (p[1] < lo![1]) lo = p;
      if (p[1] > hi![1]) hi = p;
    }
  }
  push();
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}
