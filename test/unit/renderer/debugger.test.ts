/**
 * The debugger's renderer pieces that run without a browser (issue 11, docs/debugger.md): the
 * breakpoint form's draft and its Breakpoints, held messages placed on the space-time diagram
 * and hit by a click, and the store: out-of-order delivery keeps the order the user chose, and
 * every action shows the DebugView its response carried.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { LabApi, LabChannel, LabRequest, LabResult } from '../../../src/contract/labApi';
import { IDLE_LAB_STATE } from '../../../src/contract/labApi';
import type { DebugView, HeldMessage } from '../../../src/contract/debug';
import { breakpointsOf, breakpointWords, draftOf, draftProblem } from '../../../renderer/src/components/debugger/breakpointDraft';
import { heldPoints, hitHeld } from '../../../renderer/src/components/debugger/heldOnDiagram';
import { LANE_LABEL_WIDTH } from '../../../renderer/src/components/timeTravel/diagramDraw';
import { useDebuggerStore } from '../../../renderer/src/stores/debugger';
import { useLabStore } from '../../../renderer/src/stores/lab';

const held = (hold: string, from: number, to: number, t: number, type = 'vote'): HeldMessage => ({
  hold, id: hold, type, from, to, term: 2, summary: 'last log 0/0', t, reason: 'frozen',
});

describe('the breakpoint draft', () => {
  it('round-trips breakpoints, leaving out what is off and an empty message match means any message', () => {
    const b = { roleChange: true, termAbove: 4, receive: { types: ['vote' as const], from: 2 }, send: {}, violation: true };
    const d = draftOf(b);
    expect(d.commitAtLeast.on).toBe(false);
    expect(breakpointsOf(d)).toEqual(b);
    expect(breakpointWords(b)).toBe('a role change; a term above 4; receiving RequestVote from node 2; sending any message; a safety violation');
    expect(breakpointWords({})).toBe('none');
  });

  it('refuses a number that is not whole and says which', () => {
    const d = draftOf({});
    d.commitAtLeast = { on: true, k: 2.5 };
    expect(draftProblem(d)).toBe('Commit index: a whole number, 0 or more.');
    d.commitAtLeast.on = false;
    expect(draftProblem(d)).toBeNull();
  });
});

describe('held messages on the diagram', () => {
  const g = { lanes: [1, 2, 3], width: 1056, height: 176, fromMs: 0, toMs: 1000 };

  it('sits each on its receiver lane at the run time it was held, clamped into view, and a click finds it', () => {
    // Shared clock 10,000 ms at run time 0: held at 10,500 is run time 500, in the middle.
    const points = heldPoints([held('2.1.4', 2, 3, 10_500), held('1.1.9', 1, 2, 99_999)], 10_000, g);
    expect(points[0]).toMatchObject({ node: 3, hold: '2.1.4', x: LANE_LABEL_WIDTH + 500, y: 132, fromY: 88 });
    expect(points[1].x).toBe(g.width - 8); // held after the view's end: at its right edge
    expect(hitHeld(points, points[0].x + 3, points[0].y - 4)?.hold).toBe('2.1.4');
    expect(hitHeld(points, points[0].x + 20, points[0].y)).toBeNull();
  });

  it('fans out several held at one lane and moment, and skips hidden receivers', () => {
    const points = heldPoints([held('a', 1, 2, 500), held('b', 3, 2, 500), held('c', 2, 4, 500)], 0, g);
    expect(points.map((p) => p.hold)).toEqual(['a', 'b']);
    expect(points[0].x - points[1].x).toBe(12);
  });
});

function view(heldAt2: HeldMessage[]): DebugView {
  const node = {
    frozen: true, heldCount: heldAt2.length, role: 'follower' as const, term: 2, votedFor: null, commit: 0, lastIndex: 0,
    electionElapsed: 0, electionTimeout: 10, heartbeatElapsed: 0, heartbeatTimeout: 2, ticksToNextTimer: 10, breakReason: null,
  };
  return { frozen: true, breakpoints: {}, lastBreak: null, nodes: [{ node: 2, ...node, held: heldAt2 }], actions: 1 };
}

function fakeLab(answer: (channel: LabChannel, req: unknown) => LabResult<unknown>): LabApi & { calls: Array<[LabChannel, unknown]> } {
  const calls: Array<[LabChannel, unknown]> = [];
  return {
    mode: 'electron',
    calls,
    async invoke<C extends LabChannel>(channel: C, request: LabRequest<C>) {
      calls.push([channel, request]);
      if (channel === 'lab:state') return { ok: true, value: IDLE_LAB_STATE } as never;
      if (channel === 'run:history') return { ok: true, value: { runDir: null, running: false, events: [] } } as never;
      return answer(channel, request) as never;
    },
    on: () => () => undefined,
  };
}

describe('the debugger store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('delivers the chosen messages in the order chosen and moved, then shows the answer', async () => {
    const lab = fakeLab((channel, req) => {
      if (channel !== 'debug:release') return { ok: false, error: `unexpected ${channel}` };
      const done = new Set((req as { holds: string[] }).holds);
      return { ok: true, value: view([held('a', 1, 2, 0), held('b', 3, 2, 0), held('c', 1, 2, 0)].filter((h) => !done.has(h.hold))) };
    });
    await useLabStore().connect(lab);
    const dbg = useDebuggerStore();
    for (const k of ['a', 'b', 'c']) dbg.toggleChosen(2, k);
    dbg.toggleChosen(2, 'b'); // unticked
    dbg.toggleChosen(2, 'b'); // ticked again: now last
    dbg.moveChosen(2, 'b', -1);
    dbg.moveChosen(2, 'a', -1); // already first: stays
    expect(dbg.chosenAt(2)).toEqual(['a', 'b', 'c']);
    dbg.moveChosen(2, 'c', -1);
    expect(dbg.chosenAt(2)).toEqual(['a', 'c', 'b']);
    dbg.toggleChosen(2, 'a');
    expect(await dbg.deliverChosen(2)).toBe(true);
    expect(lab.calls.at(-1)).toEqual(['debug:release', { node: 2, holds: ['c', 'b'], action: 'deliver' }]);
    // The response is shown, and choices of messages no longer held are forgotten.
    expect(dbg.nodes[0].held.map((h) => h.hold)).toEqual(['a']);
    expect(dbg.chosenAt(2)).toEqual([]);
  });

  it('puts a refusal in the error banner and keeps what was shown', async () => {
    const lab = fakeLab(() => ({ ok: false, error: 'not held at node 2: 9.9.9' }));
    await useLabStore().connect(lab);
    const dbg = useDebuggerStore();
    expect(await dbg.release(2, 'drop', ['9.9.9'])).toBe(false);
    expect(useLabStore().error).toBe('Drop 9.9.9 at node 2 failed: not held at node 2: 9.9.9');
    expect(dbg.view).toBeNull();
  });
});
