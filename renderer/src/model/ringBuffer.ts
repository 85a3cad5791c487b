/**
 * A fixed-capacity FIFO: pushing onto a full buffer evicts the oldest item. Every buffer
 * of live telemetry in the renderer is one of these (or a CompactingSeries), which is what
 * keeps memory flat however long a run goes on.
 */
export class RingBuffer<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private size = 0;
  private pushed = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  /** Number of items held (at most `capacity`). */
  get length(): number {
    return this.size;
  }

  /** Number of items ever pushed, including evicted ones. */
  get totalPushed(): number {
    return this.pushed;
  }

  /** Appends `item`; returns the evicted oldest item when the buffer was full. */
  push(item: T): T | undefined {
    this.pushed++;
    if (this.size < this.capacity) {
      this.items[(this.head + this.size) % this.capacity] = item;
      this.size++;
      return undefined;
    }
    const evicted = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  /** The i-th item, 0 being the oldest held; undefined out of range. */
  at(i: number): T | undefined {
    if (i < 0) i += this.size;
    if (i < 0 || i >= this.size) return undefined;
    return this.items[(this.head + i) % this.capacity];
  }

  /** The newest item. */
  last(): T | undefined {
    return this.size === 0 ? undefined : this.at(this.size - 1);
  }

  /** Replaces the newest item (e.g. to extend an open segment) without counting a push. */
  replaceLast(item: T): void {
    if (this.size === 0) throw new RangeError('replaceLast on an empty RingBuffer');
    this.items[(this.head + this.size - 1) % this.capacity] = item;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out = new Array<T>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.items[(this.head + i) % this.capacity] as T;
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.pushed = 0;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.size; i++) yield this.items[(this.head + i) % this.capacity] as T;
  }
}
