/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a byte range.
 *
 * Node ≥ 20.15 ships `zlib.crc32` (native, ~4 GB/s); Electron's bundled Node may not, so
 * we feature-detect it once and otherwise fall back to a table-driven implementation that
 * computes the same values (both are checked against each other in the tests).
 */
import * as zlib from 'node:zlib';

type Crc32Fn = (data: Uint8Array, initial?: number) => number;

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Portable CRC-32; `initial` continues a previous CRC (same convention as zlib.crc32). */
export function crc32Portable(data: Uint8Array, initial = 0): number {
  let crc = (initial ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const nativeCrc32: Crc32Fn | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as unknown as { crc32: Crc32Fn }).crc32 : undefined;

/** True when the native `zlib.crc32` is in use. */
export const crc32IsNative = nativeCrc32 !== undefined;

/** CRC-32 of `data`, continuing from `initial` (0 to start). Always an unsigned 32-bit value. */
export const crc32: (data: Uint8Array, initial?: number) => number = nativeCrc32
  ? (data, initial = 0) => nativeCrc32(data, initial) >>> 0
  : crc32Portable;
