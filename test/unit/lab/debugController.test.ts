/**
 * The lab's debug controller (src/lab/debug/debugController.ts, docs/debugger.md) against
 * scripted node replies: a break that a resume itself trips arrives in the thaw's reply, before
 * any debugState telemetry, and must still freeze the whole cluster (it used to be swallowed:
 * only telemetry was checked, and by then the reply had stored the same reason); the run then
 * records resume, break, freeze in that order, and the workload stays paused.
 */
import { describe, expect, it } from 'vitest';
import type { ControlCommand, ControlReply } from '../../../src/contract/control';
import type { NodeDebugState } from '../../../src/contract/debug';
import type { ClientRequest } from '../../../src/contract/client';
import type { HistoryOp } from '../../../src/contract/runEvents';
import { DebugClient, DEBUG_CLIENT_FIRST_INDEX } from '../../../src/lab/debug/debugClient';
import { DebugController } from '../../../src/lab/debug/debugController';

function state(frozen: boolean, breakReason: string | null = null): NodeDebugState {
  return {
    frozen, held: [], heldCount: 0, role: 'follower', term: 2, votedFor: null, commit: 0, lastIndex: 0,
    electionElapsed: 0, electionTimeout: 10, heartbeatElapsed: 0, heartbeatTimeout: 2, ticksToNextTimer: 10, breakReason,
  };
}

function setup(onThaw: (node: number) => NodeDebugState) {
  const recorded: string[] = [];
  const commands: string[] = [];
  let workload = 'running';
  const dbg = new DebugController({
    control: async (node: number, c: ControlCommand): Promise<ControlReply> => {
      commands.push(`${c.cmd}@${node}`);
      const result = c.cmd === 'thaw' ? onThaw(node) : state(c.cmd === 'freeze');
      return { id: 1, ok: true, result };
    },
    liveNodes: () => [1, 2, 3],
    record: (ev) => recorded.push(ev.action),
    now: () => 1234,
    pauseWorkload: () => (workload = 'paused'),
    restoreWorkload: () => (workload = 'running'),
    onChange: () => undefined,
    client: new DebugClient({ send: () => undefined, now: () => 1234, recordOp: () => undefined, prefix: 'run-d' }),
  });
  return { dbg, recorded, commands, workload: () => workload };
}

describe('the debug controller', () => {
  it('freezes the cluster again when the thaw itself trips a breakpoint, seen in the reply', async () => {
    const t = setup((node) => (node === 1 ? state(true, 'role changed from leader to follower in term 2') : state(false)));
    await t.dbg.freeze();
    await t.dbg.setBreakpoints({ roleChange: true });
    await t.dbg.resume();
    await new Promise((r) => setTimeout(r, 0)); // the break's freeze runs after the reply
    expect(t.recorded).toEqual(['freeze', 'breakpoints', 'resume', 'break', 'freeze']);
    expect(t.dbg.view()).toMatchObject({ frozen: true, lastBreak: { reason: 'role changed from leader to follower in term 2', node: 1, atMs: 1234 } });
    expect(t.workload()).toBe('paused');
    expect(t.commands.filter((c) => c.startsWith('freeze')).length).toBe(6); // the user's freeze and the break's
  });

  it('resumes quietly when no breakpoint fires', async () => {
    const t = setup(() => state(false));
    await t.dbg.freeze();
    await t.dbg.resume();
    expect(t.recorded).toEqual(['freeze', 'resume']);
    expect(t.dbg.view()?.frozen).toBe(false);
    expect(t.workload()).toBe('running');
  });
});

describe("the debugger's client (debug:put)", () => {
  function client() {
    const sent: Array<[number, ClientRequest[]]> = [];
    const ops: HistoryOp[] = [];
    let t = 10;
    const c = new DebugClient({ send: (node, reqs) => sent.push([node, reqs]), now: () => t++, recordOp: (op) => ops.push(op), prefix: 'run-d' });
    return { c, sent, ops };
  }

  it('sends each put as its own client and records the answer whenever it comes: ok, a refusal, or maybe at the end', () => {
    const { c, sent, ops } = client();
    const a = c.put(1, 'k', 'v1');
    const b = c.put(2, 'k', 'v2');
    const d = c.put(1, 'j', 'v3');
    expect(sent).toEqual([
      [1, [{ client: a, seq: 1, op: { op: 'put', key: 'k', value: 'v1' } }]],
      [2, [{ client: b, seq: 1, op: { op: 'put', key: 'k', value: 'v2' } }]],
      [1, [{ client: d, seq: 1, op: { op: 'put', key: 'j', value: 'v3' } }]],
    ]);
    expect(new Set([a, b, d]).size).toBe(3);
    expect(c.owns({ client: a, seq: 1, status: 'ok', value: 'v1', index: 5 })).toBe(true);
    expect(c.owns({ client: 'run-c-0', seq: 1, status: 'ok', value: 'x', index: 5 })).toBe(false);
    // An answer from another node than the one asked is not this put's (a stale route).
    c.onResponse(2, { client: a, seq: 1, status: 'ok', value: 'v1', index: 5 });
    expect(ops).toEqual([]);
    c.onResponse(2, { client: b, seq: 1, status: 'fail', error: 'not_leader', leader: 1 });
    c.onResponse(1, { client: a, seq: 1, status: 'ok', value: 'v1', index: 5 });
    expect(c.outstanding()).toBe(1);
    c.finishAll();
    expect(ops.map((o) => [o.client, o.key, o.value, o.status, o.output, o.error ?? null])).toEqual([
      [DEBUG_CLIENT_FIRST_INDEX + 1, 'k', 'v2', 'fail', null, 'not_leader'],
      [DEBUG_CLIENT_FIRST_INDEX, 'k', 'v1', 'ok', 'v1', null],
      // Never answered: it may have been applied (§8), so not a certain failure.
      [DEBUG_CLIENT_FIRST_INDEX + 2, 'j', 'v3', 'info', null, 'the run ended before the node answered'],
    ]);
    expect(c.outstanding()).toBe(0);
  });
});
