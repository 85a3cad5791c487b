/**
 * Drawing of the space-time diagram on a 2D canvas (no Vue here, so the renderer bench can
 * draw synthetic runs with it): a lane per node, time left to right, an arrow per message
 * from its send to each receipt coloured by type, a dropped message ending in a cross, role
 * changes as ticks on the lanes, fault instants as vertical lines, the cursor as a line. When
 * the lab answered with counts per bucket (level of detail), a stacked bar per bucket instead.
 */
import type { MessageAt, MessagesResponse, MessageType, TimelineInfo } from '../../../../src/contract/labApiTimeTravel';
import { MESSAGE_TYPES } from '../../../../src/contract/labApiTimeTravel';
import type { ColorScheme } from '../../../../src/analysis/legend';
import { markColours, messageColours, roleColours } from '../../../../src/analysis/legend';
import type { FaultBand, WitnessBar } from './faultBands';

export interface DiagramInput {
  width: number;
  height: number;
  fromMs: number;
  toMs: number;
  lanes: number[];
  messages: readonly MessageAt[];
  buckets: Extract<MessagesResponse, { detail: 'buckets' }>['buckets'] | null;
  types: ReadonlySet<MessageType>;
  roles: TimelineInfo['roles'];
  /** Run-relative instants of process faults (kill, pause, restart...) and lasting fault starts. */
  faults: ReadonlyArray<{ t: number; node: number | null; label: string }>;
  /** Lasting faults (partitions, link, clock and disk faults, paused and down nodes) as bands on their lanes. */
  bands?: readonly FaultBand[];
  /** A linearizability witness's operations (call to return), drawn in the strip above the lanes. */
  witness?: readonly WitnessBar[];
  cursorMs: number;
  selectedId: string | null;
  scheme: ColorScheme;
  /** Bench only: stroke this many arrows per path instead of one path per arrow (see drawArrowsBatched). */
  arrowsPerPath?: number;
}

export const LANE_LABEL_WIDTH = 56;

export function laneY(lanes: readonly number[], node: number, height: number): number {
  const i = lanes.indexOf(node);
  const gap = height / (lanes.length + 1);
  return gap * (i + 1);
}

export function timeX(t: number, fromMs: number, toMs: number, width: number): number {
  return LANE_LABEL_WIDTH + ((t - fromMs) / Math.max(1e-9, toMs - fromMs)) * (width - LANE_LABEL_WIDTH);
}

/** Where a dropped message's line ends: a third of the way to the receiver's lane, a little later. */
export function dropPoint(m: MessageAt, input: Pick<DiagramInput, 'lanes' | 'height' | 'fromMs' | 'toMs' | 'width'>): { x: number; y: number } {
  const y0 = laneY(input.lanes, m.from, input.height);
  const y1 = laneY(input.lanes, m.to, input.height);
  return { x: timeX(m.sentAt, input.fromMs, input.toMs, input.width) + 14, y: y0 + (y1 - y0) / 3 };
}

