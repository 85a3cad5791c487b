/**
 * Numeric telemetry of the run being shown: replication indices, workload latency and
 * throughput, message rates. Same pattern as the run store: a MetricsModel kept out of
 * Vue's reactivity (markRaw) plus a version counter bumped per batch.
 */
import { defineStore } from 'pinia';
import { markRaw, ref, shallowRef } from 'vue';
import { versioned } from './versioned';
import type { RunEvent } from '../../../src/contract/runEvents';
import { MetricsModel } from '../model/metricsModel';

export const useMetricsStore = defineStore('metrics', () => {
  const model = shallowRef(markRaw(new MetricsModel()));
  const version = ref(0);

  function ingest(events: readonly RunEvent[]): void {
    if (events.length === 0) return;
    model.value.ingest(events);
    version.value++;
  }

  function reset(): void {
    model.value.clear();
    version.value++;
  }

  const followerLag = versioned(version, () => model.value.followerLag());
  const latestWorkload = versioned(version, () => model.value.latestWorkload ? { ...model.value.latestWorkload } : null);
  const totals = versioned(version, () => ({ ...model.value.totals }));

  return { model, version, ingest, reset, followerLag, latestWorkload, totals };
});
