import type { RequestId } from './types';

/** A read waiting for a quorum to confirm the heartbeat round `seq` (§8). */
export interface PendingRead {
  readonly id: RequestId;
  /** The commit index when the read arrived: its ReadIndex. */
  readonly index: number;
  readonly seq: number;
}

/**
 * Reads a leader holds until they are safe to serve (§8): first those waiting for the leader
 * to commit an entry of its own term, then those waiting for a heartbeat round to be
 * acknowledged. Rounds only grow, so pending reads are confirmed in arrival order.
 */
export class ReadIndexQueue {
  private waiting: RequestId[] = [];
  private pending: PendingRead[] = [];
  private head = 0;

  get size(): number {
    return this.waiting.length + this.pending.length - this.head;
  }

  /** Park a read until the leader commits an entry of its term. */
  waitForCommit(id: RequestId): void {
    this.waiting.push(id);
  }

  /** Remove and return every read parked for a commit. */
  takeWaiting(): RequestId[] {
    const w = this.waiting;
    this.waiting = [];
    return w;
  }

  add(read: PendingRead): void {
    this.pending.push(read);
  }

  /** Remove and return the reads whose round `seq` <= `ackedSeq`, oldest first. */
  takeConfirmed(ackedSeq: number): PendingRead[] {
    const start = this.head;
    let h = start;
    while (h < this.pending.length && this.pending[h].seq <= ackedSeq) h++;
    if (h === start) return [];
    const done = this.pending.slice(start, h);
    if (h === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else {
      this.head = h;
      if (h > 1024 && h * 2 > this.pending.length) {
        this.pending = this.pending.slice(h);
        this.head = 0;
      }
    }
    return done;
  }

  /** Remove and return every read id (leadership lost). */
  drainAll(): RequestId[] {
    const ids = [...this.waiting];
    for (let i = this.head; i < this.pending.length; i++) ids.push(this.pending[i].id);
    this.waiting = [];
    this.pending = [];
    this.head = 0;
    return ids;
  }
}
