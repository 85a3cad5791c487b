/**
 * A discriminated view of RunEvent.
 *
 * src/contract/runEvents.ts defines a node's recorded event as
 * `Stamped<Omit<TelemetryEvent, 't'>>`. `Omit` is not distributive over a union, so that
 * type keeps only the fields common to every telemetry event and `ev.type === 'role'` does
 * not narrow to the role fields. `KnownRunEvent` is the intended shape (each telemetry event
 * with `t` re-based and `node` added); the runtime data is identical, only the static type
 * differs, so `asKnown` is a cast. If the contract gets a distributive Omit, this file
 * becomes a plain alias.
 */
import type { NodeId } from '../../raft/types';
import type { LabRunEvent, RunEvent } from '../../contract/runEvents';
import type { TelemetryEvent } from '../../contract/telemetry';

type Restamp<E> = E extends unknown ? Omit<E, 't'> & { t: number; node: NodeId | null } : never;

/** One recorded node event, narrowed by `type`. */
export type KnownNodeEvent = Restamp<TelemetryEvent>;

export type KnownRunEvent = LabRunEvent | KnownNodeEvent;

/** Views a RunEvent as the discriminated union (no runtime change). */
export function asKnown(ev: RunEvent): KnownRunEvent {
  return ev as unknown as KnownRunEvent;
}

/** The recorded form of one event type, e.g. `EventOf<'metrics'>`. */
export type EventOf<T extends KnownRunEvent['type']> = Extract<KnownRunEvent, { type: T }>;
