/**
 * The node half of the debugger (src/node/debug/nodeDebugger.ts) on a real core: what a frozen
 * node holds, what each release action steps, how far a clock step goes (§5.2 timers), and the
 * breakpoints a node checks itself. The host is the runtime's contract, with the core itself.
 */
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../../src/raft';
import type { Input, Message } from '../../../src/raft/types';
import { NodeDebugger, type DebuggerHost } from '../../../src/node/debug/nodeDebugger';
import { MessageIds } from '../../../src/node/transport/messageIds';
import type { HeldMessage, NodeDebugState } from '../../../src/contract/debug';
import { makeConfig } from '../raft/helpers';

function setup() {
  const raft = new RaftNode(makeConfig(1, [1, 2, 3]), { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] });
  const ids = new MessageIds(1, 4);
  const stepped: Input[] = [];
  const sent: Message[] = [];
  const dropped: string[] = [];
  const held: HeldMessage[] = [];
  const states: NodeDebugState[] = [];
  let clock = 'running';
  // The host steps through the debugger it serves (as the runtime does): set right after.
  const self: { dbg: NodeDebugger | null } = { dbg: null };
  const host: DebuggerHost = {
    raft: () => raft,
    ids,
    step: (input) => {
      stepped.push(input);
      const out = raft.step(input);
      ids.numberSent(out.messages);
      sent.push(...out.messages);
      self.dbg!.afterStep(out);
    },
    sendHeld: (m) => sent.push(m),
    dropped: (m, reason) => dropped.push(`${m.type}:${reason}`),
    stopClock: () => (clock = 'stopped'),
    startClock: () => (clock = 'running'),
    now: () => 1000,
    publishHeld: (h) => held.push(h),
    publishState: (s) => states.push(s),
  };
  const dbg = new NodeDebugger(host);
  self.dbg = dbg;
  return { raft, ids, dbg, stepped, sent, dropped, held, states, clock: () => clock };
}

const heartbeat = (term: number, from = 2): Message => ({ type: 'heartbeat', from, to: 1, term, commit: 0, seq: 1 });

describe('a frozen node', () => {
  it('reports its state once per turn after steps outside debug commands (a client request), and a command only once', async () => {
    const t = setup();
    t.dbg.freeze();
    const before = t.states.length;
    // Two steps in one turn that no debug command made (as a client request or a disk acknowledgement would).
    t.raft.step({ type: 'tick' });
    t.dbg.afterStep({ messages: [] } as never);
    t.dbg.afterStep({ messages: [] } as never);
    expect(t.states.length, 'nothing before the turn ends').toBe(before);
    await Promise.resolve();
    expect(t.states.length - before).toBe(1);
    // A clock step of many ticks reports once: its own answer, with nothing queued after it.
    const n = t.states.length;
    t.dbg.advanceClock(5, undefined);
    await Promise.resolve();
    expect(t.states.length - n).toBe(1);
  });

  it('stops its clock and holds every peer message instead of stepping it', () => {
    const t = setup();
    expect(t.dbg.intercept(heartbeat(1))).toBe(false); // not frozen: stepped by the caller
    t.dbg.freeze();
    expect(t.clock()).toBe('stopped');
    const m = heartbeat(2);
    t.ids.received(m, 3, 17);
    expect(t.dbg.intercept(m)).toBe(true);
    expect(t.held).toEqual([expect.objectContaining({ hold: '2.3.17', id: '2.3.17', type: 'heartbeat', from: 2, to: 1, term: 2, reason: 'frozen' })]);
    expect(t.stepped).toEqual([]);
    expect(t.dbg.state()).toMatchObject({ frozen: true, heldCount: 1, term: 0 });
  });

  it('gives a second copy of one id (a duplicating link) its own hold key', () => {
    const t = setup();
    t.dbg.freeze();
    const m = heartbeat(1);
    t.ids.received(m, 1, 5);
    t.dbg.intercept(m);
    t.dbg.intercept(m);
    expect(t.dbg.state().held.map((h) => h.hold)).toEqual(['2.1.5', '2.1.5#2']);
  });

  it('delivers, drops and duplicates held messages in the order asked, and refuses names it does not hold', () => {
    const t = setup();
    t.dbg.freeze();
    const a = heartbeat(1);
    const b = heartbeat(2, 3);
    t.ids.received(a, 1, 1);
    t.ids.received(b, 1, 2);
    t.dbg.intercept(a);
    t.dbg.intercept(b);
    expect(() => t.dbg.release(['2.1.1', '9.9.9'], 'deliver')).toThrow(/not held at node 1: 9\.9\.9/);
    expect(t.dbg.state().heldCount).toBe(2); // nothing was done
    // Out of order: b (term 2) first, then a (term 1) is stale and refused by the core's term rule (§5.1).
    t.dbg.release(['3.1.2', '2.1.1'], 'deliver');
    expect(t.stepped.map((i) => (i.type === 'message' ? i.message.term : i.type))).toEqual([2, 1]);
    expect(t.raft.status()).toMatchObject({ term: 2, leader: 3 });
    t.dbg.intercept(a);
    t.dbg.release(undefined, 'drop');
    expect(t.dropped).toEqual(['heartbeat:debugger: dropped by the user']);
    t.dbg.intercept(b);
    t.dbg.release(undefined, 'duplicate');
    expect(t.stepped.length).toBe(4);
    expect(t.dbg.state().heldCount).toBe(0);
  });

  it('steps its clock until the election timer fires (§5.2), and a thaw delivers what is held', () => {
    const t = setup();
    t.dbg.freeze();
    const before = t.dbg.state();
    expect(before.ticksToNextTimer).toBe(before.electionTimeout - before.electionElapsed);
    const after = t.dbg.advanceClock(undefined, true);
    expect(t.stepped.filter((i) => i.type === 'tick')).toHaveLength(before.ticksToNextTimer);
    expect(after).toMatchObject({ role: 'candidate', term: 1, votedFor: 1 });
    expect(t.sent.filter((m) => m.type === 'vote').map((m) => m.to).sort()).toEqual([2, 3]);
    const m = heartbeat(5);
    t.dbg.intercept(m);
    const thawed = t.dbg.thaw();
    expect(t.clock()).toBe('running');
    expect(thawed).toMatchObject({ frozen: false, heldCount: 0, role: 'follower', term: 5 });
  });

  it('times out now live, but a leader has no election timer to fire', () => {
    const t = setup();
    expect(t.dbg.timeoutNow()).toMatchObject({ role: 'candidate', term: 1, frozen: false });
    t.raft.step({ type: 'message', message: { type: 'voteResp', from: 2, to: 1, term: 1, granted: true, preVote: false } });
    expect(t.raft.status().role).toBe('leader');
    expect(() => t.dbg.timeoutNow()).toThrow(/leader has no election timeout \(§5\.2\)/);
  });
});

