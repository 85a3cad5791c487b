// A LabService double for transport tests: records calls, answers from a script, and
// lets a test emit pushes as the real lab would.
import { IDLE_LAB_STATE, type LabChannel, type LabPush, type LabPushChannel, type LabRequest, type LabResponse } from '../../../../src/contract/labApi';
import type { LabService } from '../../../../src/contract/labService';


type PushListener = <P extends LabPushChannel>(channel: P, payload: LabPush[P]) => void;

export class FakeLab implements LabService {
  readonly calls: Array<{ channel: LabChannel; request: unknown }> = [];
  readonly listeners = new Set<PushListener>();
  shutdowns = 0;

  async handle<C extends LabChannel>(channel: C, request: LabRequest<C>): Promise<LabResponse<C>> {
    this.calls.push({ channel, request });
    if (channel === 'node:kill') throw new Error(`node ${(request as LabRequest<'node:kill'>).node} is not running`);
    if (channel === 'lab:state' || channel === 'node:pause') return IDLE_LAB_STATE as LabResponse<C>;
    throw new Error(`FakeLab does not script ${channel}`);
  }

  subscribe(listener: PushListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<P extends LabPushChannel>(channel: P, payload: LabPush[P]): void {
    for (const listener of this.listeners) listener(channel, payload);
  }

  async shutdown(): Promise<void> {
    this.shutdowns += 1;
  }
}
