/**
 * A bounded window of AppendEntries in flight to one follower (etcd's `Inflights`): each slot
 * holds the last index a message carried, so an acknowledgement frees every message it covers.
 * A ring buffer, so adding and freeing never allocate or shift.
 */
export class Inflights {
  private readonly buf: Float64Array;
  private start = 0;
  private n = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  get count(): number {
    return this.n;
  }

  full(): boolean {
    return this.n >= this.capacity;
  }

  /** Records a message whose last entry is `lastIndex`. */
  add(lastIndex: number): void {
    if (this.n >= this.capacity) return;
    let i = this.start + this.n;
    if (i >= this.capacity) i -= this.capacity;
    this.buf[i] = lastIndex;
    this.n++;
  }

  /** Frees every message whose last index is <= `index` (they are acknowledged). */
  freeLE(index: number): void {
    while (this.n > 0 && this.buf[this.start] <= index) {
      this.start++;
      if (this.start === this.capacity) this.start = 0;
      this.n--;
    }
    if (this.n === 0) this.start = 0;
  }

  /** Frees the oldest message: lets a stalled window probe again (its messages may be lost). */
  freeFirstOne(): void {
    if (this.n === 0) return;
    this.start++;
    if (this.start === this.capacity) this.start = 0;
    this.n--;
  }

  reset(): void {
    this.start = 0;
    this.n = 0;
  }
}
