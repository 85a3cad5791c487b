/**
 * The lab itself: its state (phase, nodes, faults in force), the connection to it, and
 * every action the UI can ask of it. Actions never throw: a failure becomes `error`, a
 * sentence saying what was attempted and why it failed, shown in the app's alert banner.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef } from 'vue';
import type { NodeId } from '../../../src/analysis/ids';
import type { ClusterOptions, WorkloadOptions } from '../../../src/contract/clusterOptions';
import { DEFAULT_CLUSTER_OPTIONS } from '../../../src/contract/clusterOptions';
import { IDLE_LAB_STATE, type LabApi, type LabChannel, type LabRequest, type LabResponse, type LabState, type RunListing } from '../../../src/contract/labApi';
import type { PartitionPreset } from '../../../src/contract/faults';
import type { RunEvent, Summary } from '../../../src/contract/runEvents';
import type { ConnectionStatus } from '../api/browserLab';
import { isBrowserLab } from '../api';
import { useMetricsStore } from './metrics';
import { useRunStore } from './run';
import { eventsNotRecorded } from './historyMerge';


/** Node actions that answer with the new lab state. */
export type NodeAction = 'kill' | 'stop' | 'pause' | 'resume' | 'restart' | 'transferLeader' | 'remove';

export const NODE_ACTION_WORDS: Record<NodeAction, string> = {
  kill: 'Kill node',
  stop: 'Stop node',
  pause: 'Pause node',
  resume: 'Resume node',
  restart: 'Restart node',
  transferLeader: 'Transfer leadership to node',
  remove: 'Remove node',
};

/**
 * Native-menu commands the desktop app pushes on 'app:command' (main/ipcChannels.ts).
 * Not in LabPush yet (proposed there), hence the local type and the check in onAppCommand.
 */
export type AppCommand = { command: 'new-cluster' } | { command: 'open-run'; path: string };
const APP_COMMAND_PUSH = 'app:command';

export interface ExportResult {
  runDir: string;
  files: Array<{ name: string; bytes: number }>;
}

