/**
 * The server side of the lab API, as Electron main and the browser-mode server see it:
 * something that answers every channel of `LabChannels` and pushes `LabPush` messages.
 * `src/lab` implements it; transports only adapt it (IPC, WebSocket) and validate.
 */
import type { LabChannel, LabPush, LabPushChannel, LabRequest, LabResponse } from './labApi';

export interface LabService {
  handle<C extends LabChannel>(channel: C, request: LabRequest<C>): Promise<LabResponse<C>>;
  /** Every push (already batched by the service at most ~20 per second); returns unsubscribe. */
  subscribe(listener: <P extends LabPushChannel>(channel: P, payload: LabPush[P]) => void): () => void;
  /** Stop any running cluster and release everything (app quit, server shutdown). */
  shutdown(): Promise<void>;
}
