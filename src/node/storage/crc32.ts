/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a byte range.
 *
 * Node ≥ 20.15 ships `zlib.crc32` (native, ~4 GB/s); Electron's bundled Node may not, so
 * we feature-detect it once and otherwise fall back to the core's table-driven one
 * (src/raft/checksum.ts, which stamps snapshots), computing the same values (both are
 * checked against each other in the tests).
 */
import * as zlib from 'node:zlib';
import { crc32 as coreCrc32 } from '../../raft/checksum';

type Crc32Fn = (data: Uint8Array, initial?: number) => number;

/** Portable CRC-32, the core's own table-driven one; `initial` continues a previous CRC (as zlib.crc32). */
export const crc32Portable: Crc32Fn = coreCrc32;

const nativeCrc32: Crc32Fn | undefined =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as unknown as { crc32: Crc32Fn }).crc32 : undefined;

/** True when the native `zlib.crc32` is in use. */
export const crc32IsNative = nativeCrc32 !== undefined;

/** CRC-32 of `data`, continuing from `initial` (0 to start). Always an unsigned 32-bit value. */
export const crc32: (data: Uint8Array, initial?: number) => number = nativeCrc32
  ? (data, initial = 0) => nativeCrc32(data, initial) >>> 0
  : crc32Portable;
