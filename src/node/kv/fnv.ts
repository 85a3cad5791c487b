/**
 * FNV-1a 64-bit, computed on two 32-bit halves (no BigInt in the per-byte loop, which would
 * be an allocation per byte). Stable across processes and platforms: digests from different
 * nodes can be compared directly.
 *
 * WHY integer-only arithmetic and a hex table: every node digests every entry it applies,
 * and at 20,000 entries/s the first version (a float division per byte, eight divisions per
 * integer, Number#toString(16) per digest) was about a tenth of a follower's CPU. The
 * results are bit-for-bit the same (test/unit/node/kv.test.ts pins known vectors).
 */

/** 0x1b3: the low bits of the FNV-64 prime 2^40 + 0x1b3. */
const PRIME_LO = 0x1b3;

/** Two lowercase hex digits for every byte value. */
const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export class Fnv1a64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  /** Feeds bytes. */
  bytes(data: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < data.length; i++) {
      lo = (lo ^ data[i]) >>> 0;
      // (hi:lo) * (2^40 + 0x1b3) mod 2^64: lo*2^40 lands in hi as lo << 8; lo*0x1b3 is
      // computed on 16-bit halves so every intermediate stays an exact small integer.
      const t = (lo & 0xffff) * PRIME_LO;
      const u = (lo >>> 16) * PRIME_LO + (t >>> 16);
      hi = (Math.imul(hi, PRIME_LO) + (lo << 8) + (u >>> 16)) >>> 0;
      lo = (((u & 0xffff) << 16) | (t & 0xffff)) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** Feeds a non-negative safe integer as 8 little-endian bytes. */
  uint(value: number): this {
    const low = value >>> 0;
    const high = Math.floor(value / 0x100000000) >>> 0;
    scratch[0] = low & 0xff;
    scratch[1] = (low >>> 8) & 0xff;
    scratch[2] = (low >>> 16) & 0xff;
    scratch[3] = low >>> 24;
    scratch[4] = high & 0xff;
    scratch[5] = (high >>> 8) & 0xff;
    scratch[6] = (high >>> 16) & 0xff;
    scratch[7] = high >>> 24;
    return this.bytes(scratch);
  }

  /** Feeds a string as its UTF-8 length followed by its bytes (so concatenations cannot collide). */
  string(value: string): this {
    const bytes = textEncoder.encode(value);
    return this.uint(bytes.length).bytes(bytes);
  }

  /** 16 lowercase hex digits. */
  hex(): string {
    const hi = this.hi;
    const lo = this.lo;
    return (
      HEX_BYTE[hi >>> 24] +
      HEX_BYTE[(hi >>> 16) & 0xff] +
      HEX_BYTE[(hi >>> 8) & 0xff] +
      HEX_BYTE[hi & 0xff] +
      HEX_BYTE[lo >>> 24] +
      HEX_BYTE[(lo >>> 16) & 0xff] +
      HEX_BYTE[(lo >>> 8) & 0xff] +
      HEX_BYTE[lo & 0xff]
    );
  }
}

const textEncoder = new TextEncoder();
/** Reused by uint(): digests run synchronously, one at a time. */
const scratch = new Uint8Array(8);
