/**
 * The lab's half of the debugger (issue 11, docs/debugger.md): freezes and resumes the whole
 * cluster, acts on the messages each node holds, steps node clocks, keeps the breakpoints on
 * every node (restarted ones included), and turns a break on one node into a freeze of all.
 *
 * Each action is recorded as a `debug` run event with the scenario step that repeats it, so a
 * session can be saved as a scenario (src/lab/debug/sessionScenario.ts) and what was done while
 * frozen shows in the run like any fault. The nodes' own state (held messages, timers) comes
 * back in each command's reply and in `held` / `debugState` telemetry.
 */
import type { NodeId } from '../../raft/types';
import type { ControlCommand, ControlReply } from '../../contract/control';
import { checkNodeDebugState, nodeBreakpointsOf, type Breakpoints, type DebugView, type NodeDebugState, type ReleaseAction } from '../../contract/debug';
import type { DebugAction, RunEvent } from '../../contract/runEvents';
import { ClusterError } from '../clusterError';

export interface DebugControllerDeps {
  control(node: NodeId, command: ControlCommand): Promise<ControlReply>;
  /** Nodes whose process is up and ready now. */
  liveNodes(): NodeId[];
  record(ev: { type: 'debug'; node: null; action: DebugAction; description: string; nodes: NodeId[]; step?: Record<string, unknown> }): void;
  now(): number;
  /** Pauses the workload (a frozen cluster commits nothing: its clients would only time out). */
  pauseWorkload(): void;
  /** Puts back what pauseWorkload stopped. */
  restoreWorkload(): void;
  onChange(): void;
}

export class DebugController {
  private frozen = false;
  private breakpoints: Breakpoints = {};
  private lastBreak: DebugView['lastBreak'] = null;
  private readonly nodeStates = new Map<NodeId, NodeDebugState>();
  private actions = 0;
  /** A freeze of the whole cluster in progress (a break on two nodes at once freezes once). */
  private freezing: Promise<void> | null = null;
  /** Whether the debugger was used in this run (LabState.debug is absent otherwise). */
  private used = false;

  constructor(private readonly deps: DebugControllerDeps) {}

  get isFrozen(): boolean {
    return this.frozen;
  }

  view(): DebugView | undefined {
    if (!this.used) return undefined;
    const nodes = [...this.nodeStates.entries()].sort((a, b) => a[0] - b[0]).map(([node, s]) => ({ node, ...s }));
    return { frozen: this.frozen, breakpoints: this.breakpoints, lastBreak: this.lastBreak, nodes, actions: this.actions };
  }

  async freeze(cause = 'the user froze the cluster'): Promise<DebugView> {
    this.used = true;
    if (!this.frozen) {
      this.frozen = true;
      this.deps.pauseWorkload();
      await this.onEveryNode({ cmd: 'freeze' });
      this.recordAction('freeze', cause, this.deps.liveNodes(), { freeze: true });
    }
    return this.view()!;
  }

  async resume(): Promise<DebugView> {
    this.used = true;
    if (this.frozen) {
      this.frozen = false;
      // Recorded and the workload restored before the thaw: a break the thaw trips (in a
      // node's reply, see command) freezes the cluster again, and its record, its workload
      // pause and its freeze must come after the resume's, not be undone by it.
      this.recordAction('resume', 'resumed real time: held messages delivered in arrival order', this.deps.liveNodes(), { unfreeze: true });
      this.deps.restoreWorkload();
      await this.onEveryNode({ cmd: 'thaw' });
    }
    return this.view()!;
  }

  async release(node: NodeId, holds: readonly string[] | undefined, action: ReleaseAction): Promise<DebugView> {
    this.used = true;
    const before = this.nodeStates.get(node);
    const named = holds ?? before?.held.map((h) => h.hold) ?? [];
    const picked = holds ? (before?.held.filter((h) => holds.includes(h.hold)) ?? []) : (before?.held ?? []);
    await this.command(node, { cmd: 'release', holds: holds ? [...holds] : undefined, action });
    const what = holds ? `${named.join(', ')}` : 'every held message';
    const words = action === 'deliver' ? 'delivered' : action === 'drop' ? 'dropped' : 'delivered twice';
    // The step that repeats it names the messages by content (ids differ from run to run).
    const step = { release: holds ? { node, action, messages: picked.map((h) => ({ type: h.type, from: h.from })) } : { node, action } };
    this.recordAction('release', `node ${node}: ${words} ${what}`, [node], step);
    return this.view()!;
  }

  async advance(node: NodeId, ticks: number | undefined, untilTimer: boolean | undefined): Promise<DebugView> {
    this.used = true;
    if (!this.frozen) throw new ClusterError('the cluster is not frozen: its clocks run on their own (freeze it first)');
    const before = this.nodeStates.get(node);
    const state = await this.command(node, { cmd: 'advanceClock', ticks, untilTimer });
    const n = untilTimer ? (before?.ticksToNextTimer ?? 0) : (ticks ?? 1);
    const words = untilTimer ? `advanced its clock until its next timer fired${before ? ` (${n} ticks)` : ''}` : `advanced its clock ${n} tick${n === 1 ? '' : 's'}`;
    this.recordAction('advance', `node ${node}: ${words}; now ${state.role} in term ${state.term}`, [node], { advance: untilTimer ? { node, untilTimer: true } : { node, ticks: n } });
    return this.view()!;
  }

  async timeoutNow(node: NodeId): Promise<DebugView> {
    this.used = true;
    const state = await this.command(node, { cmd: 'timeoutNow' });
    this.recordAction('timeoutNow', `node ${node}: election timer fired (time out now); now ${state.role} in term ${state.term}`, [node], { 'timeout-now': node });
    return this.view()!;
  }

