/**
 * The run events as the renderer reads them: exactly the contract's RunEvent. The contract's
 * NodeRunEvent now uses a distributive Omit (src/contract/runEvents.ts), so `e.type ===
 * 'role'` narrows on RunEvent itself; the distributive copy this file used to declare is
 * gone, and these names stay only so the views need not change their imports.
 */
import type { RunEvent } from '../../../src/contract/runEvents';

export type ShownEvent = RunEvent;

/** Views a batch of run events as ShownEvents (the same objects, the same type). */
export function asShownEvents(events: readonly RunEvent[]): readonly ShownEvent[] {
  return events;
}
