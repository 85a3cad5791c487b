/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial 0xEDB88320, reflected), pure TypeScript so the
 * core stays free of Node imports. The leader stamps every InstallSnapshot with it and the
 * follower verifies it before handing the snapshot out to persist (§7): a snapshot damaged on
 * the way is refused instead of persisted and failing every restart.
 *
 * A CRC detects corruption, not forgery: anyone can compute it. Authenticated sockets are
 * what stop a forged snapshot.
 */

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 of `data` as an unsigned 32-bit integer ("123456789" gives 0xCBF43926); `initial`
 * continues a previous CRC (zlib.crc32's convention: crc32(b, crc32(a)) is the CRC of a+b).
 * The node's storage uses it where Node has no native zlib.crc32 (src/node/storage/crc32.ts).
 */
export function crc32(data: Uint8Array, initial = 0): number {
  let c = (initial ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
