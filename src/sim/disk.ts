/**
 * A node's simulated durable storage. Whatever is written here survives a crash; anything
 * else (the RaftNode object, its volatile state, queued acknowledgements, the state machine)
 * is lost. Each write below is durable on its own, as each write of `DiskStorage.save()` is
 * (snapshot file, WAL records, hard-state file): one step's save is several writes, issued
 * one effect at a time by the core's executor (src/raft/execute.ts), and a crash can fall
 * between any two of them.
 */
import type { Entry, HardState, PersistedState, Snapshot } from '../raft/types';

/** The core's outputs asked for something storage cannot do (a bug in the core). */
export class StorageContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageContractError';
  }
}

export class SimDisk {
  hardState: HardState = { term: 0, vote: 0, commit: 0 };
  snapshot: Snapshot | undefined;
  /** Log entries after the snapshot, contiguous. */
  private log: Entry[] = [];
  /** True once anything was written: a pristine disk boots from initialVoters. */
  written = false;

  get firstIndex(): number {
    return (this.snapshot?.meta.index ?? 0) + 1;
  }

  get lastIndex(): number {
    return this.log.length > 0 ? this.log[this.log.length - 1].index : (this.snapshot?.meta.index ?? 0);
  }

  get lastTerm(): number {
    return this.log.length > 0 ? this.log[this.log.length - 1].term : (this.snapshot?.meta.term ?? 0);
  }

  /** Entry at `index`, or undefined when compacted or beyond the log. */
  entry(index: number): Entry | undefined {
    const i = index - this.firstIndex;
    return i >= 0 && i < this.log.length ? this.log[i] : undefined;
  }

  termAt(index: number): number | undefined {
    if (this.snapshot && index === this.snapshot.meta.index) return this.snapshot.meta.term;
    if (index === 0) return 0;
    return this.entry(index)?.term;
  }

  /** All durable entries (read-only use). */
  entries(): readonly Entry[] {
    return this.log;
  }

  /**
   * Stores a snapshot. Log entries it covers go; if the log holds the snapshot's last entry
   * the suffix after it stays, otherwise the whole log is discarded (Figure 13, steps 6-7).
   */
  saveSnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.meta;
    const keepSuffix = this.termAt(index) === term && index <= this.lastIndex;
    const suffix = keepSuffix ? this.log.filter((e) => e.index > index) : [];
    this.snapshot = snapshot;
    this.log = suffix;
    this.written = true;
  }

  /**
   * Stores a snapshot the caller took of its own state machine. The entries it covers are
   * dropped in the same atomic write: a restarted node reads only entries after the snapshot.
   */
  saveLocalSnapshot(snapshot: Snapshot): void {
    const { index } = snapshot.meta;
    if (this.snapshot && index <= this.snapshot.meta.index) return;
    if (index > this.lastIndex) {
      throw new StorageContractError(`snapshot at ${index} is beyond the durable log (last index ${this.lastIndex})`);
    }
    this.log = this.log.filter((e) => e.index > index);
    this.snapshot = snapshot;
    this.written = true;
  }

  truncateFrom(index: number): void {
    if (index <= (this.snapshot?.meta.index ?? 0)) {
      throw new StorageContractError(`truncateFrom ${index} reaches into the snapshot (index ${this.snapshot?.meta.index ?? 0})`);
    }
    const keep = index - this.firstIndex;
    if (keep < this.log.length) this.log.length = Math.max(0, keep);
    this.written = true;
  }

  /** Appends entries; an append that overlaps the log replaces the overlapped tail. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    if (first < this.firstIndex) {
      throw new StorageContractError(`append at ${first} is inside the snapshot (first index ${this.firstIndex})`);
    }
    if (first > this.lastIndex + 1) {
      throw new StorageContractError(`append at ${first} leaves a gap after last index ${this.lastIndex}`);
    }
    if (first <= this.lastIndex) this.log.length = first - this.firstIndex;
    for (const e of entries) this.log.push(e);
    this.written = true;
  }

  saveHardState(hardState: HardState): void {
    this.hardState = { term: hardState.term, vote: hardState.vote, commit: hardState.commit };
    this.written = true;
  }

  /** Discards entries up to and including `index` (a durable snapshot covers them). */
  compactTo(index: number): void {
    const base = this.snapshot?.meta.index ?? 0;
    if (index > base) {
      throw new StorageContractError(`compactTo ${index} is beyond the durable snapshot (index ${base})`);
    }
    // Entries at or below the snapshot were already dropped by saveLocalSnapshot.
  }

  /** What a restarted node recovers. */
  load(): PersistedState {
    const state: PersistedState = { hardState: { ...this.hardState }, entries: this.log.slice() };
    if (this.snapshot) state.snapshot = this.snapshot;
    return state;
  }
}
