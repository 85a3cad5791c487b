/**
 * ClientService's answers at a graceful stop (issue 9, correctness bug 2): a write the core
 * was handed may already be in its log, and another node may commit and apply it, so the
 * only honest answer is `info`. `fail` is kept for what certainly never reached the core.
 */
import { describe, expect, it } from 'vitest';
import type { ClientRequest, ClientResponse } from '../../../src/contract/client';
import { ClientService } from '../../../src/node/clientService';

interface Route {
  key: string;
}

function service() {
  const replies: ClientResponse[] = [];
  const proposals: Array<{ id: number; commands: ClientRequest[] }> = [];
  const scheduled: Array<() => void> = [];
  const svc = new ClientService<Route>({
    reply: (_route, responses) => replies.push(...responses),
    propose: (id, commands) => proposals.push({ id, commands }),
    read: () => undefined,
    isLeader: () => true,
    leader: () => ({ id: 1, clientAddress: null }),
    get: () => null,
    appliedIndex: () => 0,
    schedule: (fn) => scheduled.push(fn),
  });
  const runScheduled = () => scheduled.splice(0).forEach((fn) => fn());
  return { svc, replies, proposals, runScheduled };
}

const put = (seq: number): ClientRequest => ({ client: 'c', seq, op: { op: 'put', key: 'k', value: `v${seq}` } });
const route = { key: 'r' };

describe('ClientService.stop (issue 9 bug 2)', () => {
  it('answers info, not fail, for a write handed to the core whose proposal result is not processed yet', () => {
    const { svc, replies, proposals, runScheduled } = service();
    svc.submit(route, [put(1), put(2)]);
    runScheduled();
    // The core has the proposal (it may have appended it); its 'proposed' result waits
    // behind the persist of the entries, as on a slow disk.
    expect(proposals).toHaveLength(1);
    svc.stop();
    expect(replies.map((r) => [r.seq, r.status])).toEqual([
      [1, 'info'],
      [2, 'info'],
    ]);
  });

  it('answers info for a write placed at a log index and not yet applied', () => {
    const { svc, replies, proposals, runScheduled } = service();
    svc.submit(route, [put(1)]);
    runScheduled();
    svc.proposed(proposals[0].id, 3, 10);
    svc.stop();
    expect(replies.map((r) => r.status)).toEqual(['info']);
  });

  it('answers fail stopping only for writes that never reached the core', () => {
    const { svc, replies, proposals } = service();
    svc.submit(route, [put(1)]); // batched, flush not run yet
    svc.stop();
    expect(proposals).toHaveLength(0);
    expect(replies).toMatchObject([{ seq: 1, status: 'fail', error: 'stopping' }]);
    svc.submit(route, [put(2)]); // after the stop
    expect(replies[1]).toMatchObject({ seq: 2, status: 'fail', error: 'stopping' });
  });
});