export const useLabStore = defineStore('lab', () => {
  const state = shallowRef<LabState>(IDLE_LAB_STATE);
  const mode = ref<LabApi['mode'] | null>(null);
  const connection = ref<ConnectionStatus | null>(null);
  /** The last failure, as a sentence; null when the last action succeeded or it was dismissed. */
  const error = ref<string | null>(null);
  /** Descriptions of actions in flight (buttons disable themselves while theirs is pending). */
  const pending = ref<string[]>([]);
  const exported = shallowRef<ExportResult | null>(null);
  const runs = shallowRef<RunListing[]>([]);
  const lastStop = shallowRef<{ summary: Summary | null; runDir: string | null } | null>(null);

  const phase = computed(() => state.value.phase);
  const isRunning = computed(() => state.value.phase === 'running');
  const busy = computed(() => pending.value.length > 0);

  /**
   * What the start form holds. Kept here, not in the form: the form is not shown while a
   * cluster runs, and a start that fails must give the user back their settings, not the
   * defaults (a failed 25-node start came back as 5 nodes).
   */
  const startForm = reactive<ClusterOptions>(structuredClone(DEFAULT_CLUSTER_OPTIONS));
  /** True while the run's history is loading (live events wait for it). */
  const loadingHistory = ref(false);

  let api: LabApi | null = null;
  let unsubscribe: Array<() => void> = [];
  /** Live events that arrived while the history loaded; null when no load is in flight. */
  let heldBack: RunEvent[] | null = null;

  /** Attaches to a lab API (window.lab, the WebSocket client or a fake) and loads its state. */
  async function connect(labApi: LabApi): Promise<void> {
    disconnect();
    api = labApi;
    mode.value = labApi.mode;
    // Hold live events back from the first push on: until the history is in, a live role
    // event alone would make a "first leader" of whichever leader the page happens to see.
    heldBack = [];
    unsubscribe.push(labApi.on('lab:state', (s) => {
      state.value = s;
    }));
    unsubscribe.push(labApi.on('lab:events', ({ events }) => onEvents(events)));
    if (labApi.mode === 'electron') {
      // Not (yet) a LabPushChannel in the contract, so subscribe through a widened signature.
      const on = labApi.on.bind(labApi) as unknown as (channel: string, listener: (payload: unknown) => void) => () => void;
      unsubscribe.push(on(APP_COMMAND_PUSH, (payload) => void onAppCommand(payload)));
    }
    if (isBrowserLab(labApi)) {
      connection.value = labApi.status;
      unsubscribe.push(labApi.onStatus((s) => {
        const wasClosed = connection.value?.state === 'closed';
        connection.value = s;
        // After a reconnect the state may have moved on while we were away, and the events
        // pushed meanwhile are lost: load the run again.
        if (s.state === 'open' && wasClosed) void refresh().then(() => loadHistory());
      }));
    }
    await refresh();
    await loadHistory();
  }

  /**
   * Loads what the lab recorded of the current (or last) run, then lets the live events
   * continue from there: a page that connects mid-run (a reload, a second window) shows the
   * whole run, not just what happened since it connected (a first leader "32,597 ms after
   * start" when it came after 1.7 s). Also refills the views from the recording after Stop.
   */
  async function loadHistory(): Promise<void> {
    if (!api || useRunStore().source === 'recorded') {
      heldBack = null;
      return;
    }
    heldBack ??= [];
    loadingHistory.value = true;
    try {
      const result = await call('run:history', {}, 'Loading the run so far');
      const live = heldBack ?? [];
      heldBack = null;
      const run = useRunStore();
      const metrics = useMetricsStore();
      if (run.source === 'recorded') return; // a recorded run was opened meanwhile
      if (result === null) {
        // The error banner says why; the live events are still worth showing.
        ingestLive(live);
        return;
      }
      run.resetLive();
      metrics.reset();
      ingestLive([...result.events, ...eventsNotRecorded(live, result.events)]);
    } finally {
      heldBack = null;
      loadingHistory.value = false;
    }
  }

  function ingestLive(events: RunEvent[]): void {
    if (events.length === 0) return;
    useRunStore().ingest(events);
    useMetricsStore().ingest(events);
  }

  function disconnect(): void {
    for (const off of unsubscribe) off();
    unsubscribe = [];
    api = null;
  }

  /** Live events: fed to the run and metrics stores unless a recorded run is on screen. */
  function onEvents(batch: RunEvent[]): void {
    if (heldBack !== null) {
      heldBack.push(...batch);
      return;
    }
    const run = useRunStore();
    const metrics = useMetricsStore();
    let events = batch;
    if (run.source === 'recorded') {
      // A new run starting replaces the recording on screen; anything else is not ours to show.
      const start = events.findIndex((e) => e.type === 'run' && e.phase === 'started');
      if (start < 0) return;
      events = events.slice(start);
      run.resetLive();
      metrics.reset();
    }
    run.ingest(events);
    metrics.ingest(events);
  }

  /** Carries out a native-menu command with the same actions the page's own buttons use. */
  async function onAppCommand(payload: unknown): Promise<void> {
    const c = payload as Partial<AppCommand> | null;
    if (c?.command === 'new-cluster') {
      closeRecorded();
      await refresh();
    } else if (c?.command === 'open-run' && typeof c.path === 'string') {
      await openRun(c.path);
    } else {
      console.warn('[lab] ignored an unknown app command', payload);
    }
  }

  /**
   * Invokes one channel; on failure records `error` as "<what> failed: <reason>" and
   * returns null. `what` is the user's words for the action ("Kill node 3").
   */
  async function call<C extends LabChannel>(channel: C, request: LabRequest<C>, what: string): Promise<LabResponse<C> | null> {
    if (!api) {
      error.value = `${what} failed: not connected to the lab`;
      return null;
    }
    pending.value = [...pending.value, what];
    try {
      const result = await api.invoke(channel, request);
      if (!result.ok) {
        error.value = `${what} failed: ${result.error}`;
        return null;
      }
      error.value = null;
      return result.value;
    } catch (err) {
      error.value = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
      return null;
    } finally {
      const i = pending.value.indexOf(what);
      pending.value = pending.value.filter((_, j) => j !== i);
    }
  }

  /** Calls a channel that answers with the lab state, and takes that state. */
  async function callForState<C extends LabChannel>(channel: C, request: LabRequest<C>, what: string): Promise<boolean> {
    const next = await call(channel, request, what);
    if (next === null) return false;
    state.value = next as LabState;
    return true;
  }

  function isPending(what: string): boolean {
    return pending.value.includes(what);
  }

  async function refresh(): Promise<void> {
    await callForState('lab:state', {}, 'Loading the lab state');
  }

  async function startCluster(options: ClusterOptions): Promise<boolean> {
    useRunStore().resetLive();
    useMetricsStore().reset();
    exported.value = null;
    lastStop.value = null;
    return callForState('cluster:start', { options }, 'Start cluster');
  }

  async function stopCluster(): Promise<boolean> {
    const result = await call('cluster:stop', {}, 'Stop cluster');
    if (result === null) return false;
    lastStop.value = result;
    await refresh();
    // The live view may have missed events (a slow page, a reconnect): show the recording.
    await loadHistory();
    return true;
  }

  async function nodeAction(action: NodeAction, node: NodeId): Promise<boolean> {
    return callForState(`node:${action}`, { node }, `${NODE_ACTION_WORDS[action]} ${node}`);
  }

  async function addNode(): Promise<boolean> {
    return callForState('node:add', {}, 'Add node');
  }

  async function partition(request: { preset: PartitionPreset; node?: NodeId } | { groups: NodeId[][] }, what: string): Promise<boolean> {
    return callForState('fault:partition', request, what);
  }

  async function linkFault(request: LabRequest<'fault:link'>): Promise<boolean> {
    return callForState('fault:link', request, `Link fault from node ${request.from} to node ${request.to}`);
  }

  async function heal(): Promise<boolean> {
    return callForState('fault:heal', {}, 'Heal network');
  }

  /** Applies any fault the lab knows (jitter, duplication, clock skew, slow disk, ...). */
  async function applyFault(fault: LabRequest<'fault:apply'>['fault'], what: string): Promise<boolean> {
    return callForState('fault:apply', { fault }, what);
  }

  /** Undoes one fault in force (an id of LabState.faults). */
  async function removeFault(id: string, what: string): Promise<boolean> {
    return callForState('fault:remove', { id }, what);
  }

  /** Slow motion: the running cluster's speed, 0.01 to 1 (docs/aimed-faults.md). */
  async function setSpeed(speed: number): Promise<boolean> {
    return callForState('cluster:speed', { speed }, `Speed ${speed}x`);
  }

  async function setWorkload(workload: WorkloadOptions): Promise<boolean> {
    return callForState('workload:set', { workload }, 'Apply workload');
  }

  async function exportRun(runDir?: string): Promise<ExportResult | null> {
    const result = await call('run:export', runDir ? { runDir } : {}, 'Export run');
    exported.value = result;
    return result;
  }

  /** Reads one exported file as text (browser-mode downloads). */
  async function readRunFile(runDir: string, name: string): Promise<string | null> {
    const result = await call('run:file', { runDir, name }, `Download ${name}`);
    return result?.text ?? null;
  }

  async function listRuns(): Promise<void> {
    const result = await call('run:list', {}, 'List runs');
    if (result) runs.value = result.runs;
  }

  /** Opens a recorded run (a run directory or its events.jsonl) and shows it. */
  async function openRun(path: string): Promise<boolean> {
    const trimmed = path.trim();
    if (trimmed.length === 0) {
      error.value = 'Open run failed: enter the path of a run directory or an events.jsonl file';
      return false;
    }
    const result = await call('run:open', { path: trimmed }, 'Open run');
    if (result === null) return false;
    useRunStore().loadRecorded(result.runDir, result.events, result.summary);
    const metrics = useMetricsStore();
    metrics.reset();
    metrics.ingest(result.events);
    exported.value = null;
    await refresh();
    return true;
  }

  /** Leaves a recorded run and goes back to following the lab live. */
  function closeRecorded(): void {
    useRunStore().resetLive();
    useMetricsStore().reset();
    void loadHistory();
  }

  function dismissError(): void {
    error.value = null;
  }

  return {
    state, mode, connection, error, pending, exported, runs, lastStop, phase, isRunning, busy, loadingHistory, startForm,
    connect, disconnect, onEvents, onAppCommand, call, isPending, refresh, loadHistory, startCluster, stopCluster, nodeAction, addNode,
    partition, linkFault, heal, applyFault, removeFault, setWorkload, setSpeed, exportRun, readRunFile, listRuns, openRun, closeRecorded, dismissError,
  };
});
