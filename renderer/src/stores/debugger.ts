/**
 * The debugger (issue 11, docs/debugger.md): freeze and resume the cluster, act on held
 * messages, step a frozen node's clock, set breakpoints, save the session as a scenario.
 *
 * What is shown is the lab's DebugView: pushed in LabState.debug with every state change, and
 * returned by every debug channel. Whichever arrived last is shown, so the panel reflects an
 * action as soon as its response is in, without waiting for the next push. Every call goes
 * through the lab store's `call`, so a refusal ("not held at node 2: ...") lands in the app's
 * error banner like any other failed action.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { Breakpoints, DebugView, HeldMessage, ReleaseAction } from '../../../src/contract/debug';
import type { LabChannel, LabRequest } from '../../../src/contract/labApi';
import { useLabStore } from './lab';
import { useRunStore } from './run';

export type DebugNodeView = DebugView['nodes'][number];

/** The user's words for each release action, used in button labels and pending keys. */
export const RELEASE_WORDS: Record<ReleaseAction, string> = { deliver: 'Deliver', drop: 'Drop', duplicate: 'Duplicate' };

export const useDebuggerStore = defineStore('debugger', () => {
  const lab = useLabStore();
  const latest = shallowRef<DebugView | null>(lab.state.debug ?? null);
  /** The last saved session: its YAML and how many steps it holds. */
  const saved = shallowRef<{ yaml: string; steps: number } | null>(null);
  /** Node → hold keys the user ticked, in the order they ticked them (the delivery order). */
  const chosen = ref<Record<number, string[]>>({});
  /** The held message picked on the space-time diagram (deliver or drop it from there). */
  const selectedHeld = ref<{ node: number; hold: string } | null>(null);
  const run = useRunStore();

  watch(
    () => lab.state.debug,
    (d) => {
      latest.value = d ?? null;
      if (!d) chosen.value = {};
      else pruneChosen(d);
    },
  );

  // A new run: the last run's saved session, choices and selection mean nothing there.
  watch(
    () => lab.state.runId,
    () => {
      saved.value = null;
      chosen.value = {};
      selectedHeld.value = null;
    },
  );

  const view = computed(() => latest.value);
  const frozen = computed(() => latest.value?.frozen ?? false);
  const lastBreak = computed(() => latest.value?.lastBreak ?? null);
  const breakpoints = computed<Breakpoints>(() => latest.value?.breakpoints ?? {});
  const nodes = computed(() => latest.value?.nodes ?? []);
  /** Every held message across the cluster, by receiver (what the diagram's pending list shows). */
  const allHeld = computed<HeldMessage[]>(() => nodes.value.flatMap((n) => n.held));
  /**
   * Shared clock minus run time (ms): held messages carry the nodes' shared clock, the diagram
   * run time. Any `held` run event gives it (its `t` was re-based by the lab, its message's
   * not); null until one arrived.
   */
  const heldClockOffsetMs = computed<number | null>(() => {
    void run.version;
    const e = run.model.log.query({ types: new Set(['held']), limit: 1 })[0]?.event;
    return e && e.type === 'held' ? e.message.t - e.t : null;
  });
  const selectedHeldMessage = computed<HeldMessage | null>(() => {
    const s = selectedHeld.value;
    return s ? (nodes.value.find((n) => n.node === s.node)?.held.find((h) => h.hold === s.hold) ?? null) : null;
  });

  /** Drops choices of messages no longer held (delivered meanwhile by another action or a resume). */
  function pruneChosen(d: DebugView): void {
    const next: Record<number, string[]> = {};
    for (const n of d.nodes) {
      const keys = new Set(n.held.map((h) => h.hold));
      const kept = (chosen.value[n.node] ?? []).filter((k) => keys.has(k));
      if (kept.length > 0) next[n.node] = kept;
    }
    chosen.value = next;
  }

  async function act<C extends LabChannel>(channel: C, request: LabRequest<C>, what: string): Promise<boolean> {
    const result = await lab.call(channel, request, what);
    if (result === null) return false;
    latest.value = result as DebugView;
    pruneChosen(latest.value);
    return true;
  }

  const freeze = () => act('debug:freeze', {}, 'Freeze');
  const resume = () => act('debug:resume', {}, 'Resume');

  /** `holds` absent: every held message of the node, in arrival order. */
  function release(node: number, action: ReleaseAction, holds?: string[]): Promise<boolean> {
    const what = holds
      ? `${RELEASE_WORDS[action]} ${holds.length === 1 ? holds[0] : `${holds.length} messages`} at node ${node}`
      : `${RELEASE_WORDS[action]} all held at node ${node}`;
    return act('debug:release', holds ? { node, holds, action } : { node, action }, what);
  }

  function advance(node: number, by: { ticks: number } | { untilTimer: true }): Promise<boolean> {
    const what = 'ticks' in by ? `Advance node ${node} by ${by.ticks} ticks` : `Advance node ${node} until its next timer`;
    return act('debug:advance', { node, ...by }, what);
  }

  const timeoutNow = (node: number) => act('debug:timeoutNow', { node }, `Time out node ${node} now`);
  const setBreakpoints = (b: Breakpoints) => act('debug:breakpoints', { breakpoints: b }, 'Set breakpoints');

  async function saveScenario(): Promise<boolean> {
    const result = await lab.call('session:scenario', {}, 'Save session as scenario');
    if (result === null) return false;
    saved.value = result;
    return true;
  }

  // --- out-of-order delivery: the user picks messages and their order, then delivers them ---

  function chosenAt(node: number): string[] {
    return chosen.value[node] ?? [];
  }

  function toggleChosen(node: number, hold: string): void {
    const list = chosenAt(node);
    chosen.value = { ...chosen.value, [node]: list.includes(hold) ? list.filter((k) => k !== hold) : [...list, hold] };
  }

  /** Moves a chosen message one place earlier (-1) or later (+1) in the delivery order. */
  function moveChosen(node: number, hold: string, by: -1 | 1): void {
    const list = [...chosenAt(node)];
    const i = list.indexOf(hold);
    const j = i + by;
    if (i < 0 || j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    chosen.value = { ...chosen.value, [node]: list };
  }

  async function deliverChosen(node: number): Promise<boolean> {
    const list = chosenAt(node);
    if (list.length === 0) return false;
    return release(node, 'deliver', list);
  }

  return {
    view, frozen, lastBreak, breakpoints, nodes, allHeld, heldClockOffsetMs, selectedHeld, selectedHeldMessage, saved, chosen,
    freeze, resume, release, advance, timeoutNow, setBreakpoints, saveScenario,
    chosenAt, toggleChosen, moveChosen, deliverChosen,
  };
});
