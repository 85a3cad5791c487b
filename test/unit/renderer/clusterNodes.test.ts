import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { LabState } from '../../../src/contract/labApi';
import { DEFAULT_CLUSTER_OPTIONS } from '../../../src/contract/clusterOptions';
import { useLabStore } from '../../../renderer/src/stores/lab';
import { IDLE_LAB_STATE } from '../../../src/contract/labApi';
import { useRunStore } from '../../../renderer/src/stores/run';
import { useClusterNodes } from '../../../renderer/src/composables/useClusterNodes';
import { proc, role, run } from './events';

const RUNNING: LabState = {
  ...IDLE_LAB_STATE,
  phase: 'running',
  runId: 'r1',
  runDir: '/runs/r1',
  nodes: [1, 2, 3].map((id) => ({ id, process: 'started', pid: 100 + id, role: 'follower', term: 1, leader: null, commit: 0, applied: 0, lastIndex: 0, voter: true })),
};

describe('useClusterNodes', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('keeps the last known nodes on screen once a live run has stopped', () => {
    const lab = useLabStore();
    const runStore = useRunStore();
    const { nodes, leader, ended } = useClusterNodes();
    lab.state = RUNNING;
    runStore.ingest([run(0), ...[1, 2, 3].map((id) => proc(1, id, 'started')), role(10, 1, 'leader', 1), role(11, 2, 'follower', 1, 1), role(11, 3, 'follower', 1, 1)]);
    expect(ended.value).toBe(false);
    expect(leader.value).toBe(1);

    runStore.ingest([...[1, 2, 3].map((id) => proc(20, id, 'stopped')), run(21, 'stopped')]);
    // The lab holds no cluster any more: its state lists no nodes.
    lab.state = { ...IDLE_LAB_STATE, runDir: '/runs/r1' };
    expect(ended.value).toBe(true);
    expect(nodes.value.map((n) => [n.id, n.process])).toEqual([[1, 'stopped'], [2, 'stopped'], [3, 'stopped']]);
    expect(nodes.value.find((n) => n.id === 1)?.role).toBe('leader');
    expect(leader.value, 'a stopped node leads nothing').toBeNull();
  });

  it('shows nothing before any run, and a new start clears the ended run', async () => {
    const lab = useLabStore();
    const runStore = useRunStore();
    const { nodes, ended } = useClusterNodes();
    expect(nodes.value).toEqual([]);
    expect(ended.value).toBe(false);
    runStore.ingest([run(0), proc(1, 1, 'started'), proc(2, 1, 'stopped')]);
    expect(ended.value).toBe(true);
    // startCluster forgets the old run before asking the lab (which is not connected here).
    await lab.startCluster(DEFAULT_CLUSTER_OPTIONS);
    expect(nodes.value).toEqual([]);
    expect(ended.value).toBe(false);
  });
});
