/**
 * Exact replay of one node: each incarnation starts from the config and the persisted state
 * its Start record holds, then every journaled input is stepped through the same pure core
 * (`RaftNode`, src/raft) the node ran. Each step's outputs are digested and compared with the
 * digest the node journaled: the core is deterministic (src/raft/types.ts: no clocks, I/O or
 * global randomness), so any difference is a determinism bug, reported with node, step and
 * the first differing field.
 *
 * Seeks: a full run keeps a copy of the core every CHECKPOINT_EVERY steps (clone.ts); the
 * state at a step or a time is rebuilt from the nearest checkpoint at or before it.
 */
import { digestDifference, digestOutputs, type JournalRecord, type RecordingLevel } from '../contract/journalFormat';
import { RaftNode } from '../raft';
import type { Input, Outputs } from '../raft/types';
import { deepCloneKeepingClasses } from './clone';
import { viewCore, type CoreStateView } from './coreState';
import type { NodeJournal } from './journalReader';
import type { MessageRecord } from './messages';

/** Steps between checkpoints: a seek steps at most this many inputs. */
export const CHECKPOINT_EVERY = 2000;

export interface Mismatch {
  node: number;
  incarnation: number;
  step: number;
  t: number;
  input: Input['type'];
  field: string;
  expected: number | string;
  actual: number | string;
}

/** One step as replay saw it: what went in, what came out (null when the core refused it). */
export interface ReplayedStep {
  incarnation: number;
  step: number;
  globalStep: number;
  t: number;
  input: Input;
  out: Outputs | null;
}

interface StepRecord {
  incarnation: number;
  step: number;
  t: number;
  input: Input;
  digest: number[] | null;
}

interface Checkpoint {
  /** Index into `steps` of the next step to run (== globalStep of the state it holds). */
  next: number;
  incarnation: number;
  step: number;
  t: number;
  core: RaftNode;
}

export interface ReplaySummary {
  node: number;
  level: RecordingLevel;
  incarnations: number;
  steps: number;
  mismatches: Mismatch[];
  /** Torn tails that were cut, one per incarnation killed mid-write. */
  torn: string[];
}

export class NodeReplay {
  private readonly steps: StepRecord[] = [];
  /** Start records by incarnation, and the index of each incarnation's first step. */
  private readonly starts: Array<{ incarnation: number; first: number; t: number; record: Extract<JournalRecord, { kind: 'start' }> }> = [];
  private readonly checkpoints: Checkpoint[] = [];
  private ran = false;
  readonly level: RecordingLevel;
  readonly torn: string[] = [];
  /** Messages the node's transport or fault rules dropped, as journaled. */
  readonly drops: Array<Extract<JournalRecord, { kind: 'dropped' }>> = [];
  /** Level `messages`: the headers of the messages it received (sends are not journaled there). */
  readonly received: Array<Extract<JournalRecord, { kind: 'received' }>> = [];

  constructor(
    readonly node: number,
    journal: NodeJournal,
  ) {
    let level: RecordingLevel = 'full';
    for (const inc of journal.incarnations) {
      const start = inc.records[0] as Extract<JournalRecord, { kind: 'start' }>;
      if (start.level !== 'full') level = start.level;
      this.starts.push({ incarnation: inc.incarnation, first: this.steps.length, t: start.t, record: start });
      for (const r of inc.records) {
        if (r.kind === 'step') this.steps.push({ incarnation: inc.incarnation, step: r.step, t: r.t, input: r.input, digest: r.digest });
        else if (r.kind === 'dropped') this.drops.push(r);
        else if (r.kind === 'received') this.received.push(r);
      }
      if (inc.torn) this.torn.push(`incarnation ${inc.incarnation}: ${inc.torn.file} cut at byte ${inc.torn.offset} (${inc.torn.reason})`);
    }
    this.level = level;
  }

  /** Steps journaled across every incarnation. */
  get stepCount(): number {
    return this.steps.length;
  }

  /** Time of the first and last journaled step (or start). */
  get span(): { from: number; to: number } | null {
    if (this.starts.length === 0) return null;
    let to = this.steps.length > 0 ? this.steps[this.steps.length - 1].t : this.starts[this.starts.length - 1].t;
    // Level `messages` journals no steps, only receipts: they mark how far the journal goes.
    if (this.received.length > 0) to = Math.max(to, this.received[this.received.length - 1].t);
    return { from: this.starts[0].t, to };
  }

