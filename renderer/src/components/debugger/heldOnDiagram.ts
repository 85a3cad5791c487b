/**
 * Held messages on the space-time diagram (issue 11 item 1): the journals show a held message as
 * sent and not (yet) received, so the debugger adds where it waits: a hollow diamond on its
 * receiver's lane at the moment it was held, joined to its sender's lane by a dashed line. A
 * click near a diamond selects it (deliver or drop it from there). No Vue here, like
 * diagramDraw.ts, whose lane and time geometry it shares.
 */
import type { HeldMessage } from '../../../../src/contract/debug';
import type { MessageType } from '../../../../src/contract/labApiTimeTravel';
import { LANE_LABEL_WIDTH, laneY, timeX } from '../timeTravel/diagramDraw';

export interface HeldPoint {
  node: number;
  hold: string;
  x: number;
  y: number;
  /** The sender's lane (null when that lane is hidden). */
  fromY: number | null;
  type: string;
}

export interface HeldGeometry {
  lanes: readonly number[];
  width: number;
  height: number;
  fromMs: number;
  toMs: number;
}

/**
 * Held times are on the nodes' shared clock (epoch ms, docs/debugger.md); the diagram's are ms
 * since the run started. `offsetMs` is the difference (from any `held` run event: its `t` is
 * re-based, its message's `t` is not); null puts every held message at the diagram's right edge.
 */
export function heldPoints(held: readonly HeldMessage[], offsetMs: number | null, g: HeldGeometry): HeldPoint[] {
  const points: HeldPoint[] = [];
  const perLane = new Map<number, number>();
  for (const h of held) {
    if (!g.lanes.includes(h.to)) continue;
    const t = offsetMs === null ? g.toMs : h.t - offsetMs;
    // Clamped into view, so a held message is never off screen (it is waiting now).
    const x = Math.min(g.width - 8, Math.max(LANE_LABEL_WIDTH + 8, timeX(t, g.fromMs, g.toMs, g.width)));
    // Several held at one moment would overlap: each further one a little to the left.
    const k = perLane.get(h.to) ?? 0;
    perLane.set(h.to, k + 1);
    points.push({
      node: h.to, hold: h.hold, type: h.type,
      x: Math.max(LANE_LABEL_WIDTH + 8, x - k * 12),
      y: laneY(g.lanes, h.to, g.height),
      fromY: g.lanes.includes(h.from) ? laneY(g.lanes, h.from, g.height) : null,
    });
  }
  return points;
}

export function drawHeld(ctx: CanvasRenderingContext2D, points: readonly HeldPoint[], colours: Readonly<Record<MessageType, string>>, selected: string | null): void {
  ctx.save();
  for (const p of points) {
    const colour = colours[p.type as MessageType] ?? '#6b7280';
    ctx.strokeStyle = colour;
    if (p.fromY !== null) {
      ctx.setLineDash([3, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(p.x, p.fromY);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const r = p.hold === selected ? 8 : 6;
    ctx.lineWidth = p.hold === selected ? 3 : 2;
    ctx.fillStyle = '#ffffff';
    ctx.beginPath();
    ctx.moveTo(p.x, p.y - r);
    ctx.lineTo(p.x + r, p.y);
    ctx.lineTo(p.x, p.y + r);
    ctx.lineTo(p.x - r, p.y);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}

/** The held message whose diamond is nearest a click (within 9 px). */
export function hitHeld(points: readonly HeldPoint[], px: number, py: number): HeldPoint | null {
  let best: HeldPoint | null = null;
  let bestDist = 9;
  for (const p of points) {
    const d = Math.hypot(px - p.x, py - p.y);
    if (d < bestDist) {
      bestDist = d;
      best = p;
    }
  }
  return best;
}
