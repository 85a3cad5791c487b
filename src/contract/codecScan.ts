/**
 * A cheap pass over msgpack headers BEFORE decoding, so a frame's cost to the receiver is
 * bounded by its declared structure, not only by its byte size.
 *
 * WHY: the byte limit alone let one 16 MiB frame of tiny maps block a node's event loop
 * for 2.7 s and add 443 MB of RSS, because msgpackr builds every object before the
 * validators (validate*.ts) can count anything. Measured on this machine, msgpackr spends
 * ~500 ns per empty map and ~280 ns per empty array when it decodes a million of them;
 * this scan spends a few ns per item and allocates nothing.
 *
 * The scan refuses a frame when:
 *   - it holds more than `maxItems` values in total (every scalar and container counts);
 *   - an array or map declares more elements than bytes remain (each needs at least one;
 *     refused as malformed, like any truncation);
 *   - it nests deeper than `maxDepth`, or holds a map where the kind has none (raft);
 *   - a header or a payload runs past the end, or bytes trail the top value.
 *
 * No Node imports: src/contract is shared with the renderer.
 */

export interface ScanLimits {
  /** Most values (scalars and containers) in the whole frame. */
  maxItems: number;
  /** Deepest nesting of arrays and maps (the envelope is depth 1). */
  maxDepth: number;
  /** False where the layout has no maps at all (Raft frames are positional arrays). */
  allowMaps: boolean;
}

/** Why a scan refused: too much declared structure ('bounds') or not msgpack at all ('malformed'). */
export interface ScanRefusal {
  reason: 'bounds' | 'malformed';
  detail: string;
}

/** Null when the frame's structure is within `limits`, otherwise why not. */
export function scanMsgpack(bytes: Uint8Array, limits: ScanLimits): ScanRefusal | null {
  const end = bytes.byteLength;
  // Remaining children per open container, innermost last; a fixed stack, no allocation
  // per item.
  const remaining = new Array<number>(limits.maxDepth + 1);
  let depth = 0;
  let pos = 0;
  let items = 0;
  let topDone = false;
  while (true) {
    // Close every container whose children are all read.
    while (depth > 0 && remaining[depth - 1] === 0) depth--;
    if (depth === 0 && topDone) break;
    if (pos >= end) return malformed(`truncated at byte ${pos}`);
    if (depth > 0) remaining[depth - 1]--;
    else topDone = true;
    if (++items > limits.maxItems) return bounds(`more than ${limits.maxItems} values`);
    const b = bytes[pos];
    let children = -1; // >= 0 for a container
    let isMap = false;
    let skip = 0; // payload bytes after the header
    let header = 1;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      // fixint, negative fixint, nil, false, true
    } else if (b >= 0xa0 && b <= 0xbf) {
      skip = b & 0x1f;
    } else if (b >= 0x90 && b <= 0x9f) {
      children = b & 0x0f;
    } else if (b >= 0x80 && b <= 0x8f) {
      children = (b & 0x0f) * 2;
      isMap = true;
    } else {
      switch (b) {
        case 0xcc: case 0xd0: skip = 1; break;
        case 0xcd: case 0xd1: skip = 2; break;
        case 0xca: case 0xce: case 0xd2: skip = 4; break;
        case 0xcb: case 0xcf: case 0xd3: skip = 8; break;
        case 0xd4: skip = 2; break;
        case 0xd5: skip = 3; break;
        case 0xd6: skip = 5; break;
        case 0xd7: skip = 9; break;
        case 0xd8: skip = 17; break;
        case 0xc4: case 0xd9: header = 2; if (pos + 2 > end) return malformed(`truncated at byte ${pos}`); skip = bytes[pos + 1]; break;
        case 0xc5: case 0xda: header = 3; if (pos + 3 > end) return malformed(`truncated at byte ${pos}`); skip = u16(bytes, pos + 1); break;
        case 0xc6: case 0xdb: header = 5; if (pos + 5 > end) return malformed(`truncated at byte ${pos}`); skip = u32(bytes, pos + 1); break;
        case 0xc7: header = 3; if (pos + 3 > end) return malformed(`truncated at byte ${pos}`); skip = bytes[pos + 1]; break;
        case 0xc8: header = 4; if (pos + 4 > end) return malformed(`truncated at byte ${pos}`); skip = u16(bytes, pos + 1); break;
        case 0xc9: header = 6; if (pos + 6 > end) return malformed(`truncated at byte ${pos}`); skip = u32(bytes, pos + 1); break;
        case 0xdc: header = 3; if (pos + 3 > end) return malformed(`truncated at byte ${pos}`); children = u16(bytes, pos + 1); break;
        case 0xdd: header = 5; if (pos + 5 > end) return malformed(`truncated at byte ${pos}`); children = u32(bytes, pos + 1); break;
        case 0xde: header = 3; if (pos + 3 > end) return malformed(`truncated at byte ${pos}`); children = u16(bytes, pos + 1) * 2; isMap = true; break;
        case 0xdf: header = 5; if (pos + 5 > end) return malformed(`truncated at byte ${pos}`); children = u32(bytes, pos + 1) * 2; isMap = true; break;
        default:
          return malformed(`invalid msgpack byte 0x${b.toString(16)} at ${pos}`);
      }
    }
    pos += header;
    if (children >= 0) {
      // Every value takes at least one byte: more declared than bytes left is a truncated (or lying) frame.
      if (children > end - pos) return malformed(`a container at byte ${pos - header} declares ${children} values in ${end - pos} remaining bytes`);
      if (isMap && !limits.allowMaps) return bounds(`a map at byte ${pos - header}, where this frame kind has none`);
      if (children > limits.maxItems - items) return bounds(`a container at byte ${pos - header} declares ${children} values, more than ${limits.maxItems} in all`);
      if (children > 0) {
        if (depth >= limits.maxDepth) return bounds(`nested deeper than ${limits.maxDepth}`);
        remaining[depth++] = children;
      }
    } else {
      if (skip > end - pos) return malformed(`a ${skip}-byte value at byte ${pos - header} runs past the end`);
      pos += skip;
    }
  }
  if (pos !== end) return malformed(`${end - pos} trailing bytes after the frame`);
  return null;
}

function malformed(detail: string): ScanRefusal {
  return { reason: 'malformed', detail };
}

function bounds(detail: string): ScanRefusal {
  return { reason: 'bounds', detail };
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}