  /**
   * Replays everything once, checking every digest and keeping checkpoints. `onStep` sees
   * each step's outputs (the message listing and the exports use it).
   */
  run(onStep?: (s: ReplayedStep) => void): ReplaySummary {
    const mismatches: Mismatch[] = [];
    if (this.level !== 'full') {
      return { node: this.node, level: this.level, incarnations: this.starts.length, steps: this.steps.length, mismatches, torn: this.torn };
    }
    this.checkpoints.length = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i];
      const end = i + 1 < this.starts.length ? this.starts[i + 1].first : this.steps.length;
      let core = this.fresh(i);
      for (let g = start.first; g < end; g++) {
        if ((g - start.first) % CHECKPOINT_EVERY === 0) {
          const prev = g > start.first ? this.steps[g - 1] : null;
          this.checkpoints.push({ next: g, incarnation: start.incarnation, step: prev ? prev.step : 0, t: prev ? prev.t : start.t, core: deepCloneKeepingClasses(core) });
        }
        const rec = this.steps[g];
        let out: Outputs | null = null;
        let thrown: Error | null = null;
        try {
          out = core.step(rec.input);
        } catch (err) {
          thrown = err as Error;
        }
        const miss = (field: string, expected: number | string, actual: number | string) =>
          mismatches.push({ node: this.node, incarnation: rec.incarnation, step: rec.step, t: rec.t, input: rec.input.type, field, expected, actual });
        if (thrown !== null && thrown.name !== 'RaftInputError') {
          // The core broke an invariant in replay where the node did not: stop this incarnation.
          miss('threw', 'outputs', `${thrown.name}: ${thrown.message}`);
          core = this.fresh(i);
          break;
        }
        if (rec.digest === null) {
          if (out !== null) miss('refused', 'refused (RaftInputError)', 'accepted');
        } else if (out === null) {
          miss('refused', 'accepted', `refused: ${thrown?.message ?? ''}`);
        } else {
          const d = digestDifference(rec.digest, digestOutputs(out));
          if (d) miss(d.field, d.expected, d.actual);
        }
        onStep?.({ incarnation: rec.incarnation, step: rec.step, globalStep: g + 1, t: rec.t, input: rec.input, out });
      }
    }
    this.ran = true;
    return { node: this.node, level: this.level, incarnations: this.starts.length, steps: this.steps.length, mismatches, torn: this.torn };
  }

  /** The core state after `globalStep` steps (0: the first incarnation just recovered). */
  stateAtStep(globalStep: number): CoreStateView {
    this.requireFull();
    if (!this.ran) this.run();
    const target = Math.max(0, Math.min(globalStep, this.steps.length));
    // The incarnation holding the target: the last one whose first step is at or before it.
    let inc = 0;
    for (let i = 0; i < this.starts.length; i++) if (this.starts[i].first <= target) inc = i;
    const start = this.starts[inc];
    let cp: Checkpoint | undefined;
    for (const c of this.checkpoints) if (c.incarnation === start.incarnation && c.next <= target) cp = c;
    let core = cp ? deepCloneKeepingClasses(cp.core) : this.fresh(inc);
    let g = cp ? cp.next : start.first;
    for (; g < target; g++) {
      try {
        core.step(this.steps[g].input);
      } catch (err) {
        if ((err as Error).name !== 'RaftInputError') throw err;
      }
    }
    const last = g > start.first ? this.steps[g - 1] : null;
    const at = { incarnation: start.incarnation, step: last ? last.step : 0, globalStep: g, t: last ? last.t : start.t };
    core = core as RaftNode;
    return viewCore(core, at);
  }

  /** The core state as of shared-clock time `t` (ms since the epoch): after the last step at or before it. */
  stateAtTime(t: number): CoreStateView {
    // Binary search: steps are in time order within the node (one clock, stepped in order).
    let lo = 0;
    let hi = this.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.steps[mid].t <= t) lo = mid + 1;
      else hi = mid;
    }
    return this.stateAtStep(lo);
  }

  private fresh(i: number): RaftNode {
    const r = this.starts[i].record;
    return new RaftNode(r.config, r.persisted);
  }

  private requireFull(): void {
    if (this.level !== 'full') throw new Error(`node ${this.node} was recorded at level '${this.level}': only 'full' journals can be replayed`);
  }
}

/**
 * A journal at level `messages` holds only the headers of received messages (docs/formats.md,
 * "journal"): no sends, no fields. These are those receipts as message records, the send time
 * unknown and set to the receipt's (`fields.headerOnly` says so), in time order, so that the
 * message list and diagram can show the conversation of such a run without pretending more.
 */
export function headerOnlyMessages(replays: readonly NodeReplay[]): MessageRecord[] {
  const out: MessageRecord[] = [];
  for (const r of replays) {
    if (r.level === 'full') continue;
    r.received.forEach((rc, i) => {
      out.push({ id: `r${r.node}.${i + 1}`, type: rc.header.type as MessageRecord['type'], from: rc.header.from, to: rc.header.to, term: rc.header.term, sentAt: rc.t, receivedAt: [rc.t], fields: { headerOnly: true } });
    });
  }
  return out.sort((a, b) => a.sentAt - b.sentAt);
}
