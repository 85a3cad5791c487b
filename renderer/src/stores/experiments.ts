/**
 * The Experiments view's one store (issue 14 part 5 and 6): the experiment on screen (a
 * `raftlab figure16` or sweep result folder, as the lab reads it back on experiment:open),
 * the ones opened before it in this page (what the Compare picker offers), and the last A/B
 * comparison (experiment:compare). The lab computes every statistic (src/lab/experiments/
 * experimentView.ts); this store only keeps what it answered.
 *
 * Errors stay in the view (`error`), not the app's banner: opening a folder that holds no
 * trials is a problem of this panel, not of the cluster.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ComparisonView, ExperimentView } from '../../../src/contract/labApiExperiments';
import type { LabApi, LabChannel, LabRequest, LabResponse } from '../../../src/contract/labApi';
import { getLabApi } from '../api';
import { useLabStore } from './lab';
import { modeWords } from '../components/experiments/format';

/** Most experiments the Compare picker remembers (the oldest is forgotten first). */
export const MAX_REMEMBERED_EXPERIMENTS = 8;

/** One trials file or recorded run the Compare picker can take as A or B. */
export interface CompareSource {
  path: string;
  /**
   * Trials files compare range by range; one range of a trials file (`path#label`) with any
   * other single range; recorded runs by election time, commit latency and throughput.
   */
  group: 'trials' | 'range' | 'run';
  /** What the picker shows, folder first (a narrow select cuts the end): "…/runs/exp-a: simulated (Figure 16: …)". */
  label: string;
}

/** The last two parts of a path, enough to tell folders apart in a list. */
function shortPath(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.length <= 2 ? path : `…/${parts.slice(-2).join('/')}`;
}

export const useExperimentsStore = defineStore('experiments', () => {
  /** The view is open (its body shown). */
  const panelOpen = ref(false);
  const view = shallowRef<ExperimentView | null>(null);
  /** Experiments opened in this page, newest first (the one on screen included). */
  const opened = shallowRef<ExperimentView[]>([]);
  const comparison = shallowRef<ComparisonView | null>(null);
  const error = ref<string | null>(null);
  /** What is being asked of the lab right now ('open' | 'compare'), or null. */
  const pending = ref<'open' | 'compare' | null>(null);

  const labStore = useLabStore();
  /**
   * What the Compare picker offers: every trials file of every experiment opened, each of
   * their ranges on its own (so two ranges of one experiment can be compared), then the
   * recorded runs the lab listed (run:list, the lab store's), which experiment:compare
   * measures by election time, commit latency and throughput (src/lab/experiments/compare.ts).
   */
  const sources = computed<CompareSource[]>(() => [
    ...opened.value.flatMap((e) => e.sources.map((s): CompareSource => ({ path: s.path, group: 'trials', label: `${shortPath(e.path)}: ${modeWords(s.mode)} (${e.title})` }))),
    ...opened.value.flatMap((e) =>
      e.sources.flatMap((s) => s.variants.map((range): CompareSource => ({ path: `${s.path}#${range}`, group: 'range', label: `${shortPath(e.path)}: ${modeWords(s.mode)}, ${range} ms` }))),
    ),
    ...labStore.runs.map((r): CompareSource => ({ path: r.runDir, group: 'run', label: `run ${r.runId} (${r.nodes} nodes)` })),
  ]);

  let api: LabApi | null = null;
  const lab = (): LabApi => (api ??= getLabApi());

  /** Uses another lab API (tests); the default is the page's own (getLabApi). */
  function useApi(labApi: LabApi): void {
    api = labApi;
  }

  async function ask<C extends LabChannel>(channel: C, request: LabRequest<C>, what: string): Promise<LabResponse<C> | null> {
    try {
      const r = await lab().invoke(channel, request);
      if (!r.ok) {
        error.value = `${what} failed: ${r.error}`;
        return null;
      }
      error.value = null;
      return r.value;
    } catch (err) {
      error.value = `${what} failed: ${err instanceof Error ? err.message : String(err)}`;
      return null;
    }
  }

  /** Opens a result folder (or one trials file); a relative path is inside the lab's runs folder. */
  async function open(path: string): Promise<boolean> {
    const trimmed = path.trim();
    if (trimmed === '') {
      error.value = 'Open experiment failed: enter the path of a figure16 or sweep result folder';
      return false;
    }
    pending.value = 'open';
    try {
      const result = await ask('experiment:open', { path: trimmed }, 'Open experiment');
      if (!result) return false;
      view.value = result;
      opened.value = [result, ...opened.value.filter((e) => e.path !== result.path)].slice(0, MAX_REMEMBERED_EXPERIMENTS);
      return true;
    } finally {
      pending.value = null;
    }
  }

  /** A/B: each later path against the first, with the gate of `raftlab compare --fail-if-slower`. */
  async function compare(paths: string[], failIfSlowerPct?: number): Promise<boolean> {
    if (paths.length < 2 || paths.some((p) => p.trim() === '')) {
      error.value = 'Compare failed: choose both A and B';
      return false;
    }
    if (new Set(paths).size !== paths.length) {
      error.value = 'Compare failed: A and B are the same trials file; choose two different ones';
      return false;
    }
    pending.value = 'compare';
    try {
      const request: LabRequest<'experiment:compare'> = failIfSlowerPct === undefined ? { runs: paths } : { runs: paths, failIfSlowerPct };
      const result = await ask('experiment:compare', request, 'Compare');
      if (!result) return false;
      comparison.value = result;
      return true;
    } finally {
      pending.value = null;
    }
  }

  function dismissError(): void {
    error.value = null;
  }

  /** Asks the lab for its recorded runs (run:list, through the lab store, which keeps the list). */
  async function listRuns(): Promise<void> {
    await labStore.listRuns();
  }

  return { panelOpen, view, opened, comparison, error, pending, sources, useApi, open, compare, dismissError, listRuns };
});
