import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { LabApi, LabChannel, LabPush, LabPushChannel, LabRequest, LabResult, LabState } from '../../../src/contract/labApi';
import { DEFAULT_CLUSTER_OPTIONS } from '../../../src/contract/clusterOptions';
import type { RunEvent } from '../../../src/contract/runEvents';
import { useLabStore } from '../../../renderer/src/stores/lab';
import { IDLE_LAB_STATE } from '../../../src/contract/labApi';
import { useRunStore } from '../../../renderer/src/stores/run';
import { useMetricsStore } from '../../../renderer/src/stores/metrics';
import { metrics, proc, role, run } from './events';

const RUNNING: LabState = {
  ...IDLE_LAB_STATE,
  phase: 'running',
  runId: 'r1',
  nodes: [1, 2, 3].map((id) => ({ id, process: 'started', pid: 100 + id, role: 'follower', term: 1, leader: null, commit: 0, applied: 0, lastIndex: 0, voter: true })),
};

/** A lab API whose answers the test scripts; it records every call. */
class FakeLab implements LabApi {
  readonly mode = 'electron' as const;
  calls: Array<{ channel: LabChannel; request: unknown }> = [];
  answers = new Map<LabChannel, (request: unknown) => LabResult<unknown> | Promise<LabResult<unknown>>>();
  private listeners = new Map<LabPushChannel, Set<(p: never) => void>>();

  async invoke<C extends LabChannel>(channel: C, request: LabRequest<C>) {
    this.calls.push({ channel, request });
    const answer = this.answers.get(channel);
    if (!answer) return { ok: false, error: `no answer scripted for ${channel}` } as never;
    return (await answer(request)) as never;
  }
  on<P extends LabPushChannel>(channel: P, listener: (payload: LabPush[P]) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener as (p: never) => void);
    return () => set.delete(listener as (p: never) => void);
  }
  push<P extends LabPushChannel>(channel: P, payload: LabPush[P]): void {
    for (const l of this.listeners.get(channel) ?? []) (l as (p: LabPush[P]) => void)(payload);
  }
  listenerCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}

