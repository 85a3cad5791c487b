/**
 * The node's half of the debugger (issue 11, docs/debugger.md): a frozen node ticks only when
 * the lab says so and holds every peer message it receives instead of stepping it.
 *
 * Exactness: whatever the lab does with a held message becomes an ordinary core input — a
 * delivered message is a `message` step (journaled with its id), a clock step is `tick` steps
 * — so the journal records it and replay stays exact (src/replay). A dropped held message is
 * journaled as dropped with the reason "debugger". Nothing here touches the core's state.
 *
 * What a frozen node still does: it carries out outputs already queued (writes, sends of steps
 * taken before or while frozen), answers clients and the lab, and publishes telemetry. Only
 * its clock and its inbound peer messages stop.
 */
import { MAX_ADVANCE_TICKS, MAX_HELD_LISTED, MAX_HELD_PER_NODE, type HeldMessage, type NodeBreakpoints, type NodeDebugState, type ReleaseAction } from '../../contract/debug';
import { messageMatches } from '../../contract/messageMatch';
import type { RaftNode } from '../../raft';
import type { Input, Message, Outputs, Role } from '../../raft/types';
import type { MessageId, MessageIds } from '../transport/messageIds';

/** What the debugger needs from its node (the runtime, src/node/runtime.ts). */
export interface DebuggerHost {
  readonly raft: () => RaftNode;
  readonly ids: MessageIds;
  /** Steps one core input (as the runtime steps any input, journal included). */
  step(input: Input, msgId?: MessageId): void;
  /** Hands an outbound message held at its sender to the transport, past the fault rules. */
  sendHeld(message: Message): void;
  /** Journals a held message the user dropped. */
  dropped(message: Message, reason: string, msgId?: MessageId): void;
  stopClock(): void;
  startClock(): void;
  now(): number;
  publishHeld(held: HeldMessage): void;
  publishState(state: NodeDebugState): void;
}

interface Held {
  view: HeldMessage;
  message: Message;
  id: MessageId | undefined;
  /** 'in': held at this node, the receiver; 'out': held before this node sent it (an aimed rule). */
  direction: 'in' | 'out';
}

export class NodeDebugger {
  private frozen = false;
  private breakReason: string | null = null;
  private held: Held[] = [];
  private copies = new Map<string, number>();
  private breakpoints: NodeBreakpoints = {};
  /** True when some breakpoint needs a look after each step (keeps the hot path free otherwise). */
  private watching = false;
  private lastRole: Role | null = null;
  /** A frozen node's state report is queued for the end of this turn (afterStep). */
  private publishQueued = false;

  constructor(private readonly host: DebuggerHost) {}

  get isFrozen(): boolean {
    return this.frozen;
  }

  /**
   * Called with every inbound peer message that passed the link rules: true when it is held
   * (the node is frozen, or it matches a receive breakpoint, which freezes the node).
   */
  intercept(message: Message): boolean {
    if (this.frozen) {
      this.hold(message, 'in', 'frozen');
      return true;
    }
    const bp = this.breakpoints.receive;
    if (bp && messageMatches(bp, message)) {
      this.hold(message, 'in', 'breakpoint');
      this.breakOn(`received ${message.type} from node ${message.from} (${this.host.ids.describe(message)})`);
      return true;
    }
    return false;
  }

  /** Holds a message (also the aimed rules' `hold` action, src/node/faults). */
  hold(message: Message, direction: 'in' | 'out', reason: string): void {
    const id = this.host.ids.get(message);
    const idText = this.host.ids.describe(message);
    const copy = (this.copies.get(idText) ?? 0) + 1;
    this.copies.set(idText, copy);
    const view: HeldMessage = {
      hold: copy === 1 ? idText : `${idText}#${copy}`,
      id: idText,
      type: message.type,
      from: message.from,
      to: message.to,
      term: message.term,
      summary: summarize(message),
      t: this.host.now(),
      reason: direction === 'out' ? `${reason} (at the sender)` : reason,
    };
    this.held.push({ view, message, id, direction });
    if (this.held.length > MAX_HELD_PER_NODE) {
      const oldest = this.held.shift()!;
      this.host.dropped(oldest.message, 'debugger: hold queue full', oldest.id);
    }
    this.host.publishHeld(view);
  }