  async setBreakpoints(bp: Breakpoints): Promise<DebugView> {
    this.used = true;
    this.breakpoints = bp;
    await this.onEveryNode({ cmd: 'setBreakpoints', breakpoints: nodeBreakpointsOf(bp) });
    this.recordAction('breakpoints', `breakpoints: ${describeBreakpoints(bp)}`, this.deps.liveNodes(), { break: bp });
    return this.view()!;
  }

  /**
   * A node became ready (a start, a restart, an added node): it gets the breakpoints, and, if
   * the cluster is frozen, it freezes too (a restarted node must not run alone in real time).
   */
  async nodeReady(node: NodeId): Promise<void> {
    if (!this.used) return;
    if (Object.keys(this.breakpoints).length > 0) await this.command(node, { cmd: 'setBreakpoints', breakpoints: nodeBreakpointsOf(this.breakpoints) });
    if (this.frozen) await this.command(node, { cmd: 'freeze' });
  }

  /** Every run event passes here: node debug telemetry, kills and violations (for their breakpoints). */
  observe(ev: RunEvent): void {
    if (ev.type === 'held' && ev.node !== null) {
      // A message held by an aimed rule (docs/aimed-faults.md) puts the debugger in use: it is listed and releasable.
      this.used = true;
      const s = this.nodeStates.get(ev.node);
      if (s && !s.held.some((h) => h.hold === ev.message.hold)) {
        if (s.held.length < 256) s.held.push(ev.message);
        s.heldCount++;
      }
      this.deps.onChange();
    } else if (ev.type === 'debugState' && ev.node !== null) {
      if (ev.state.heldCount > 0) this.used = true;
      const hadBreak = this.nodeStates.get(ev.node)?.breakReason ?? null;
      this.nodeStates.set(ev.node, ev.state);
      if (ev.state.breakReason !== null && ev.state.breakReason !== hadBreak) this.breakAll(ev.node, ev.state.breakReason);
      this.deps.onChange();
    } else if (ev.type === 'process' && ev.node !== null && (ev.state === 'killed' || ev.state === 'crashed' || ev.state === 'exited' || ev.state === 'stopped')) {
      this.nodeStates.delete(ev.node);
      if (this.breakpoints.nodeKilled && ev.state !== 'stopped') this.breakAll(ev.node, `node ${ev.node} ${ev.state}`);
    } else if (ev.type === 'violation' && this.breakpoints.violation) {
      this.breakAll(null, `safety violation: ${ev.property}: ${ev.message}`);
    }
  }

  /** Forget a node that left the cluster. */
  forget(node: NodeId): void {
    this.nodeStates.delete(node);
  }

  private breakAll(node: NodeId | null, reason: string): void {
    this.used = true;
    this.lastBreak = { reason, node, atMs: this.deps.now() };
    if (this.frozen || this.freezing) return;
    this.recordAction('break', `break${node === null ? '' : ` at node ${node}`}: ${reason}`, node === null ? [] : [node]);
    this.freezing = this.freeze(`break: ${reason}`)
      .catch((err: Error) => console.error(`[lab] freezing on a break failed: ${err.message}`))
      .then(() => {
        this.freezing = null;
      });
  }

  private async onEveryNode(command: ControlCommand): Promise<void> {
    const nodes = this.deps.liveNodes();
    const results = await Promise.allSettled(nodes.map((n) => this.command(n, command)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`node ${nodes[i]}: ${(r.reason as Error).message}`] : []));
    if (failed.length > 0) throw new ClusterError(`${command.cmd} did not reach every node: ${failed.join('; ')}`);
  }

  private async command(node: NodeId, command: ControlCommand): Promise<NodeDebugState> {
    if (!this.deps.liveNodes().includes(node)) throw new ClusterError(`node ${node} is not running`);
    const reply = await this.deps.control(node, command);
    if (!reply.ok) throw new ClusterError(`node ${node}: ${reply.error}`);
    const state = reply.result;
    if (!state || !('frozen' in state)) throw new ClusterError(`node ${node} answered ${command.cmd} without its debug state`);
    checkNodeDebugState(state);
    const hadBreak = this.nodeStates.get(node)?.breakReason ?? null;
    this.nodeStates.set(node, state);
    // A break the command itself tripped (a thaw delivering the message that changes a role)
    // comes back in the reply, before the node's debugState telemetry: seen here, or never,
    // since observe() then finds the same reason already stored.
    if (state.breakReason !== null && state.breakReason !== hadBreak) this.breakAll(node, state.breakReason);
    this.deps.onChange();
    return state;
  }

  private recordAction(action: DebugAction, description: string, nodes: NodeId[], step?: Record<string, unknown>): void {
    this.actions++;
    this.deps.record({ type: 'debug', node: null, action, description, nodes, step });
  }
}

export function describeBreakpoints(bp: Breakpoints): string {
  const parts: string[] = [];
  if (bp.roleChange) parts.push('a role change');
  if (bp.termAbove !== undefined) parts.push(`a term above ${bp.termAbove}`);
  if (bp.commitAtLeast !== undefined) parts.push(`commit index ${bp.commitAtLeast}`);
  if (bp.receive) parts.push(`receiving ${bp.receive.types?.join('/') ?? 'any message'}`);
  if (bp.send) parts.push(`sending ${bp.send.types?.join('/') ?? 'any message'}`);
  if (bp.nodeKilled) parts.push('a node killed');
  if (bp.violation) parts.push('a safety violation');
  return parts.length === 0 ? 'none' : parts.join(', ');
}