export function drawDiagram(ctx: CanvasRenderingContext2D, d: DiagramInput): void {
  const { width, height, fromMs, toMs, lanes } = d;
  const x = (t: number) => timeX(t, fromMs, toMs, width);
  const fg = d.scheme === 'dark' ? '#e5e7eb' : '#111827';
  ctx.clearRect(0, 0, width, height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.lineWidth = 1;
  // Lasting faults: a shaded band over the lanes they touch (every lane when cluster-wide),
  // under everything else; paused and down nodes hatched apart, as the charts' legend says.
  const shade = markColours(d.scheme);
  for (const b of d.bands ?? []) {
    if (b.start > toMs || (b.end !== null && b.end < fromMs)) continue;
    const x0 = Math.max(LANE_LABEL_WIDTH, x(b.start));
    const x1 = Math.min(width, b.end === null ? width : x(b.end));
    const rows = b.nodes === null ? [{ y0: 0, y1: height }] : b.nodes.filter((n) => lanes.includes(n)).map((n) => ({ y0: laneY(lanes, n, height) - 16, y1: laneY(lanes, n, height) + 16 }));
    for (const r of rows) {
      ctx.fillStyle = shade.fault;
      ctx.fillRect(x0, r.y0, Math.max(1, x1 - x0), r.y1 - r.y0);
      if (b.kind === 'down' || b.kind === 'paused') {
        ctx.strokeStyle = shade.faultInstant;
        ctx.globalAlpha = 0.25;
        ctx.beginPath();
        for (let hx = x0 - (r.y1 - r.y0); hx < x1; hx += b.kind === 'down' ? 6 : 12) {
          ctx.moveTo(Math.max(x0, hx), r.y1 - Math.max(0, x0 - hx));
          ctx.lineTo(Math.min(x1, hx + (r.y1 - r.y0)), r.y0 + Math.max(0, hx + (r.y1 - r.y0) - x1));
        }
        ctx.stroke();
        ctx.globalAlpha = 1;
      }
    }
  }
  // Lanes.
  for (const n of lanes) {
    const y = laneY(lanes, n, height);
    ctx.strokeStyle = d.scheme === 'dark' ? '#4b5563' : '#d1d5db';
    ctx.beginPath();
    ctx.moveTo(LANE_LABEL_WIDTH, y);
    ctx.lineTo(width, y);
    ctx.stroke();
    ctx.fillStyle = fg;
    ctx.fillText(`node ${n}`, 4, y + 4);
  }
  // Faults: vertical lines (whole height when cluster-wide).
  const marks = markColours(d.scheme);
  ctx.strokeStyle = marks.faultInstant;
  for (const f of d.faults) {
    if (f.t < fromMs || f.t > toMs) continue;
    const fx = x(f.t);
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    if (f.node !== null && lanes.includes(f.node)) {
      const y = laneY(lanes, f.node, height);
      ctx.moveTo(fx, y - 14);
      ctx.lineTo(fx, y + 14);
    } else {
      ctx.moveTo(fx, 0);
      ctx.lineTo(fx, height);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = marks.faultInstant;
    ctx.fillText(f.label, fx + 3, 12);
  }
  // The linearizability witness: each operation a bar from call to return above the lanes,
  // the one that cannot be ordered in the violation colour and named.
  (d.witness ?? []).forEach((w, i) => {
    if (w.call > toMs || w.return < fromMs) return;
    const x0 = Math.max(LANE_LABEL_WIDTH, x(w.call));
    const x1 = Math.min(width, x(w.return));
    const y = 3 + (i % 3) * 5;
    ctx.fillStyle = w.unplaceable ? marks.violation : fg;
    ctx.globalAlpha = w.unplaceable ? 1 : 0.5;
    ctx.fillRect(x0, y, Math.max(2, x1 - x0), 4);
    ctx.globalAlpha = 1;
    if (w.unplaceable) ctx.fillText(w.label, x0, y + 16);
  });
  // Role changes: a coloured tick on the lane.
  const rc = roleColours(d.scheme);
  for (const r of d.roles) {
    if (r.t < fromMs || r.t > toMs || !lanes.includes(r.node)) continue;
    const y = laneY(lanes, r.node, height);
    ctx.fillStyle = r.preCandidate ? rc.preCandidate : rc[r.role as 'follower' | 'candidate' | 'leader'] ?? fg;
    ctx.fillRect(x(r.t) - 2, y - 8, 4, 16);
  }
  const colours = messageColours(d.scheme);
  if (d.buckets) {
    // Level of detail: stacked counts per bucket, bars in the band under the last lane.
    let max = 1;
    for (const b of d.buckets) max = Math.max(max, sumCounts(b.counts, d.types));
    const bucketW = d.buckets.length > 1 ? Math.max(1, x(d.buckets[1].t) - x(d.buckets[0].t)) : 4;
    for (const b of d.buckets) {
      let y = height;
      for (const type of MESSAGE_TYPES) {
        if (!d.types.has(type)) continue;
        const h = ((b.counts[type] ?? 0) / max) * (height - 10);
        ctx.fillStyle = colours[type];
        ctx.globalAlpha = 0.55;
        ctx.fillRect(x(b.t), y - h, bucketW, h);
        y -= h;
      }
    }
    ctx.globalAlpha = 1;
  } else {
    ctx.lineWidth = 1.2;
    if (d.arrowsPerPath === undefined) drawArrowsEach(ctx, d, colours);
    else drawArrowsBatched(ctx, d, colours, d.arrowsPerPath);
    const sel = d.selectedId === null ? undefined : d.messages.find((m) => m.id === d.selectedId);
    if (sel) {
      ctx.lineWidth = 3;
      drawArrowsEach(ctx, { ...d, messages: [sel] }, colours);
    }
    ctx.lineWidth = 1;
  }
  // The cursor.
  const cx = x(d.cursorMs);
  ctx.strokeStyle = fg;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(cx, 0);
  ctx.lineTo(cx, height);
  ctx.stroke();
  ctx.lineWidth = 1;
}

type Colours = Readonly<Record<MessageType, string>>;

/**
 * Arrows stroked many to a path, per message type. NOT what the app draws: measured side by
 * side in `npm run bench -- renderer` (3336 arrows, Chromium's canvas here), one path per
 * arrow (drawArrowsEach) was the fastest, 16 ms a frame, against 21-24 ms for 8 to 128 arrows
 * a path and 47 ms for one path per type: rasterising one path of many crossing lines costs
 * more than the stroke() calls it saves. Kept so the bench keeps checking that.
 */
export function drawArrowsBatched(ctx: CanvasRenderingContext2D, d: DiagramInput, colours: Colours, perPath: number): void {
  const x = (t: number) => timeX(t, d.fromMs, d.toMs, d.width);
  const byType = new Map<MessageType, MessageAt[]>();
  for (const m of d.messages) {
    let list = byType.get(m.type);
    if (!list) byType.set(m.type, (list = []));
    list.push(m);
  }
  for (const [type, list] of byType) {
    ctx.strokeStyle = colours[type];
    ctx.fillStyle = colours[type];
    let lines = new Path2D();
    let heads = new Path2D();
    let n = 0;
    const flush = () => {
      ctx.stroke(lines);
      ctx.fill(heads);
      lines = new Path2D();
      heads = new Path2D();
      n = 0;
    };
    for (const m of list) {
      const x0 = x(m.sentAt);
      const y0 = laneY(d.lanes, m.from, d.height);
      if (m.receivedAt.length > 0) {
        const y1 = laneY(d.lanes, m.to, d.height);
        for (const r of m.receivedAt) {
          const x1 = x(r);
          lines.moveTo(x0, y0);
          lines.lineTo(x1, y1);
          addHead(heads, x0, y0, x1, y1);
        }
      } else if (m.dropped !== undefined) {
        const p = dropPoint(m, d);
        lines.moveTo(x0, y0);
        lines.lineTo(p.x, p.y);
        addCross(lines, p.x, p.y);
      }
      if (++n >= perPath) flush();
    }
    if (n > 0) flush();
  }
}

/** One path per arrow: what the diagram draws (the fastest in the bench, see drawArrowsBatched). */
export function drawArrowsEach(ctx: CanvasRenderingContext2D, d: DiagramInput, colours: Colours): void {
  const x = (t: number) => timeX(t, d.fromMs, d.toMs, d.width);
  for (const m of d.messages) {
    const x0 = x(m.sentAt);
    const y0 = laneY(d.lanes, m.from, d.height);
    ctx.strokeStyle = colours[m.type];
    ctx.fillStyle = colours[m.type];
    if (m.receivedAt.length > 0) {
      for (const r of m.receivedAt) arrow(ctx, x0, y0, x(r), laneY(d.lanes, m.to, d.height));
    } else if (m.dropped !== undefined) {
      const p = dropPoint(m, d);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      cross(ctx, p.x, p.y);
    }
  }
}

function addHead(path: Path2D, x0: number, y0: number, x1: number, y1: number): void {
  const a = Math.atan2(y1 - y0, x1 - x0);
  path.moveTo(x1, y1);
  path.lineTo(x1 - 7 * Math.cos(a - 0.4), y1 - 7 * Math.sin(a - 0.4));
  path.lineTo(x1 - 7 * Math.cos(a + 0.4), y1 - 7 * Math.sin(a + 0.4));
  path.closePath();
}

function addCross(path: Path2D, cx: number, cy: number): void {
  path.moveTo(cx - 5, cy - 5);
  path.lineTo(cx + 5, cy + 5);
  path.moveTo(cx + 5, cy - 5);
  path.lineTo(cx - 5, cy + 5);
}

function sumCounts(c: Partial<Record<MessageType, number>>, types: ReadonlySet<MessageType>): number {
  let s = 0;
  for (const t of types) s += c[t] ?? 0;
  return s;
}

function arrow(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
  const a = Math.atan2(y1 - y0, x1 - x0);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - 7 * Math.cos(a - 0.4), y1 - 7 * Math.sin(a - 0.4));
  ctx.lineTo(x1 - 7 * Math.cos(a + 0.4), y1 - 7 * Math.sin(a + 0.4));
  ctx.closePath();
  ctx.fill();
}

function cross(ctx: CanvasRenderingContext2D, cx: number, cy: number): void {
  ctx.beginPath();
  ctx.moveTo(cx - 5, cy - 5);
  ctx.lineTo(cx + 5, cy + 5);
  ctx.moveTo(cx + 5, cy - 5);
  ctx.lineTo(cx - 5, cy + 5);
  ctx.stroke();
}

/** The message whose line passes nearest (within 6 px) to a click, for the field view. */
export function hitTest(d: Pick<DiagramInput, 'lanes' | 'height' | 'fromMs' | 'toMs' | 'width' | 'messages'>, px: number, py: number): MessageAt | null {
  let best: MessageAt | null = null;
  let bestDist = 6;
  for (const m of d.messages) {
    const x0 = timeX(m.sentAt, d.fromMs, d.toMs, d.width);
    const y0 = laneY(d.lanes, m.from, d.height);
    const ends = m.receivedAt.length > 0 ? m.receivedAt.map((r) => ({ x: timeX(r, d.fromMs, d.toMs, d.width), y: laneY(d.lanes, m.to, d.height) })) : m.dropped !== undefined ? [dropPoint(m, d)] : [];
    for (const e of ends) {
      const dist = segmentDistance(px, py, x0, y0, e.x, e.y);
      if (dist < bestDist) {
        bestDist = dist;
        best = m;
      }
    }
  }
  return best;
}

function segmentDistance(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const u = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len2));
  return Math.hypot(px - (x0 + u * dx), py - (y0 + u * dy));
}