  /**
   * An aimed rule's `hold` (src/node/faults/faultInjector.ts onHold): held like a frozen node's
   * message, frozen or not, with the rule as the reason. The first one held also publishes the
   * node's whole debug state, so the lab lists this node's held messages even when the debugger
   * was never used before (later ones follow as `held` events).
   */
  holdByRule(message: Message, direction: 'in' | 'out', reason: string): void {
    this.hold(message, direction, reason);
    if (this.held.length === 1) this.publish();
  }

  /**
   * After each step: while frozen, the node's state goes to the lab (a client request or a
   * persistence acknowledgement steps a frozen node too, outside any debug command, and the
   * app shows every node's state after each step); otherwise the breakpoints this node checks
   * itself (§5.2 role, term, commit; sends).
   */
  afterStep(out: Outputs): void {
    if (this.frozen) {
      // Once per turn: a debug command publishes its own state when its steps are done (which
      // cancels this), and N ticks of one clock step are one report, not N.
      if (!this.publishQueued) {
        this.publishQueued = true;
        queueMicrotask(() => {
          if (this.publishQueued) this.publish();
        });
      }
      return;
    }
    if (!this.watching) return;
    const bp = this.breakpoints;
    const s = this.host.raft().status();
    if (bp.roleChange && this.lastRole !== null && s.role !== this.lastRole) {
      const from = this.lastRole;
      this.lastRole = s.role;
      return this.breakOn(`role changed from ${from} to ${s.role} in term ${s.term}`);
    }
    this.lastRole = s.role;
    if (bp.termAbove !== undefined && s.term > bp.termAbove) return this.breakOn(`term ${s.term} exceeds ${bp.termAbove}`);
    if (bp.commitAtLeast !== undefined && s.commit >= bp.commitAtLeast) return this.breakOn(`commit index ${s.commit} reached ${bp.commitAtLeast}`);
    if (bp.send) {
      for (const m of out.messages) {
        if (messageMatches(bp.send, m)) return this.breakOn(`sent ${m.type} to node ${m.to} (${this.host.ids.describe(m)})`);
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Commands from the lab
  // ---------------------------------------------------------------------------------------

  freeze(): NodeDebugState {
    if (!this.frozen) {
      this.frozen = true;
      this.host.stopClock();
    }
    return this.publish();
  }

  /**
   * Delivers what is held (arrival order), then lets the real clock tick again. A breakpoint
   * one of them trips (the old leader stepping down on a higher term, say) freezes the node at
   * once: the rest stay held and the clock stays stopped, as for any break.
   */
  thaw(): NodeDebugState {
    this.frozen = false;
    this.breakReason = null;
    while (this.held.length > 0 && !this.frozen) this.deliver(this.held.shift()!, 1);
    if (this.held.length === 0) this.copies.clear();
    if (!this.frozen) this.host.startClock();
    return this.publish();
  }

  /**
   * Acts on held messages in the order of `holds` (out-of-order delivery), or on all of them
   * in arrival order. An unknown hold key is an error naming it (nothing is done then).
   */
  release(holds: readonly string[] | undefined, action: ReleaseAction): NodeDebugState {
    let chosen: Held[];
    if (holds === undefined) {
      chosen = this.held;
      this.held = [];
    } else {
      const byKey = new Map(this.held.map((h) => [h.view.hold, h]));
      const missing = holds.filter((k) => !byKey.has(k));
      if (missing.length > 0) throw new Error(`not held at node ${this.host.ids.self}: ${missing.join(', ')}`);
      if (new Set(holds).size !== holds.length) throw new Error('a held message is named twice');
      chosen = holds.map((k) => byKey.get(k)!);
      const taken = new Set(chosen);
      this.held = this.held.filter((h) => !taken.has(h));
    }
    for (const h of chosen) {
      if (action === 'drop') {
        this.host.dropped(h.message, 'debugger: dropped by the user', h.id);
        continue;
      }
      this.deliver(h, action === 'duplicate' ? 2 : 1);
    }
    if (this.held.length === 0) this.copies.clear();
    return this.publish();
  }

  /** Steps a held inbound message (or sends a held outbound one) `times` times. */
  private deliver(h: Held, times: number): void {
    for (let i = 0; i < times; i++) {
      if (h.direction === 'in') this.host.step({ type: 'message', message: h.message }, h.id);
      else this.host.sendHeld(h.message);
    }
  }

  /**
   * Steps `ticks` ticks, or as many as the next timer needs (thesis §3.4: the election timer
   * of a follower or candidate, the heartbeat timer of a leader).
   */
  advanceClock(ticks: number | undefined, untilTimer: boolean | undefined): NodeDebugState {
    const n = untilTimer ? this.ticksToNextTimer() : (ticks ?? 1);
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_ADVANCE_TICKS)) throw new Error(`cannot advance ${n} ticks (1 to ${MAX_ADVANCE_TICKS})`);
    for (let i = 0; i < n; i++) this.host.step({ type: 'tick' });
    return this.publish();
  }

  /**
   * RaftScope's "time out": the election timer fires now (§5.2), frozen or live, by stepping
   * the ticks it still needs. A leader has no election timer to fire.
   */
  timeoutNow(): NodeDebugState {
    const s = this.host.raft().inspect();
    if (s.role === 'leader') throw new Error(`node ${s.id} is the leader: a leader has no election timeout (§5.2); transfer leadership instead (§3.10)`);
    const n = Math.max(1, s.timers.electionTimeout - s.timers.electionElapsed);
    return this.advanceClock(n, false);
  }

  setBreakpoints(bp: NodeBreakpoints): NodeDebugState {
    this.breakpoints = bp;
    this.watching = bp.roleChange === true || bp.termAbove !== undefined || bp.commitAtLeast !== undefined || bp.send !== undefined;
    this.lastRole = this.host.raft().status().role;
    return this.state();
  }

  state(): NodeDebugState {
    const s = this.host.raft().inspect();
    return {
      frozen: this.frozen,
      held: this.held.slice(0, MAX_HELD_LISTED).map((h) => h.view),
      heldCount: this.held.length,
      role: s.role,
      term: s.term,
      votedFor: s.vote > 0 ? s.vote : null,
      commit: s.commit,
      lastIndex: s.log.lastIndex,
      electionElapsed: s.timers.electionElapsed,
      electionTimeout: s.timers.electionTimeout,
      heartbeatElapsed: s.timers.heartbeatElapsed,
      heartbeatTimeout: s.timers.heartbeatTimeout,
      ticksToNextTimer: this.ticksOf(s),
      breakReason: this.breakReason,
    };
  }

  /** Everything held is dropped silently when the node stops (the process ends; nothing was delivered). */
  clear(): void {
    this.held = [];
    this.copies.clear();
  }

  private ticksToNextTimer(): number {
    return this.ticksOf(this.host.raft().inspect());
  }

  private ticksOf(s: ReturnType<RaftNode['inspect']>): number {
    const t = s.timers;
    const left = s.role === 'leader' ? t.heartbeatTimeout - t.heartbeatElapsed : t.electionTimeout - t.electionElapsed;
    return Math.max(1, left);
  }

  private breakOn(reason: string): void {
    this.breakReason = reason;
    this.freeze();
  }

  private publish(): NodeDebugState {
    this.publishQueued = false;
    const state = this.state();
    this.host.publishState(state);
    return state;
  }
}

/** A held message's fields in a few words (no entry data). */
function summarize(m: Message): string {
  switch (m.type) {
    case 'append':
      return `prev ${m.prevIndex}/${m.prevTerm}, ${m.entries.length} entries${m.entries.length ? ` ${m.entries[0].index}–${m.entries[m.entries.length - 1].index}` : ''}, commit ${m.commit}`;
    case 'appendResp':
      return m.success ? `success, match ${m.matchIndex}` : `reject ${m.rejectIndex}, hint ${m.hintIndex}/${m.hintTerm}`;
    case 'vote':
      return `${m.preVote ? 'pre-vote, ' : ''}last log ${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'voteResp':
      return `${m.preVote ? 'pre-vote ' : ''}${m.granted ? 'granted' : 'refused'}`;
    case 'heartbeat':
      return `commit ${m.commit}`;
    case 'heartbeatResp':
      return `seq ${m.seq}`;
    case 'snapshot':
      return `snapshot to ${m.snapshot.meta.index}/${m.snapshot.meta.term}, ${m.snapshot.data.byteLength} bytes`;
    case 'timeoutNow':
      return 'time out now (§3.10)';
  }
}

