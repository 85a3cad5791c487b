/**
 * Replay of a whole run: every node's journal (src/replay/runFiles.ts finds them), each
 * replayed exactly and checked step by step (nodeReplay.ts). What `raftlab check` and the
 * integration tests' replay assertion use.
 */
import { readNodeJournal } from './journalReader';
import { NodeReplay, type Mismatch, type ReplaySummary } from './nodeReplay';
import { journaledNodes, loadNodeSegments } from './runFiles';

export interface RunReplayReport {
  nodes: ReplaySummary[];
  /** Every mismatch of every node, in node then step order. */
  mismatches: Mismatch[];
  steps: number;
  bytes: number;
  /** Wall time the replay took (ms), reading included. */
  elapsedMs: number;
}

/** Loads every node's journal of `runDir` into a replayer (not yet run). */
export function loadRunReplays(runDir: string): { replays: NodeReplay[]; bytes: number } {
  let bytes = 0;
  const replays = journaledNodes(runDir).map((id) => {
    const journal = readNodeJournal(loadNodeSegments(runDir, id));
    bytes += journal.bytes;
    return new NodeReplay(id, journal);
  });
  return { replays, bytes };
}

/** Replays every node of the run and checks every step's output digest. */
export function replayRun(runDir: string, clock: () => number = () => performance.now()): RunReplayReport {
  const t0 = clock();
  const { replays, bytes } = loadRunReplays(runDir);
  const nodes = replays.map((r) => r.run());
  return {
    nodes,
    mismatches: nodes.flatMap((n) => n.mismatches),
    steps: nodes.reduce((s, n) => s + n.steps, 0),
    bytes,
    elapsedMs: clock() - t0,
  };
}

/** One line per mismatch, for a failed check. */
export function describeMismatch(m: Mismatch): string {
  return `node ${m.node} incarnation ${m.incarnation} step ${m.step} (${m.input}): ${m.field} journaled ${String(m.expected)}, replayed ${String(m.actual)}`;
}
