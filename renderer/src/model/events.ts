/**
 * The run events as the renderer reads them.
 *
 * `NodeRunEvent` in src/contract/runEvents.ts is `Omit<TelemetryEvent, 't'> & ...`, and
 * TypeScript's Omit is not distributive: over a union it keeps only the common fields,
 * so `e.type === 'role'` cannot narrow to a role event. This distributive version has the
 * same runtime shape and narrows properly. Every RunEvent is a ShownEvent at runtime
 * (the lab writes exactly these objects), so the conversion is a type-level cast.
 */
import type { NodeId } from '../../../src/raft/types';
import type { TelemetryEvent } from '../../../src/contract/telemetry';
import type { LabRunEvent, RunEvent } from '../../../src/contract/runEvents';

type StampedNodeEvent<E> = E extends unknown ? Omit<E, 't'> & { t: number; node: NodeId | null } : never;

export type ShownNodeEvent = StampedNodeEvent<TelemetryEvent>;
export type ShownEvent = ShownNodeEvent | LabRunEvent;

/** Views a batch of run events with the distributive type (no copy). */
export function asShownEvents(events: readonly RunEvent[]): readonly ShownEvent[] {
  return events as unknown as readonly ShownEvent[];
}
