/**
 * A growable FIFO ring buffer: O(1) push and shift. Array.shift() is O(n) and collapsed
 * send-queue throughput from 230K to 22K messages/s in measurements (docs/platform-facts.md#zeromq).
 *
 * With `maxLength`, pushing onto a full ring evicts and returns the oldest item: the
 * drop-oldest policy of a bounded queue.
 */
export class Ring<T> {
  private items: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(
    readonly maxLength = Number.POSITIVE_INFINITY,
    initialCapacity = 16,
  ) {
    if (!(maxLength >= 1)) throw new RangeError(`ring maxLength must be >= 1, got ${maxLength}`);
    this.items = new Array<T | undefined>(Math.max(1, Math.min(initialCapacity, maxLength)));
  }

  get length(): number {
    return this.size;
  }

  /** Appends `item`; when the ring is full, evicts and returns the oldest item. */
  push(item: T): T | undefined {
    let evicted: T | undefined;
    if (this.size === this.maxLength) {
      evicted = this.shift();
    } else if (this.size === this.items.length) {
      this.grow();
    }
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size++;
    return evicted;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // let it be collected
    this.head = (this.head + 1) % this.items.length;
    this.size--;
    return item;
  }

  /** The item `offset` places from the oldest, without removing it. */
  peek(offset = 0): T | undefined {
    if (offset < 0 || offset >= this.size) return undefined;
    return this.items[(this.head + offset) % this.items.length];
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const capacity = Math.min(this.items.length * 2, this.maxLength);
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