describe('lab, run and metrics stores', () => {
  let fake: FakeLab;
  beforeEach(() => {
    setActivePinia(createPinia());
    fake = new FakeLab();
    fake.answers.set('lab:state', () => ({ ok: true, value: IDLE_LAB_STATE }));
    fake.answers.set('run:history', () => ({ ok: true, value: { runDir: null, running: false, events: [] } }));
  });

  it('connect loads the state, and pushes keep it and the event stores current', async () => {
    const lab = useLabStore();
    const runStore = useRunStore();
    const metricsStore = useMetricsStore();
    await lab.connect(fake);
    expect(lab.mode).toBe('electron');
    expect(lab.phase).toBe('idle');
    fake.push('lab:state', RUNNING);
    expect(lab.phase).toBe('running');
    const v0 = runStore.version;
    fake.push('lab:events', { events: [run(0), role(200, 2, 'candidate', 1), role(250, 2, 'leader', 1), metrics(300, 2, { role: 'leader', commit: 4, lastIndex: 4 })] });
    expect(runStore.version).toBe(v0 + 1); // one bump per batch, however many events
    expect(runStore.firstLeaderAt).toBe(250);
    expect(runStore.electionCount).toBe(0);
    fake.push('lab:events', { events: [proc(1000, 2, 'killed'), role(1180, 1, 'candidate', 2), role(1230, 1, 'leader', 2)] });
    expect(runStore.electionCount).toBe(1);
    expect(runStore.lastElection).toMatchObject({ ms: 230, leader: 1, term: 2, cause: 'killed' });
    expect(runStore.nodes.map((n) => [n.id, n.role, n.process])).toEqual([[1, 'leader', 'starting'], [2, 'leader', 'killed']]);
    expect(metricsStore.model.indexPoints(2, 'commit')).toEqual([[300, 4]]);
    lab.disconnect();
    expect(fake.listenerCount()).toBe(0);
  });

  it('startCluster clears the previous run and takes the returned state; failures become a sentence', async () => {
    const lab = useLabStore();
    const runStore = useRunStore();
    await lab.connect(fake);
    fake.push('lab:events', { events: [run(0), role(10, 1, 'leader', 1)] });
    expect(runStore.firstLeaderAt).toBe(10);
    fake.answers.set('cluster:start', () => ({ ok: true, value: RUNNING }));
    expect(await lab.startCluster(DEFAULT_CLUSTER_OPTIONS)).toBe(true);
    expect(runStore.firstLeaderAt).toBeNull();
    expect(lab.state).toEqual(RUNNING);
    expect(fake.calls.at(-1)).toEqual({ channel: 'cluster:start', request: { options: DEFAULT_CLUSTER_OPTIONS } });

    fake.answers.set('node:kill', () => ({ ok: false, error: 'node 9 does not exist' }));
    expect(await lab.nodeAction('kill', 9)).toBe(false);
    expect(lab.error).toBe('Kill node 9 failed: node 9 does not exist');
    expect(lab.state).toEqual(RUNNING); // unchanged on failure
    fake.answers.set('node:transferLeader', () => Promise.reject(new Error('bridge gone')));
    expect(await lab.nodeAction('transferLeader', 2)).toBe(false);
    expect(lab.error).toBe('Transfer leadership to node 2 failed: bridge gone');
    expect(lab.busy).toBe(false);
    lab.dismissError();
    expect(lab.error).toBeNull();
  });

  it('marks an action pending while it runs', async () => {
    const lab = useLabStore();
    await lab.connect(fake);
    let release: (r: LabResult<unknown>) => void = () => {};
    fake.answers.set('node:pause', () => new Promise((resolve) => (release = resolve)));
    const done = lab.nodeAction('pause', 3);
    await Promise.resolve();
    expect(lab.isPending('Pause node 3')).toBe(true);
    release({ ok: true, value: RUNNING });
    await done;
    expect(lab.isPending('Pause node 3')).toBe(false);
  });

  it('openRun shows a recorded run and ignores live events until a new run starts', async () => {
    const lab = useLabStore();
    const runStore = useRunStore();
    const metricsStore = useMetricsStore();
    await lab.connect(fake);
    const recorded: RunEvent[] = [run(0), proc(1, 1, 'started'), role(100, 1, 'leader', 1), metrics(150, 1, { role: 'leader', commit: 7 })];
    fake.answers.set('run:open', () => ({ ok: true, value: { runDir: '/runs/a', events: recorded, summary: null } }));
    expect(await lab.openRun('  ')).toBe(false);
    expect(lab.error).toMatch(/enter the path/);
    expect(await lab.openRun('/runs/a/events.jsonl')).toBe(true);
    expect(fake.calls.find((c) => c.channel === 'run:open')?.request).toEqual({ path: '/runs/a/events.jsonl' });
    expect(runStore.source).toBe('recorded');
    expect(runStore.recordedDir).toBe('/runs/a');
    expect(runStore.firstLeaderAt).toBe(100);
    expect(metricsStore.model.indexPoints(1, 'commit')).toEqual([[150, 7]]);

    fake.push('lab:events', { events: [role(5000, 3, 'leader', 9)] });
    expect(runStore.maxTerm).toBe(1); // not mixed into the recording

    fake.push('lab:events', { events: [role(1, 3, 'leader', 9), run(0), role(80, 2, 'leader', 1)] });
    expect(runStore.source).toBe('live');
    expect(runStore.nodes.map((n) => n.id)).toEqual([2]);
    expect(metricsStore.model.nodeIds()).toEqual([]);
  });

  it('exportRun keeps the file list; readRunFile returns text or null with an error', async () => {
    const lab = useLabStore();
    await lab.connect(fake);
    const files = { runDir: '/runs/a', files: [{ name: 'events.jsonl', bytes: 1200 }] };
    fake.answers.set('run:export', () => ({ ok: true, value: files }));
    await lab.exportRun();
    expect(lab.exported).toEqual(files);
    expect(fake.calls.at(-1)?.request).toEqual({});
    fake.answers.set('run:file', (r) => ((r as { name: string }).name === 'events.jsonl' ? { ok: true, value: { name: 'events.jsonl', text: '{}\n' } } : { ok: false, error: 'no such file' }));
    expect(await lab.readRunFile('/runs/a', 'events.jsonl')).toBe('{}\n');
    expect(await lab.readRunFile('/runs/a', 'nope.txt')).toBeNull();
    expect(lab.error).toBe('Download nope.txt failed: no such file');
  });

  it('a page that connects mid-run loads the history first, then follows live without losing or doubling events', async () => {
    const lab = useLabStore();
    const runStore = useRunStore();
    // The run so far: the first leader came 1.7 s after the start.
    const recorded: RunEvent[] = [run(0), proc(5, 1, 'started'), proc(5, 2, 'started'), role(1700, 1, 'leader', 1), role(1710, 2, 'follower', 1, 1)];
    const overlap = role(30_000, 2, 'candidate', 2);
    let release: () => void = () => {};
    fake.answers.set('lab:state', () => ({ ok: true, value: RUNNING }));
    fake.answers.set('run:history', () => new Promise((resolve) => {
      release = () => resolve({ ok: true, value: { runDir: '/runs/r1', running: true, events: [...recorded, overlap] } });
    }));
    const connected = lab.connect(fake);
    await vi.waitFor(() => expect(fake.calls.some((c) => c.channel === 'run:history')).toBe(true));
    // Pushed while the history loads: one event the history has too, one it does not.
    const fresh = role(30_050, 2, 'leader', 2);
    fake.push('lab:events', { events: [overlap, fresh] });
    expect(runStore.firstLeaderAt, 'nothing is shown before the history is in').toBeNull();
    release();
    await connected;
    expect(runStore.firstLeaderAt).toBe(1700);
    expect(runStore.model.log.total, 'the overlapping event once, the fresh one too').toBe(recorded.length + 2);
    expect(runStore.nodes.find((n) => n.id === 2)).toMatchObject({ role: 'leader', term: 2 });
    // And afterwards live events go straight in.
    fake.push('lab:events', { events: [role(31_000, 1, 'follower', 2, 2)] });
    expect(runStore.model.log.total).toBe(recorded.length + 3);
  });

  it('after Stop the views are refilled from the recording', async () => {
    const lab = useLabStore();
    const runStore = useRunStore();
    await lab.connect(fake);
    // The live page saw only part of the run (it missed the leader's election).
    fake.push('lab:events', { events: [run(0), proc(5, 1, 'started')] });
    fake.answers.set('cluster:stop', () => ({ ok: true, value: { summary: null, runDir: '/runs/r1' } }));
    fake.answers.set('run:history', () => ({ ok: true, value: { runDir: '/runs/r1', running: false, events: [run(0), proc(5, 1, 'started'), role(900, 1, 'leader', 1), run(2000, 'stopped')] } }));
    expect(await lab.stopCluster()).toBe(true);
    expect(runStore.firstLeaderAt).toBe(900);
    expect(runStore.model.ended).toBe(true);
  });

  it('reports an action attempted before connecting instead of throwing', async () => {
    const lab = useLabStore();
    expect(await lab.heal()).toBe(false);
    expect(lab.error).toBe('Heal network failed: not connected to the lab');
  });
});

