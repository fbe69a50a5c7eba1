import { log2 } from './key-hash.js';

/** Odd multipliers: one picks the filter's word, the other the two bits within it. */
const WORD_SEED = 0x9e3779b1;
const BITS_SEED = 0x7feb352d;

/**
 * TinyLFU's doorkeeper: a Bloom filter in front of the frequency sketch. A key's first sighting in a
 * sample period only sets its bits here; the sketch counts it from its second sighting on. Most keys of a
 * long tail are seen once, so they never take counters from the keys that matter (Einziger et al.,
 * TinyLFU §3.4.2). Both of a key's bits are in one 32-bit word (a blocked Bloom filter): one memory access
 * per lookup, for a slightly higher false-positive rate. It is cleared at every aging of the sketch.
 */
export class Doorkeeper {
  /** Int32, not Uint32: V8 keeps int32 values in registers, a uint32 above 2³¹ becomes a double. */
  readonly #words: Int32Array;
  /** Right shift taking a word index (the high bits) out of a 32-bit product. */
  readonly #shift: number;

  /** `bits`: a power of two, at least 64. */
  constructor(bits: number) {
    this.#words = new Int32Array(bits / 32);
    this.#shift = 32 - log2(bits / 32);
  }

  /** Records a key; true when it was (probably) recorded already since the last clear. */
  add(hash: number): boolean {
    const word = Math.imul(hash, WORD_SEED) >>> this.#shift;
    const mask = this.#mask(hash);
    const bits = this.#words[word]!;
    this.#words[word] = bits | mask;
    return (bits & mask) === mask;
  }

  /** Whether a key was (probably) recorded since the last clear. */
  has(hash: number): boolean {
    const mask = this.#mask(hash);
    return (this.#words[Math.imul(hash, WORD_SEED) >>> this.#shift]! & mask) === mask;
  }

  clear(): void {
    this.#words.fill(0);
  }

  /** Bytes held (for the memory figures). */
  get bytes(): number {
    return this.#words.byteLength;
  }

  /** The key's two bits within its word. */
  #mask(hash: number): number {
    const h = Math.imul(hash, BITS_SEED);
    return (1 << (h >>> 27)) | (1 << ((h >>> 22) & 31));
  }
}
