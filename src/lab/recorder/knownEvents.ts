/**
 * Names for recorded events, narrowed by `type`. RunEvent (src/contract/runEvents.ts) is a
 * discriminated union, so these are plain aliases.
 */
import type { RunEvent } from '../../contract/runEvents';

export type KnownRunEvent = RunEvent;

/** The recorded form of one event type, e.g. `EventOf<'metrics'>`. */
export type EventOf<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;
