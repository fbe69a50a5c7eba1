/**
 * A 32-bit hash of a key for the frequency sketch: FNV-1a over the UTF-16 code units, then murmur3's
 * finalizer so that every output bit depends on every input bit (the sketch takes its row indexes from
 * the high bits, which plain FNV-1a mixes poorly for short keys). The cache computes it once per entry.
 */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The smallest power of two ≥ `n` (and ≥ `floor`), for table sizes indexed by a mask or a shift. */
export function powerOfTwoAtLeast(n: number, floor: number): number {
  let size = floor;
  while (size < n) size *= 2;
  return size;
}

/** log2 of a power of two. */
export const log2 = (powerOfTwo: number): number => 31 - Math.clz32(powerOfTwo);
