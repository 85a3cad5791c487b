/**
 * FNV-1a 64-bit, computed on two 32-bit halves (no BigInt in the per-byte loop, which would
 * be an allocation per byte). Stable across processes and platforms: digests from different
 * nodes can be compared directly.
 */

export class Fnv1a64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  /** Feeds bytes. */
  bytes(data: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < data.length; i++) {
      lo = (lo ^ data[i]) >>> 0;
      // Multiply by the prime 2^40 + 0x1b3: lo*2^40 lands in hi as lo*2^8; all products
      // below stay under 2^42, exact in a double.
      const loProduct = lo * 0x1b3;
      hi = (hi * 0x1b3 + lo * 0x100 + Math.floor(loProduct / 0x100000000)) >>> 0;
      lo = loProduct >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** Feeds a non-negative safe integer as 8 little-endian bytes. */
  uint(value: number): this {
    let v = value;
    for (let i = 0; i < 8; i++) {
      scratch[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return this.bytes(scratch);
  }

  /** Feeds a string as its UTF-8 length followed by its bytes (so concatenations cannot collide). */
  string(value: string): this {
    const bytes = textEncoder.encode(value);
    return this.uint(bytes.length).bytes(bytes);
  }

  /** 16 lowercase hex digits. */
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

const textEncoder = new TextEncoder();
/** Reused by uint(): digests run synchronously, one at a time. */
const scratch = new Uint8Array(8);
