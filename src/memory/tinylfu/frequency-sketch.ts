import { Doorkeeper } from './doorkeeper.js';
import { log2, powerOfTwoAtLeast } from './key-hash.js';

/** Largest value of a 4-bit counter. */
export const MAX_COUNT = 15;
/** Odd multipliers: one picks a key's block, the other its four counters within the block. */
const BLOCK_SEED = 0xc3a5c85d;
const COUNTER_SEED = 0xb492b66f;
/** A block is one 64-byte cache line: 16 words of eight 4-bit counters. */
const BLOCK_WORDS = 16;
/** Counters per cached entry: 8 (4 bytes), so that few keys share all four of theirs. */
const COUNTERS_PER_ENTRY = 8;
/** Counted accesses per sample period, per cached entry, before every count is halved (TinyLFU's W). */
const SAMPLE_PER_ENTRY = 10;
/** Doorkeeper bits per counted access of a sample: enough that a scan's one-off keys rarely pass it. */
const DOORKEEPER_BITS_PER_SAMPLE = 2;

/**
 * How often each key was seen recently, approximately, in a few bytes per cached entry (TinyLFU, Einziger
 * et al. 2017): a count-min sketch of 4-bit counters behind a doorkeeper. A key has four counters, one in
 * each quarter of one 64-byte block (Caffeine's layout: one cache line per access instead of four); its
 * estimate is the least of them. After `10 × capacity` counter increments every counter is halved and
 * the doorkeeper cleared, so old popularity fades and a new hot set can take over (aging).
 * Saturating at 15 costs nothing: admission only compares a newcomer with the entry it would replace.
 */
export class FrequencySketch {
  /** Int32, not Uint32: V8 keeps int32 values in registers, a uint32 above 2³¹ becomes a double. */
  readonly #table: Int32Array;
  /** Right shift taking a block index (the high bits) out of a 32-bit product. */
  readonly #blockShift: number;
  readonly #doorkeeper: Doorkeeper;
  readonly #sampleSize: number;
  #additions = 0;

  /** Sized for a cache of `capacity` entries. */
  constructor(capacity: number) {
    // At least two blocks: with one, the shift would be 32, which `>>>` reads as 0.
    const blocks = powerOfTwoAtLeast((capacity * COUNTERS_PER_ENTRY) / (BLOCK_WORDS * 8), 2);
    this.#table = new Int32Array(blocks * BLOCK_WORDS);
    this.#blockShift = 32 - log2(blocks);
    this.#sampleSize = Math.max(SAMPLE_PER_ENTRY * capacity, 16);
    this.#doorkeeper = new Doorkeeper(powerOfTwoAtLeast(this.#sampleSize * DOORKEEPER_BITS_PER_SAMPLE, 64));
  }

  /**
   * Records one access to a key. `seen`: the key is known to have been seen before (a hit on a cached
   * entry), so the doorkeeper, which only filters first sightings, is skipped: one memory access less.
   */
  increment(hash: number, seen = false): void {
    // A first sighting only passes the doorkeeper; the counters start at the second.
    const added = (seen || this.#doorkeeper.add(hash)) && this.#count(hash);
    // Only an access that changed a counter counts towards the sample (Caffeine's rule): the hottest keys,
    // saturated, and the one-off keys of a scan, stopped by the doorkeeper, do not hasten the aging that
    // the keys near the admission boundary need to be told apart.
    if (added && ++this.#additions >= this.#sampleSize) this.#age();
  }

  /** Adds one to the key's four counters, those not saturated; false when all four were. */
  #count(hash: number): boolean {
    const table = this.#table;
    const block = this.#block(hash);
    const h = Math.imul(hash, COUNTER_SEED);
    let added = false;
    for (let i = 0; i < 4; i++) {
      // Counter i: word (4i + 2 bits of h) of the block, nibble (3 more bits of h).
      const bits = h >>> (i * 5);
      const word = block + (i << 2) + (bits & 3);
      const shift = ((bits >>> 2) & 7) << 2;
      const value = table[word]!;
      if (((value >>> shift) & 0xf) < MAX_COUNT) {
        table[word] = (value + (1 << shift)) | 0;
        added = true;
      }
    }
    return added;
  }

  /** The estimated number of recent accesses to a key (0–16: the counters plus the doorkeeper's bit). */
  frequency(hash: number): number {
    const table = this.#table;
    const block = this.#block(hash);
    const h = Math.imul(hash, COUNTER_SEED);
    let least = MAX_COUNT;
    for (let i = 0; i < 4; i++) {
      const bits = h >>> (i * 5);
      const count = (table[block + (i << 2) + (bits & 3)]! >>> (((bits >>> 2) & 7) << 2)) & 0xf;
      if (count < least) least = count;
    }
    return this.#doorkeeper.has(hash) ? least + 1 : least;
  }

  /** Counted accesses between two agings. */
  get sampleSize(): number {
    return this.#sampleSize;
  }

  /** Bytes held by the counters and the doorkeeper. */
  get bytes(): number {
    return this.#table.byteLength + this.#doorkeeper.bytes;
  }

  /** The first word of the key's block. */
  #block(hash: number): number {
    return (Math.imul(hash, BLOCK_SEED) >>> this.#blockShift) * BLOCK_WORDS;
  }

  /** Halves every counter (all eight nibbles of a word at once) and forgets the doorkeeper's sightings. */
  #age(): void {
    const table = this.#table;
    for (let w = 0; w < table.length; w++) table[w] = (table[w]! >>> 1) & 0x77777777;
    this.#doorkeeper.clear();
    this.#additions >>>= 1;
  }
}
