/**
 * Canned fault timelines for `raftlab run --faults PRESET`: a quick way to shake a cluster
 * without writing a scenario file. Each fault is healed before the next, and the last
 * quarter of the run is left quiet so the cluster can converge before it is checked.
 */
import type { ScenarioAction, ScenarioStep } from '../contract/scenario';
import { PARTITION_PRESETS } from '../contract/faults';

export const FAULT_PRESETS = ['none', 'leader-crash', 'kills', 'pauses', 'partitions', 'flaky', 'mixed'] as const;
export type FaultPreset = (typeof FAULT_PRESETS)[number];

export function isFaultPreset(s: string): s is FaultPreset {
  return (FAULT_PRESETS as readonly string[]).includes(s);
}

/** Pairs of (fault, its healing) cycled through for each preset. */
function cycle(preset: FaultPreset): Array<[ScenarioAction, ScenarioAction]> {
  const crash: [ScenarioAction, ScenarioAction] = [{ kind: 'kill', node: 'leader' }, { kind: 'restart', node: 'killed' }];
  const kill: [ScenarioAction, ScenarioAction] = [{ kind: 'kill', node: 'random' }, { kind: 'restart', node: 'killed' }];
  const pause: [ScenarioAction, ScenarioAction] = [{ kind: 'pause', node: 'random' }, { kind: 'resume', node: 'paused' }];
  const partitions = PARTITION_PRESETS.filter((p) => p !== 'isolate-node').map(
    (preset): [ScenarioAction, ScenarioAction] => [{ kind: 'partition', preset }, { kind: 'heal' }],
  );
  const flaky: [ScenarioAction, ScenarioAction] = [{ kind: 'flaky', drop: 0.1, delayMs: 5, jitterMs: 10, duplicate: 0.05 }, { kind: 'heal' }];
  switch (preset) {
    case 'none':
      return [];
    case 'leader-crash':
      return [crash];
    case 'kills':
      return [kill];
    case 'pauses':
      return [pause];
    case 'partitions':
      return partitions;
    case 'flaky':
      return [flaky];
    case 'mixed':
      return [crash, partitions[0], pause, flaky, kill, partitions[2], partitions[1]];
  }
}

/**
 * Spreads the preset's faults over the first three quarters of the run: every `periodMs`
 * a fault, healed half a period later.
 */
export function presetSteps(preset: FaultPreset, durationMs: number, periodMs = 4000): ScenarioStep[] {
  const pairs = cycle(preset);
  if (pairs.length === 0) return [];
  const steps: ScenarioStep[] = [];
  const end = durationMs * 0.75;
  let i = 0;
  for (let t = Math.min(2000, durationMs / 4); t + periodMs / 2 <= end; t += periodMs, i++) {
    const [fault, heal] = pairs[i % pairs.length];
    steps.push({ atMs: t, action: fault, source: { index: steps.length, line: 0 } });
    steps.push({ atMs: t + periodMs / 2, action: heal, source: { index: steps.length, line: 0 } });
  }
  return steps;
}
