/**
 * How a simulated host carries out each effect of a step (the order is `carryOut`'s, in
 * src/raft/execute.ts, the same executor the node process runs). Every write goes to the
 * host's `SimDisk` at once and is durable on its own, as each write of `DiskStorage.save()`
 * is, so a crash the simulator places between two effects leaves exactly the prefix of
 * writes a SIGKILL between those writes would. The safety checker watches every effect.
 *
 * Every method finishes at once: the simulator pays no promise per step.
 */
import type { EffectDone, OutputSink } from '../raft/execute';
import type { Entry, HardState, Message, RaftEvent, Result, Snapshot, Status } from '../raft/types';
import { StorageContractError } from './disk';
import { formatEntries, formatEvent, formatResult } from './format';
import type { SeededRng } from './rng';
import type { SafetyChecker } from './safetyChecker';
import type { SimStateMachine } from './stateMachine';
import type { SimHost } from './cluster';
import type { TraceRecorder } from './trace';
import { ViolationError } from './violations';

/** What a host's effects reach in the cluster around it. */
export interface SinkContext {
  readonly now: number;
  readonly checker: SafetyChecker;
  readonly trace: TraceRecorder;
  readonly rng: SeededRng;
  readonly ackDelayMax: number;
  readonly checkStorageAgreement: boolean;
  send(message: Message): void;
  onResult?(node: number, result: Result): void;
  onApply?(node: number, entry: Entry, stateMachine: SimStateMachine): void;
  onEvent?(node: number, event: RaftEvent): void;
}

export class HostSink implements OutputSink {
  /** The core's status read before this step's effects, if it was sampled (see SimCluster). */
  status: Status | undefined;

  constructor(
    private readonly ctx: SinkContext,
    private readonly host: SimHost,
  ) {}

  saveSnapshot(snapshot: Snapshot): EffectDone {
    const { index, term } = snapshot.meta;
    this.ctx.checker.observeSnapshotInstalled(this.host.id, index, term);
    this.guard(() => this.host.disk.saveSnapshot(snapshot));
    if (this.ctx.trace.enabled) this.ctx.trace.record(this.ctx.now, `${this.host.id} install snapshot ${index}/${term}`);
  }

  truncateLog(from: number): EffectDone {
    this.ctx.checker.observeTruncate(this.host.id, from);
    this.guard(() => this.host.disk.truncateFrom(from));
    if (this.ctx.trace.enabled) this.ctx.trace.record(this.ctx.now, `${this.host.id} truncate log from ${from}`);
  }

  appendEntries(entries: readonly Entry[]): EffectDone {
    this.ctx.checker.observeAppend(this.host.id, entries);
    this.guard(() => this.host.disk.append(entries));
    if (this.ctx.trace.enabled) this.ctx.trace.record(this.ctx.now, `${this.host.id} append ${formatEntries(entries)}`);
  }

  saveHardState(hardState: HardState): EffectDone {
    this.host.disk.saveHardState(hardState);
  }

  /** Each write was durable at once; here the core's view must equal the disk's (§5.1). */
  sync(): EffectDone {
    const status = this.status;
    if (status === undefined || !this.ctx.checkStorageAgreement) return;
    const disk = this.host.disk;
    const problems: string[] = [];
    if (status.lastIndex !== disk.lastIndex || status.lastTerm !== disk.lastTerm) {
      problems.push(`status says last entry ${status.lastIndex}/${status.lastTerm}, disk holds ${disk.lastIndex}/${disk.lastTerm}`);
    }
    if (status.term !== disk.hardState.term || status.vote !== disk.hardState.vote) {
      problems.push(`status says term ${status.term} vote ${status.vote}, disk holds term ${disk.hardState.term} vote ${disk.hardState.vote}`);
    }
    if (problems.length > 0) {
      throw new ViolationError({
        property: 'Storage Contract',
        tick: this.ctx.now,
        message: `node ${this.host.id} after its outputs were persisted: ${problems.join('; ')}`,
      });
    }
  }

  restoreStateMachine(snapshot: Snapshot): EffectDone {
    const sm = this.host.stateMachine;
    sm.restore(snapshot.data);
    if (sm.applied !== snapshot.meta.index) {
      throw this.contractError(new StorageContractError(`snapshot ${snapshot.meta.index}/${snapshot.meta.term} holds a state machine at index ${sm.applied}`));
    }
  }

  /** Queued, fed back after this step (at once or a few ticks later: a disk that completes late). */
  acknowledge(index: number, term: number): EffectDone {
    const host = this.host;
    const delay = this.ctx.ackDelayMax > 0 ? this.ctx.rng.int(this.ctx.ackDelayMax + 1) : 0;
    const previousDue = host.acks.length > 0 ? host.acks[host.acks.length - 1].due : 0;
    host.acks.push({ due: Math.max(this.ctx.now + delay, previousDue), index, term });
  }

  send(message: Message): EffectDone {
    this.ctx.send(message);
  }

  apply(entries: readonly Entry[]): EffectDone {
    const id = this.host.id;
    for (const entry of entries) {
      this.ctx.checker.observeApply(id, entry);
      this.host.stateMachine.apply(entry);
      this.ctx.onApply?.(id, entry, this.host.stateMachine);
    }
    if (this.ctx.trace.enabled) this.ctx.trace.record(this.ctx.now, `${id} apply ${formatEntries(entries)}`);
  }

  result(result: Result): EffectDone {
    if (this.ctx.trace.enabled) this.ctx.trace.record(this.ctx.now, `${this.host.id} ${formatResult(result)}`);
    this.ctx.onResult?.(this.host.id, result);
  }

  saveTakenSnapshot(snapshot: Snapshot): EffectDone {
    this.guard(() => this.host.disk.saveLocalSnapshot(snapshot));
    if (this.ctx.trace.enabled) this.ctx.trace.record(this.ctx.now, `${this.host.id} persist snapshot taken at ${snapshot.meta.index}/${snapshot.meta.term}`);
  }

  compactLog(index: number): EffectDone {
    this.guard(() => this.host.disk.compactTo(index));
    this.ctx.checker.observeCompact(this.host.id, index);
  }

  /** Serializes the state machine and owes the core a snapshotTaken input (fed after this step). */
  takeSnapshot(index: number): EffectDone {
    const host = this.host;
    const sm = host.stateMachine;
    if (index !== sm.applied) {
      throw this.contractError(new StorageContractError(`snapshotWanted at ${index} but the state machine has applied ${sm.applied}`));
    }
    if (host.disk.termAt(index) === undefined) {
      throw this.contractError(new StorageContractError(`snapshotWanted at ${index}, which is not in the durable log`));
    }
    if (this.ctx.trace.enabled) this.ctx.trace.record(this.ctx.now, `${host.id} snapshot taken at ${index}`);
    host.local.push({ type: 'snapshotTaken', index, data: sm.serialize() });
  }

  event(event: RaftEvent): EffectDone {
    if (this.ctx.trace.enabled && event.type !== 'voteGranted' && event.type !== 'commit' && event.type !== 'role') {
      this.ctx.trace.record(this.ctx.now, `${this.host.id} ${formatEvent(event)}`);
    }
    this.ctx.onEvent?.(this.host.id, event);
  }

  private guard(write: () => void): void {
    try {
      write();
    } catch (error) {
      throw this.contractError(error);
    }
  }

  private contractError(error: unknown): Error {
    if (error instanceof ViolationError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ViolationError({ property: 'Storage Contract', tick: this.ctx.now, message: `node ${this.host.id}: ${message}` });
  }
}
