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
import { digestDifference, digestOutputs, type JournalRecord, type MessageWireId, type RecordingLevel } from '../contract/journalFormat';
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
  /** A received message's id as journaled (its sender is `input.message.from`). */
  msgId?: MessageWireId;
}

interface StepRecord {
  incarnation: number;
  step: number;
  t: number;
  input: Input;
  digest: number[] | null;
  msgId?: MessageWireId;
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
  /** Replay cursor: global steps replayed so far, the core after them, and each one's outputs (re-shown to `onStep`). */
  private replayed = 0;
  private live: { inc: number; core: RaftNode } | null = null;
  private readonly outs: Array<Outputs | null | undefined> = [];
  /** An incarnation whose replay threw (a determinism bug, reported): its later steps are skipped (undefined in outs). */
  private broken = -1;
  private readonly mismatches: Mismatch[] = [];
  readonly torn: string[] = [];
  /** Messages the node's transport or fault rules dropped, as journaled. */
  readonly drops: Array<Extract<JournalRecord, { kind: 'dropped' }>> = [];
  /** Level `messages`: the headers of the messages it received (sends are not journaled there). */
  readonly received: Array<Extract<JournalRecord, { kind: 'received' }>> = [];

  constructor(
    readonly node: number,
    journal: NodeJournal,
  ) {
    this.level = this.load(journal);
  }

  /** Fills the record lists from `journal`; returns its level. */
  private load(journal: NodeJournal): RecordingLevel {
    let level: RecordingLevel = 'full';
    for (const inc of journal.incarnations) {
      const start = inc.records[0] as Extract<JournalRecord, { kind: 'start' }>;
      if (start.level !== 'full') level = start.level;
      this.starts.push({ incarnation: inc.incarnation, first: this.steps.length, t: start.t, record: start });
      for (const r of inc.records) {
        if (r.kind === 'step') this.steps.push({ incarnation: inc.incarnation, step: r.step, t: r.t, input: r.input, digest: r.digest, msgId: r.msgId });
        else if (r.kind === 'dropped') this.drops.push(r);
        else if (r.kind === 'received') this.received.push(r);
      }
      if (inc.torn) this.torn.push(`incarnation ${inc.incarnation}: ${inc.torn.file} cut at byte ${inc.torn.offset} (${inc.torn.reason})`);
    }
    return level;
  }

  /**
   * Takes the node's journal read again while it grows (a live run): when it only adds to
   * what was read (the same incarnations started at the same steps, more steps after them),
   * the replay cursor stays and the next `run` steps only the new records (issue 10, live
   * time travel); otherwise everything is replayed again. Returns whether it could extend.
   */
  extend(journal: NodeJournal): boolean {
    const before = { starts: this.starts.slice(), steps: this.steps.length };
    this.starts.length = 0;
    this.steps.length = 0;
    this.drops.length = 0;
    this.received.length = 0;
    this.torn.length = 0;
    const level = this.load(journal);
    const keeps =
      level === this.level &&
      this.steps.length >= before.steps &&
      before.starts.every((b, i) => this.starts[i]?.incarnation === b.incarnation && this.starts[i].first === b.first);
    if (!keeps) {
      this.ran = false;
      this.replayed = 0;
      this.live = null;
      this.outs.length = 0;
      this.broken = -1;
      this.mismatches.length = 0;
      this.checkpoints.length = 0;
    }
    return keeps;
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
    if (this.level !== 'full') {
      return { node: this.node, level: this.level, incarnations: this.starts.length, steps: this.steps.length, mismatches: [], torn: this.torn };
    }
    // Steps replayed before (a journal that grew, see extend): their outputs again, not the core's work.
    if (onStep) {
      for (let g = 0; g < this.replayed; g++) {
        const out = this.outs[g];
        if (out !== undefined) this.emit(g, out, onStep);
      }
    }
    let inc = this.live?.inc ?? -1;
    let core = this.live?.core ?? null;
    for (let g = this.replayed; g < this.steps.length; g++) {
      // The incarnation holding g: the last one whose first step is at or before it.
      let i = Math.max(0, inc);
      while (i + 1 < this.starts.length && this.starts[i + 1].first <= g) i++;
      const start = this.starts[i];
      if (i === this.broken) {
        this.outs.push(undefined);
        this.replayed = g + 1;
        continue;
      }
      if (i !== inc || core === null) {
        inc = i;
        core = this.fresh(i);
      }
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
        this.mismatches.push({ node: this.node, incarnation: rec.incarnation, step: rec.step, t: rec.t, input: rec.input.type, field, expected, actual });
      if (thrown !== null && thrown.name !== 'RaftInputError') {
        // The core broke an invariant in replay where the node did not: skip the rest of this incarnation.
        miss('threw', 'outputs', `${thrown.name}: ${thrown.message}`);
        this.broken = i;
        this.outs.push(undefined);
        this.replayed = g + 1;
        core = null;
        continue;
      }
      if (rec.digest === null) {
        if (out !== null) miss('refused', 'refused (RaftInputError)', 'accepted');
      } else if (out === null) {
        miss('refused', 'accepted', `refused: ${thrown?.message ?? ''}`);
      } else {
        const d = digestDifference(rec.digest, digestOutputs(out));
        if (d) miss(d.field, d.expected, d.actual);
      }
      this.outs.push(out);
      this.replayed = g + 1;
      if (onStep) this.emit(g, out, onStep);
    }
    this.live = core === null ? null : { inc, core };
    this.ran = true;
    return { node: this.node, level: this.level, incarnations: this.starts.length, steps: this.steps.length, mismatches: this.mismatches.slice(), torn: this.torn };
  }

  private emit(g: number, out: Outputs | null, onStep: (s: ReplayedStep) => void): void {
    const rec = this.steps[g];
    onStep({ incarnation: rec.incarnation, step: rec.step, globalStep: g + 1, t: rec.t, input: rec.input, out, msgId: rec.msgId });
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
