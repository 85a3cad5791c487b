/**
 * When each node had no live process (down: killed, stopped, crashed, not yet started) or
 * was no longer a member (removed, from its membership event on), as [start, end] ms
 * stretches for withGaps; end is Infinity while it lasts.
 */
import type { NodeId } from '../../../src/analysis/ids';
import type { RunModel } from '../model/runModel';
import type { Gap } from './options/common';

/** When each removed node was removed (ms), from the run's membership events. */
export function removalTimes(model: RunModel): Map<NodeId, number> {
  const out = new Map<NodeId, number>();
  const events = model.log.query({ types: new Set(['membership']), limit: 10_000 }).reverse();
  for (const { event: e } of events) {
    if (e.type !== 'membership') continue;
    if (e.action === 'remove') out.set(e.target, e.t);
    else out.delete(e.target);
  }
  return out;
}

export function nodeGaps(model: RunModel, node: NodeId, removedAt: number | undefined): Gap[] {
  const gaps: Gap[] = model.timeline
    .segments(node)
    .filter((s) => s.state === 'down')
    .map((s) => [s.start, s.end ?? Infinity] as const);
  if (removedAt !== undefined) gaps.push([removedAt, Infinity]);
  return gaps;
}
