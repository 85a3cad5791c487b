/**
 * A session saved as a scenario (issue 11 item 6): everything a user did in a run — the start
 * options, workload changes, faults, kills, partitions, and debugger actions — written as a
 * scenario YAML that `raftlab run` repeats headless (docs/scenarios.md, docs/debugger.md).
 *
 * Read from the run's own events: fault events carry the FaultSpec that was applied (partition
 * presets already resolved to the groups they cut), debugger events carry the scenario step that
 * repeats them. Held messages are named by content (type, sender, term), not by id: ids count
 * every message a node sent, and they differ from one run to the next.
 */
import { stringify } from 'yaml';
import type { ClusterOptions } from '../../contract/clusterOptions';
import type { FaultSpec } from '../../contract/faults';
import type { RunEvent } from '../../contract/runEvents';

/** A `faults:` entry of a scenario file: its time and one action key. */
type Entry = { at: string } & Record<string, unknown>;

export function sessionScenario(events: readonly RunEvent[], name = 'saved-session'): { yaml: string; steps: number } {
  const started = events.find((e) => e.type === 'run' && e.phase === 'started');
  const options = started && started.type === 'run' ? started.options : undefined;
  const stopped = [...events].reverse().find((e) => e.type === 'run' && e.phase === 'stopped');
  const last = events.length > 0 ? events[events.length - 1].t : 0;
  const endMs = stopped ? stopped.t : last;
  const entries: Entry[] = [];
  let speedNow = options?.speed ?? 1;
  for (const ev of events) {
    if (ev.type === 'fault') {
      const action = ev.action === 'heal' ? (ev.fault.kind === 'all' ? { heal: 'all' } : healOf(ev.fault as FaultSpec)) : entryOf(ev.fault as FaultSpec);
      if (action) entries.push({ at: ms(ev.t), ...action });
    } else if (ev.type === 'speed' && ev.speed !== speedNow) {
      // Slow motion changed during the run (a run started slow has its speed in the cluster options).
      speedNow = ev.speed;
      entries.push({ at: ms(ev.t), speed: ev.speed });
    } else if (ev.type === 'debug' && ev.step && ev.action !== 'break') {
      entries.push({ at: ms(ev.t), ...ev.step });
    }
  }
  const file: Record<string, unknown> = {
    name,
    description: `A session saved from run ${started && started.type === 'run' ? (started.runId ?? '') : ''}: its faults and debugger actions, in order.`,
  };
  if (options) {
    file.cluster = clusterSection(options);
    file.workload = options.workload;
  }
  file.duration = ms(Math.max(endMs, ...entries.map((e) => parseMs(e.at))) + 1000);
  file.faults = entries;
  const header = '# yaml-language-server: $schema=../docs/scenario.schema.json\n# Saved by raftlab (session:scenario): `raftlab run` repeats these steps in this order.\n';
  return { yaml: header + stringify(file), steps: entries.length };
}

function clusterSection(o: ClusterOptions): Record<string, unknown> {
  const { electionTimeoutMinMs, electionTimeoutMaxMs, workload: _workload, dataDir: _dataDir, ...rest } = o as ClusterOptions & { dataDir?: string };
  return { ...rest, electionTimeoutMs: [electionTimeoutMinMs, electionTimeoutMaxMs] };
}

/** The scenario entry that applies `f` (the inverse of src/lab/scenario/faultSteps.ts). */
function entryOf(f: FaultSpec): Record<string, unknown> | null {
  switch (f.kind) {
    case 'partition':
      return f.groups ? { partition: { groups: f.groups } } : f.preset === 'isolate-node' ? { isolate: f.node } : { partition: f.preset };
    case 'link': {
      const { kind: _k, from, to, symmetric, ...trouble } = f;
      return { link: { from, to, ...(symmetric ? { symmetric } : {}), ...troubleOf(trouble) } };
    }
    case 'flaky': {
      const { kind: _k, ...trouble } = f;
      return { flaky: troubleOf(trouble) };
    }
    case 'clock':
      return { clock: { node: f.node, rate: f.rate } };
    case 'disk':
      return { disk: { node: f.node, fsyncDelay: `${f.fsyncDelayMs}ms` } };
    case 'bandwidth':
      return { bandwidth: { node: f.node, rateKbit: f.rateKbit, ...(f.burstBytes !== undefined ? { burstBytes: f.burstBytes } : {}), ...(f.latencyMs !== undefined ? { latency: `${f.latencyMs}ms` } : {}) } };
    case 'kill':
    case 'pause':
    case 'stop':
    case 'restart':
    case 'resume':
      return { [f.kind]: f.node };
    case 'aimed':
      return { aim: aimOf(f) };
  }
}

/** An aimed fault's `aim:` entry: the nested fields flat again, as the file writes them (docs/aimed-faults.md). */
function aimOf(f: Extract<FaultSpec, { kind: 'aimed' }>): Record<string, unknown> {
  const out: Record<string, unknown> = { from: f.from, to: f.to };
  if (f.side) out.side = f.side;
  Object.assign(out, f.match ?? {});
  if (f.occurrence) out[f.occurrence.kind] = f.occurrence.kind === 'nth' ? f.occurrence.n : f.occurrence.k;
  out.action = f.action.kind;
  if (f.action.kind === 'delay') out.delay = `${f.action.ms}ms`;
  return out;
}

/** Undoing one fault: its kind put back to normal (a clock rate 1, no disk delay), or a heal. */
function healOf(f: FaultSpec): Record<string, unknown> | null {
  switch (f.kind) {
    case 'clock':
      return { clock: { node: f.node, rate: 1 } };
    case 'disk':
      return { disk: { node: f.node, fsyncDelay: '0ms' } };
    default:
      return { heal: 'all' };
  }
}

function troubleOf(t: { drop?: number; delayMs?: number; jitterMs?: number; duplicate?: number }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (t.drop !== undefined) out.drop = t.drop;
  if (t.delayMs !== undefined) out.delay = `${t.delayMs}ms`;
  if (t.jitterMs !== undefined) out.jitter = `${t.jitterMs}ms`;
  if (t.duplicate !== undefined) out.duplicate = t.duplicate;
  return out;
}

function ms(t: number): string {
  return `${Math.max(0, Math.round(t))}ms`;
}

function parseMs(s: string): number {
  return Number(s.replace(/ms$/, ''));
}
