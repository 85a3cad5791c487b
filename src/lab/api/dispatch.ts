/**
 * The one path every request from a renderer takes into the lab, whatever carried it
 * (Electron IPC or the browser-mode WebSocket): validate the untrusted payload, call the
 * service, and turn failures into data. Nothing thrown crosses a transport.
 */
import type { LabResult } from '../../contract/labApi';
import type { LabService } from '../../contract/labService';
import { validateRequest } from '../../contract/labApiValidate';

/** The message of anything thrown, for a `{ ok: false, error }` result. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : `unexpected error: ${String(err)}`;
}

/**
 * Validates `payload` for `channel` and runs it on `lab`. Unknown channels and malformed
 * payloads come back as `{ ok: false, error }` without reaching the lab.
 */
export async function dispatchLabRequest(lab: LabService, channel: string, payload: unknown): Promise<LabResult<unknown>> {
  try {
    // Inside the try: a validator bug must become an error result, not a dead connection.
    const checked = validateRequest(channel, payload);
    if (!checked.ok) return { ok: false, error: checked.error };
    const value: unknown = await lab.handle(checked.channel, checked.request);
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}
