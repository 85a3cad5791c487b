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
