/**
 * A saved session (src/lab/debug/sessionScenario.ts) writes aimed faults as `aim:` steps and
 * speed changes as `speed:` steps, and the scenario reader takes them back as the same actions
 * (issue 11 item 6: `raftlab run saved.yaml` repeats what was done; docs/aimed-faults.md).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_OPTIONS } from '../../../src/contract/clusterOptions';
import type { RunEvent } from '../../../src/contract/runEvents';
import { sessionScenario } from '../../../src/lab/debug/sessionScenario';
import { parseScenarioOrThrow } from '../../../src/lab/scenario/parseScenario';

const e = (x: Record<string, unknown>): RunEvent => x as unknown as RunEvent;

describe('a saved session with aimed faults and slow motion', () => {
  it('writes them as aim: and speed: steps that read back as the same actions, in order', () => {
    const dropThird = { kind: 'aimed', from: 1, to: 2, match: { types: ['append'], hasEntries: true }, occurrence: { kind: 'nth', n: 3 }, action: { kind: 'drop' } };
    const delayVotes = { kind: 'aimed', from: 3, to: 1, side: 'receiver', match: { types: ['vote'], termMin: 2 }, occurrence: { kind: 'every', k: 2 }, action: { kind: 'delay', ms: 150 } };
    const events = [
      e({ type: 'run', t: 0, node: null, phase: 'started', runId: 'r1', options: { ...DEFAULT_CLUSTER_OPTIONS, nodes: 3, speed: 0.5 } }),
      e({ type: 'speed', t: 5, node: null, speed: 0.5 }),
      e({ type: 'fault', t: 1000, node: null, action: 'apply', fault: dropThird, description: 'x', nodes: [1, 2] }),
      e({ type: 'speed', t: 1500, node: null, speed: 0.1 }),
      e({ type: 'fault', t: 2000, node: null, action: 'apply', fault: delayVotes, description: 'y', nodes: [3, 1] }),
      e({ type: 'speed', t: 2500, node: null, speed: 1 }),
      e({ type: 'run', t: 4000, node: null, phase: 'stopped' }),
    ];
    const saved = sessionScenario(events);
    expect(saved.steps).toBe(4);
    const s = parseScenarioOrThrow(saved.yaml);
    expect(s.cluster.speed).toBe(0.5);
    expect(s.steps.map((st) => [st.atMs, st.action])).toEqual([
      [1000, dropThird],
      [1500, { kind: 'speed', speed: 0.1 }],
      [2000, delayVotes],
      [2500, { kind: 'speed', speed: 1 }],
    ]);
  });
});
