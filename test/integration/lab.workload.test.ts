/**
 * The lab's workload (src/lab/workload.ts) against a scripted transport, no processes.
 *
 * An op given up at its deadline while a write attempt is still out (sent to the leader,
 * not answered) may have applied: it must be recorded 'info', never 'fail'. Before the fix,
 * an op whose earlier attempts had all been answered not_leader was recorded 'fail' even so;
 * the chaos test caught a cas recorded as failed whose value a later append then showed.
 *
 * Stopping and at once restarting it (the renderer's workload switch flipped off and on)
 * must not cut short the operations of the restarted workload. Before the fix, the drain
 * of the earlier stop() finished every op still in flight when its wait ran out, recording
 * ops of the running workload as failed with 'stopped', though they could still apply: a
 * 'fail' that happened makes a correct history look non-linearizable.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientRequest } from '../../src/contract/client';
import type { HistoryOp } from '../../src/contract/runEvents';
import { Workload } from '../../src/lab/workload';
import type { NodeId } from '../../src/raft/types';
import { waitFor } from './helpers/waitFor';

describe('outcome of an op given up at its deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is info, not fail, when a write attempt is still unanswered', async () => {
    vi.useFakeTimers();
    const recorded: HistoryOp[] = [];
    let workload: Workload | null = null;
    const sent: Array<{ node: NodeId; request: ClientRequest }> = [];
    workload = new Workload(
      {
        send: (node, requests) => {
          for (const request of requests) {
            sent.push({ node, request });
            // Node 1 says node 2 leads; node 2 (the leader) takes the write and never answers in time.
            if (node === 1) setTimeout(() => workload!.onResponse(1, { client: request.client, seq: request.seq, status: 'fail', error: 'not_leader', leader: 2 }), 60);
          }
        },
        nodes: () => [1, 2],
      },
      { now: () => Date.now(), record: (op) => recorded.push(op), random: () => 0.5 },
      { clients: 1, rate: 0, mix: { get: 0, put: 1, cas: 0, append: 0 }, keys: 1, timeoutMs: 100 },
      'wl',
    );
    workload.start();
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.slice(0, 2).map((s) => s.node)).toEqual([1, 2]);
    expect(recorded[0]).toMatchObject({ op: 'put', status: 'info' });
    const stopped = workload.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopped;
  });
});

describe('workload stop and restart', () => {
  it('keeps the ops of a restarted workload running when an earlier stop finishes draining', async () => {
    const sent: Array<{ node: NodeId; request: ClientRequest }> = [];
    const recorded: HistoryOp[] = [];
    const workload = new Workload(
      { send: (node, requests) => requests.forEach((request) => sent.push({ node, request })), nodes: () => [1] },
      { now: () => performance.now(), record: (op) => recorded.push(op), random: () => 0.5 },
      { clients: 1, rate: 0, mix: { get: 0, put: 1, cas: 0, append: 0 }, keys: 1, timeoutMs: 400 },
      'wl',
    );
    workload.start();
    await waitFor(() => sent.length > 0, { timeoutMs: 2000, what: 'a first request' });

    const stopping = workload.stop();
    workload.start();
    await stopping;
    const before = recorded.length;
    // The restarted workload's ops end by their own deadline (no node answers here), as
    // 'info' timeouts: never as 'stopped' by a drain that no longer applies.
    await waitFor(() => recorded.length > before + 1, { timeoutMs: 5000, what: 'two more recorded ops' });
    await workload.stop();
    const stoppedWhileRunning = recorded.slice(0, -1).filter((op) => op.error === 'stopped');
    expect(stoppedWhileRunning).toEqual([]);
    expect(recorded.every((op) => op.status === 'info' || op.status === 'fail')).toBe(true);
  });
});