describe('desktop menu commands (app:command)', () => {
  it('open-run opens the picked run; new-cluster leaves a recorded run', async () => {
    setActivePinia(createPinia());
    const fake = new FakeLab();
    fake.answers.set('lab:state', () => ({ ok: true, value: IDLE_LAB_STATE }));
    fake.answers.set('run:open', () => ({ ok: true, value: { runDir: '/runs/b', events: [run(0)], summary: null } }));
    const lab = useLabStore();
    const runStore = useRunStore();
    await lab.connect(fake);
    const push = fake.push.bind(fake) as unknown as (channel: string, payload: unknown) => void;
    push('app:command', { command: 'open-run', path: '/runs/b' });
    await vi.waitFor(() => expect(runStore.source).toBe('recorded'));
    expect(runStore.recordedDir).toBe('/runs/b');
    push('app:command', { command: 'new-cluster' });
    await vi.waitFor(() => expect(runStore.source).toBe('live'));
  });
});

describe('the start form', () => {
  it('keeps its values in the lab store, so a failed start gives them back', async () => {
    setActivePinia(createPinia());
    const lab = useLabStore();
    lab.startForm.nodes = 25;
    const fake = new FakeLab();
    fake.answers.set('cluster:start', () => ({ ok: false, error: 'node 10 exited before it was ready' }));
    await lab.connect(fake);
    expect(await lab.startCluster(JSON.parse(JSON.stringify(lab.startForm)))).toBe(false);
    expect(useLabStore().startForm.nodes).toBe(25);
  });
});
