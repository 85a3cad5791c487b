/**
 * The debugger's scenario steps (docs/debugger.md, docs/scenarios.md): `freeze`, `unfreeze`,
 * `release`, `advance`, `timeout-now`, `put` (a client write) and `break`, carried out through the cluster's
 * DebugController, so a scenario's actions are recorded exactly like the app's.
 *
 * A `release` names held messages by content (type, sender, term), because ids count every
 * message a node sent and differ between runs: each listed message is the first held one that
 * matches and is not taken yet. A message still on its way (a RequestVote that a step before
 * made a node send) may arrive a moment later, so the step waits for them, up to a deadline.
 */
import type { NodeId } from '../../raft/types';
import type { ScenarioAction } from '../../contract/scenario';
import type { Breakpoints, HeldMessage } from '../../contract/debug';
import type { DebugController } from './debugController';
import { describeBreakpoints } from './debugController';

type DebugStep = Extract<ScenarioAction, { kind: 'freeze' | 'unfreeze' | 'release' | 'advance' | 'timeout-now' | 'put' | 'break' }>;

export const DEBUG_STEP_KINDS: ReadonlySet<string> = new Set(['freeze', 'unfreeze', 'release', 'advance', 'timeout-now', 'put', 'break']);

export function isDebugStep(a: ScenarioAction): a is DebugStep {
  return DEBUG_STEP_KINDS.has(a.kind);
}

/** How long a release waits for the messages it names to be held (ms). */
const RELEASE_WAIT_MS = 5000;

export async function carryOutDebugStep(debug: DebugController, a: DebugStep, waitMs = RELEASE_WAIT_MS): Promise<string> {
  switch (a.kind) {
    case 'freeze':
      await debug.freeze('a scenario step froze the cluster');
      return 'freeze the cluster';
    case 'unfreeze':
      await debug.resume();
      return 'back to real time';
    case 'release': {
      if (!a.messages) {
        await debug.release(a.node, undefined, a.action);
        return `${a.action} every message held at node ${a.node}`;
      }
      const holds = await waitForHeld(debug, a.node, a.messages, waitMs);
      await debug.release(a.node, holds, a.action);
      return `${a.action} ${holds.join(', ')} at node ${a.node}`;
    }
    case 'advance': {
      const v = await debug.advance(a.node, a.ticks, a.untilTimer);
      const s = v.nodes.find((n) => n.node === a.node);
      return `advance node ${a.node}'s clock ${a.untilTimer ? 'until its next timer' : `${a.ticks} ticks`}${s ? `: ${s.role} in term ${s.term}` : ''}`;
    }
    case 'timeout-now':
      await debug.timeoutNow(a.node);
      return `time out node ${a.node} now`;
    case 'put':
      await debug.put(a.node, a.key, a.value);
      return `client write put ${a.key} submitted to node ${a.node}`;
    case 'break': {
      const { kind: _kind, ...bp } = a;
      await debug.setBreakpoints(bp as Breakpoints);
      return `break on ${describeBreakpoints(bp as Breakpoints)}`;
    }
  }
}

type Wanted = NonNullable<Extract<DebugStep, { kind: 'release' }>['messages']>[number];

const matches = (h: HeldMessage, w: Wanted) => h.type === w.type && (w.from === undefined || h.from === w.from) && (w.term === undefined || h.term === w.term);

/** The hold keys of the wanted messages at `node`, once all of them are held; an error naming what never came. */
async function waitForHeld(debug: DebugController, node: NodeId, wanted: readonly Wanted[], waitMs: number): Promise<string[]> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const held = debug.view()?.nodes.find((n) => n.node === node)?.held ?? [];
    const taken = new Set<string>();
    const picked: string[] = [];
    for (const w of wanted) {
      const h = held.find((x) => !taken.has(x.hold) && matches(x, w));
      if (!h) break;
      taken.add(h.hold);
      picked.push(h.hold);
    }
    if (picked.length === wanted.length) return picked;
    if (performance.now() >= deadline) {
      const missing = wanted.slice(picked.length).map((w) => `${w.type}${w.from !== undefined ? ` from node ${w.from}` : ''}${w.term !== undefined ? ` of term ${w.term}` : ''}`);
      throw new Error(`node ${node} does not hold ${missing.join(', ')} (it holds ${held.map((h) => `${h.type} from ${h.from}`).join(', ') || 'nothing'})`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
