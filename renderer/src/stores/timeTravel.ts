/**
 * The time-travel cursor (issue 10 part 3): which run time every time-travel panel shows,
 * whether it follows the live run's head, the space-time diagram's window and filters, and
 * the lab's answers for them (run:stateAt, run:messages; src/lab/timeTravel.ts).
 *
 * On a live run the cursor follows the head (asked again every LIVE_POLL_MS) until the user
 * moves it; `backToLive` follows again. On an opened run it starts at the run's start.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { MessageAt, MessagesResponse, MessageType, NodeAt, TimelineInfo } from '../../../src/contract/labApiTimeTravel';
import { MAX_RUN_MS, MESSAGE_TYPES } from '../../../src/contract/labApiTimeTravel';
import { getLabApi } from '../api';
import { useLabStore } from './lab';
import { useRunStore } from './run';

/** How often a live run's head is asked for (ms); the lab re-reads journals at most once a second anyway. */
export const LIVE_POLL_MS = 1000;
/** Most messages drawn one by one; beyond, the lab sends counts per bucket. */
export const MAX_DRAWN_MESSAGES = 4000;
const DEFAULT_WINDOW_MS = 2000;
const MIN_WINDOW_MS = 2;

export const useTimeTravelStore = defineStore('timeTravel', () => {
  const lab = useLabStore();
  const run = useRunStore();
  const timeline = shallowRef<TimelineInfo | null>(null);
  const nodes = shallowRef<NodeAt[]>([]);
  const view = shallowRef<MessagesResponse | null>(null);
  /** Run time shown (ms since the run started). */
  const cursorMs = ref(0);
  /** Following a live run's head. */
  const following = ref(true);
  /** The diagram's window width (ms); it is placed so the cursor sits at 3/4 of it. */
  const windowMs = ref(DEFAULT_WINDOW_MS);
  /** Extra shift of the window from its place around the cursor (pan), ms. */
  const panMs = ref(0);
  const types = ref<Set<MessageType>>(new Set(MESSAGE_TYPES));
  const hiddenNodes = ref<Set<number>>(new Set());
  const selected = shallowRef<MessageAt | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);
  /** The time-travel panel is open (it loads and polls only then). */
  const panelOpen = ref(false);

  const isLive = computed(() => run.source === 'live' && lab.phase === 'running');
  const runDir = computed(() => (run.source === 'recorded' ? run.recordedDir ?? undefined : undefined));
  const windowRange = computed(() => {
    const from = cursorMs.value - windowMs.value * 0.75 + panMs.value;
    return { fromMs: from, toMs: from + windowMs.value };
  });
  /** The messages drawn: the window's, filtered by type and node. */
  const shownMessages = computed<MessageAt[]>(() => {
    const v = view.value;
    if (!v || v.detail !== 'messages') return [];
    return v.messages.filter((m) => types.value.has(m.type) && !hiddenNodes.value.has(m.from) && !hiddenNodes.value.has(m.to));
  });

  let seq = 0;
  let jumpPending = false;
  let timer: ReturnType<typeof setInterval> | null = null;

  async function invoke<T>(p: Promise<{ ok: true; value: T } | { ok: false; error: string }>): Promise<T | null> {
    const r = await p;
    if (!r.ok) {
      error.value = r.error;
      return null;
    }
    error.value = null;
    return r.value;
  }

  /** Asks the lab for the cursor's states and the window's messages; answers to older asks are dropped. */
  async function refresh(): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    try {
      const api = getLabApi();
      const at = following.value && isLive.value ? MAX_RUN_MS : cursorMs.value;
      const states = await invoke(api.invoke('run:stateAt', { runDir: runDir.value, atMs: at }));
      if (mine !== seq || !states) return;
      timeline.value = states.timeline;
      if (following.value && isLive.value) cursorMs.value = states.timeline.toMs;
      nodes.value = states.nodes;
      const w = windowRange.value;
      const msgs = await invoke(api.invoke('run:messages', { runDir: runDir.value, fromMs: w.fromMs, toMs: w.toMs, maxItems: MAX_DRAWN_MESSAGES }));
      if (mine !== seq || !msgs) return;
      view.value = msgs;
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  /** Starts showing the current run: live follows the head, a recorded run starts at its start. */
  async function open(): Promise<void> {
    stopPolling();
    selected.value = null;
    panMs.value = 0;
    following.value = isLive.value && !jumpPending;
    if (jumpPending) {
      // Opened by a jump: the cursor stays where the jump put it.
      jumpPending = false;
    } else if (!isLive.value) {
      cursorMs.value = 0;
      await refresh();
      if (timeline.value) cursorMs.value = timeline.value.fromMs;
    }
    await refresh();
    if (isLive.value) timer = setInterval(() => void (following.value && refresh()), LIVE_POLL_MS);
  }

  function stopPolling(): void {
    if (timer) clearInterval(timer);
    timer = null;
  }

  /** The user moved the cursor: stop following the head. */
  function setCursor(ms: number): Promise<void> {
    following.value = false;
    panMs.value = 0;
    const t = timeline.value;
    cursorMs.value = t ? Math.min(Math.max(ms, t.fromMs), t.toMs) : ms;
    return refresh();
  }

  /** A jump from another panel: the cursor goes there, and the time-travel panel opens if it was closed. */
  function jumpTo(ms: number): Promise<void> {
    if (!panelOpen.value) {
      jumpPending = true;
      panelOpen.value = true;
    }
    return setCursor(ms);
  }

  function backToLive(): Promise<void> {
    following.value = true;
    panMs.value = 0;
    return refresh();
  }

  /** Zoom by `factor` (< 1: in), from a few ms to the whole run. */
  function zoom(factor: number): Promise<void> {
    const t = timeline.value;
    const whole = t ? Math.max(MIN_WINDOW_MS, t.toMs - t.fromMs) * 1.05 : DEFAULT_WINDOW_MS * 10;
    windowMs.value = Math.min(whole, Math.max(MIN_WINDOW_MS, windowMs.value * factor));
    return refresh();
  }

  /** Shift the window by `fraction` of its width (negative: earlier). */
  function pan(fraction: number): Promise<void> {
    panMs.value += windowMs.value * fraction;
    return refresh();
  }

  /** The previous/next journaled step of one node (or of any node: `node` null). */
  function step(direction: -1 | 1, node: number | null): Promise<void> {
    const candidates = nodes.value
      .filter((n): n is Extract<NodeAt, { ok: true }> => n.ok && (node === null || n.node === node))
      .map((n) => (direction < 0 ? n.state.t : n.nextStepAt))
      .filter((t): t is number => t !== null);
    if (candidates.length === 0) return Promise.resolve();
    if (direction > 0) return setCursor(Math.min(...candidates));
    // Just before the latest step shown: the state before it (a µs, below the journal's resolution of steps).
    return setCursor(Math.max(...candidates) - 0.001);
  }

  function toggleType(type: MessageType, on: boolean): void {
    const next = new Set(types.value);
    if (on) next.add(type);
    else next.delete(type);
    types.value = next;
  }

  function toggleNode(node: number, shown: boolean): void {
    const next = new Set(hiddenNodes.value);
    if (shown) next.delete(node);
    else next.add(node);
    hiddenNodes.value = next;
  }

  function select(m: MessageAt | null): void {
    selected.value = m;
  }

  return {
    timeline, nodes, view, cursorMs, following, windowMs, panMs, types, hiddenNodes, selected, error, loading, panelOpen,
    isLive, runDir, windowRange, shownMessages,
    refresh, open, stopPolling, setCursor, jumpTo, backToLive, zoom, pan, step, toggleType, toggleNode, select,
  };
});
