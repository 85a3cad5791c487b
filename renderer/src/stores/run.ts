/**
 * The run being shown (live or recorded): role timeline, terms, elections, faults and the
 * event log, held in a RunModel outside Vue's reactivity. `version` is bumped once per
 * ingested batch; views read the model inside computeds that depend on `version`.
 */
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { versioned } from './versioned';
import type { RunEvent, Summary } from '../../../src/contract/runEvents';
import { RunModel } from '../model/runModel';

export type RunSource = 'live' | 'recorded';

export const useRunStore = defineStore('run', () => {
  const model = shallowRef(markRaw(new RunModel()));
  const version = ref(0);
  const source = ref<RunSource>('live');
  /** For a recorded run: where it came from and the summary stored with it. */
  const recordedDir = ref<string | null>(null);
  const summary = shallowRef<Summary | null>(null);

  function ingest(events: readonly RunEvent[]): void {
    if (events.length === 0) return;
    model.value.ingest(events);
    version.value++;
  }

  /** Forgets everything shown and starts over for a live run. */
  function resetLive(): void {
    model.value.clear();
    source.value = 'live';
    recordedDir.value = null;
    summary.value = null;
    version.value++;
  }

  /** Shows a recorded run instead of whatever was shown. */
  function loadRecorded(runDir: string, events: readonly RunEvent[], recordedSummary: Summary | null): void {
    model.value.clear();
    source.value = 'recorded';
    recordedDir.value = runDir;
    summary.value = recordedSummary;
    model.value.ingest(events);
    version.value++;
  }

  const electionCount = versioned(version, () => model.value.elections.total);
  const lastElection = versioned(version, () => model.value.elections.last() ?? null);
  /** When the run's first leader appeared (ms), which is not an election sample (see ElectionTracker). */
  const firstLeaderAt = versioned(version, () => model.value.elections.firstLeaderAt);
  const nodes = versioned(version, () => model.value.nodes().map((n) => ({ ...n })));
  const maxTerm = versioned(version, () => model.value.maxTerm());
  const violations = versioned(version, () => model.value.violations.toArray());

  return { model, version, source, recordedDir, summary, ingest, resetLive, loadRecorded, electionCount, lastElection, firstLeaderAt, nodes, maxTerm, violations };
});