describe('messages held by an aimed rule (docs/aimed-faults.md)', () => {
  it('are held on a running node with the rule as the reason, the first one publishing the state, and delivered by a release', () => {
    const t = setup();
    const a = heartbeat(1);
    const b = heartbeat(1, 3);
    t.ids.received(a, 3, 5);
    t.ids.received(b, 2, 9);
    t.dbg.holdByRule(a, 'in', 'aimed rule 1: hold (nth 3)');
    expect(t.clock(), 'an aimed hold does not freeze the node').toBe('running');
    expect(t.states.map((s) => [s.frozen, s.heldCount, s.held[0]?.reason])).toEqual([[false, 1, 'aimed rule 1: hold (nth 3)']]);
    t.dbg.holdByRule(b, 'in', 'aimed rule 1: hold (nth 3)');
    expect(t.states, 'later holds go out as held events only').toHaveLength(1);
    expect(t.held.map((h) => h.hold)).toEqual(['2.3.5', '3.2.9']);
    t.dbg.release(['3.2.9'], 'deliver');
    expect(t.stepped).toEqual([{ type: 'message', message: b }]);
    expect(t.dbg.state().held.map((h) => h.hold)).toEqual(['2.3.5']);
  });

  it('at the sender go to the transport on release, not to the core', () => {
    const t = setup();
    const out: Message = { type: 'heartbeat', from: 1, to: 2, term: 1, commit: 0, seq: 1 };
    t.ids.numberSent([out]);
    t.dbg.holdByRule(out, 'out', 'aimed rule 2: hold (every message)');
    expect(t.dbg.state().held[0].reason).toBe('aimed rule 2: hold (every message) (at the sender)');
    t.dbg.release(undefined, 'deliver');
    expect(t.sent).toEqual([out]);
    expect(t.stepped).toEqual([]);
  });
});

describe("a node's own breakpoints", () => {
  it('freezes on a role change, naming it', () => {
    const t = setup();
    t.dbg.setBreakpoints({ roleChange: true });
    t.dbg.advanceClock(undefined, true);
    const s = t.dbg.state();
    expect(s.frozen).toBe(true);
    expect(s.breakReason).toBe('role changed from follower to candidate in term 1');
    expect(t.clock()).toBe('stopped');
  });

  it('a break tripped while thawing freezes the node at once: the rest stay held, the clock stopped', () => {
    const t = setup();
    t.dbg.freeze();
    // Two higher-term heartbeats held; the role-change breakpoint set while frozen.
    t.dbg.advanceClock(undefined, true); // a candidate of term 1 (§5.2)
    const a = heartbeat(2);
    const b = heartbeat(2, 3);
    t.ids.received(a, 1, 1);
    t.ids.received(b, 1, 2);
    t.dbg.intercept(a);
    t.dbg.intercept(b);
    t.dbg.setBreakpoints({ roleChange: true });
    const s = t.dbg.thaw();
    // The first heartbeat of term 2 makes the candidate a follower (§5.2): it breaks there.
    expect(s).toMatchObject({ frozen: true, role: 'follower', term: 2, breakReason: 'role changed from candidate to follower in term 2' });
    expect(s.held.map((h) => h.hold)).toEqual(['3.1.2']);
    expect(t.clock()).toBe('stopped');
  });

  it('holds and freezes on a matching received message, and lets others through', () => {
    const t = setup();
    t.dbg.setBreakpoints({ receive: { types: ['vote'], from: 3 } });
    expect(t.dbg.intercept(heartbeat(1, 3))).toBe(false);
    const vote: Message = { type: 'vote', from: 3, to: 1, term: 1, lastLogIndex: 0, lastLogTerm: 0, preVote: false, transfer: false };
    t.ids.received(vote, 1, 9);
    expect(t.dbg.intercept(vote)).toBe(true);
    expect(t.dbg.state()).toMatchObject({ frozen: true, heldCount: 1, breakReason: 'received vote from node 3 (3.1.9)' });
  });

  it('freezes on a term above N and on a sent message type', () => {
    const a = setup();
    a.dbg.setBreakpoints({ termAbove: 0 });
    a.dbg.timeoutNow();
    expect(a.dbg.state().breakReason).toBe('term 1 exceeds 0');
    const b = setup();
    b.dbg.setBreakpoints({ send: { types: ['vote'], to: 3 } });
    b.dbg.timeoutNow();
    expect(b.dbg.state().breakReason).toMatch(/^sent vote to node 3 \(1\.4\.\d+\)$/);
  });
});
