import { ValidationError } from './errors.js';

export interface HotKeysOptions {
  /** How many hot keys are kept (1..1000). @default 20 */
  k?: number;
  /**
   * Record one read in N on average (an integer >= 1; 1 records every read). @default 128 (a sample costs
   * 50-100 ns alone and ~270 ns amid a cache's gets, whose data it pushes out of the CPU caches; one in
   * 128 keeps that near 2 ns a read, and top-10 recall on a Zipf workload stays 1.0 from 500k reads)
   */
  sampleRate?: number;
  /** Count-min sketch columns (16..1048576): wider means fewer collisions. @default 2048 */
  width?: number;
  /** Count-min sketch rows (1..16): deeper means fewer bad estimates. @default 4 */
  depth?: number;
  /** Uniform [0, 1) source that decides which reads are sampled. @default Math.random */
  random?: () => number;
}

export interface HotKey {
  key: string;
  /** Approximate reads of the key: sampled count times `sampleRate`, an overestimate from the sketch. */
  estimatedReads: number;
}

const LIMITS = {
  k: [1, 1000, 20],
  sampleRate: [1, Number.MAX_SAFE_INTEGER, 128],
  width: [16, 1 << 20, 2048],
  depth: [1, 16, 4],
} as const;
const KNOWN_OPTIONS = [...Object.keys(LIMITS), 'random'];

/** Keys longer than this are tracked by their first MAX_KEY_CHARS characters plus TRUNCATION_MARKER. */
export const MAX_KEY_CHARS = 256;
/** How often `record` ages the estimates by itself (see `decay`). */
export const DECAY_EVERY_MS = 60_000;
export const TRUNCATION_MARKER = '…';
/** Counters are halved when one reaches this, so a Uint32Array cell never wraps around silently. */
const AGE_AT = 2 ** 31;
/**
 * Memory bound of one candidate: its key's copy, a string of at most 258 UTF-16 code units (16-byte V8
 * header + 2 bytes a unit) and a 32-byte view of it (see `copy`), rounded up to 576; plus 128 for its heap
 * entry object, its heap slot and its Map entry (with hash-table slack). FIXED_BYTES covers the HotKeys
 * object and the typed-array, array and Map headers.
 */
const CANDIDATE_BYTES = 576 + 128;
const FIXED_BYTES = 512;

/** `estimate`: the key's sampled reads, as the sketch estimated them when the key was last sampled. */
type Candidate = { key: string; estimate: number };

/**
 * Approximate top-k of the most read keys: a count-min sketch (with conservative update) estimates each
 * sampled key's reads, and a min-heap of at most k candidates keeps the keys with the highest estimates.
 * Memory is fixed at construction: the sketch never grows and the heap never holds more than k keys.
 */
export class HotKeys {
  #sampled = 0;
  #decayedAt = Date.now();
  readonly k: number;
  readonly sampleRate: number;
  readonly #width: number;
  readonly #depth: number;
  /** width / 2^32: a 32-bit hash times it is a column in [0, width). */
  readonly #columnScale: number;
  readonly #random: () => number;
  /** `depth` rows of `width` counters, row after row. */
  readonly #sketch: Uint32Array;
  /** Scratch for the cells of the key being counted (reused: no allocation per sample). */
  readonly #cells: Uint32Array;
  /** log(1 - 1/sampleRate), to draw geometric gaps between samples. */
  readonly #logSkip: number;
  /** Min-heap by estimate (the weakest candidate at the root); #positions maps a key to its heap index. */
  readonly #heap: Candidate[] = [];
  readonly #positions = new Map<string, number>();
  /** Reads left until the next sampled one. */
  #countdown = 0;

  constructor(options: HotKeysOptions = {}) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ValidationError('options must be a plain object', { option: 'options' });
    }
    for (const name of Object.keys(options)) {
      if (!KNOWN_OPTIONS.includes(name)) {
        const message = `unknown option "${name}": HotKeys accepts ${KNOWN_OPTIONS.join(', ')}`;
        throw new ValidationError(message, { option: name });
      }
    }
    const value = (name: keyof typeof LIMITS): number => {
      const [min, max, fallback] = LIMITS[name];
      const given: unknown = options[name] ?? fallback;
      if (typeof given === 'number' && Number.isInteger(given) && given >= min && given <= max) return given;
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      const got = typeof given === 'string' ? `"${given}"` : String(given);
      throw new ValidationError(`${name} must be an integer ${range} (got ${got})`, { option: name });
    };
    this.k = value('k');
    this.sampleRate = value('sampleRate');
    this.#width = value('width');
    this.#depth = value('depth');
    this.#columnScale = this.#width / 2 ** 32;
    if (options.random !== undefined && typeof options.random !== 'function') {
      throw new ValidationError('random must be a function returning [0, 1)', { option: 'random' });
    }
    this.#random = options.random ?? Math.random;
    this.#sketch = new Uint32Array(this.#width * this.#depth);
    this.#cells = new Uint32Array(this.#depth);
    this.#logSkip = Math.log1p(-1 / this.sampleRate);
    this.#countdown = this.#nextGap();
  }

  /** Counts one read of `key`. The hot path: unsampled reads cost one decrement and one compare. */
  record(key: string): void {
    // Kept this small so it inlines into every get; the sample's work is a call of its own.
    if (--this.#countdown > 0) return;
    this.#sample(key);
  }

  #sample(key: string): void {
    this.#countdown = this.#nextGap();
    // Ages by itself: every 1024 sampled reads, halve if a minute has passed, so the top-k follows the
    // current workload (a clock read per 1024 samples, not per read).
    if ((++this.#sampled & 1023) === 0 && Date.now() - this.#decayedAt >= DECAY_EVERY_MS) {
      this.#decayedAt = Date.now();
      this.decay();
    }
    this.#add(key.length > MAX_KEY_CHARS ? key.slice(0, MAX_KEY_CHARS) + TRUNCATION_MARKER : key);
  }

  /** The hot keys, most read first (at most `limit`, default k). */
  top(limit: number = this.k): HotKey[] {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new ValidationError(`limit must be an integer >= 0 (got ${limit})`, { option: 'limit' });
    }
    return this.#heap
      .filter((c) => c.estimate > 0)
      .map((c) => ({ key: c.key, estimatedReads: c.estimate * this.sampleRate }))
      .sort((a, b) => b.estimatedReads - a.estimatedReads || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit);
  }

  /**
   * Halves every sketch counter and candidate estimate, so old reads weigh less and the top-k follows the
   * current workload; `record` calls it about once a minute under traffic. Halving keeps the heap order valid.
   */
  decay(): void {
    for (let i = 0; i < this.#sketch.length; i++) this.#sketch[i] = this.#sketch[i]! >>> 1;
    for (const candidate of this.#heap) candidate.estimate = candidate.estimate >>> 1;
  }

  /** Forgets every read. */
  reset(): void {
    this.#sketch.fill(0);
    this.#heap.length = 0;
    this.#positions.clear();
    this.#countdown = this.#nextGap();
  }

  /** Upper bound of the memory held, fixed at construction: sketch, scratch, k candidates (CANDIDATE_BYTES). */
  get memoryBytes(): number {
    return this.#sketch.byteLength + this.#cells.byteLength + this.k * CANDIDATE_BYTES + FIXED_BYTES;
  }

  /**
   * Gap to the next sampled read, geometric: each read is sampled with probability 1/sampleRate whatever
   * the read pattern (an every-Nth counter could alias with a periodic workload), at one random draw a sample.
   */
  #nextGap(): number {
    if (this.sampleRate === 1) return 1;
    const gap = 1 + Math.floor(Math.log1p(-this.#random()) / this.#logSkip);
    return Number.isFinite(gap) ? gap : this.sampleRate; // a `random` outside [0, 1) must not stop sampling
  }

  #add(key: string): void {
    const estimate = this.#count(key);
    const at = this.#positions.get(key);
    if (at !== undefined) {
      this.#heap[at]!.estimate = estimate;
      this.#settle(at, true);
    } else if (this.#heap.length < this.k) {
      this.#heap.push({ key: copy(key), estimate });
      this.#settle(this.#heap.length - 1, false);
    } else if (estimate > this.#heap[0]!.estimate) {
      this.#positions.delete(this.#heap[0]!.key);
      this.#heap[0] = { key: copy(key), estimate };
      this.#settle(0, false);
    }
  }

  /**
   * Adds one to the key's count and returns its new estimate. Cells are h1 + row * h2 (two hashes make
   * `depth` independent ones). Conservative update: only the cells at the minimum are raised, which keeps
   * the overestimate from collisions much lower than raising every row.
   */
  #count(key: string): number {
    // Every intermediate stays a 32-bit integer (`| 0`): with unsigned hashes and Math.min on doubles, a
    // sample took 100 ns instead of 46 (a 9-character key), paid on the reads that are sampled.
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x6a09e667 | 0;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193); // FNV-1a
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h1 = mix(h1) | 0;
    h2 = mix(h2) | 1;
    const sketch = this.#sketch;
    const cells = this.#cells;
    const depth = this.#depth;
    const width = this.#width;
    const columnScale = this.#columnScale;
    let min = AGE_AT - 1; // no cell is above it: #count halves them all when one reaches AGE_AT
    for (let row = 0; row < depth; row++) {
      // Lemire's range reduction (a multiply, not a division): the hash's top bits pick the column.
      const cell = row * width + Math.floor(((h1 + Math.imul(row, h2)) >>> 0) * columnScale);
      cells[row] = cell;
      const count = sketch[cell]!;
      if (count < min) min = count;
    }
    const estimate = min + 1;
    for (let row = 0; row < depth; row++) {
      const cell = cells[row]!;
      if (sketch[cell]! < estimate) sketch[cell] = estimate;
    }
    if (estimate < AGE_AT) return estimate;
    // Only cells equal to `estimate` were raised, so no cell is above it: halving now means none ever wraps.
    this.decay();
    return estimate >>> 1;
  }

  /**
   * Restores heap order around heap[i] and records where it ends: up for a new candidate, down for one whose
   * estimate grew or that replaced the root (estimates only grow between decays). `indexed`: #positions
   * already holds heap[i]'s key at i (a known candidate), so it is written again only if the key moved.
   */
  #settle(i: number, indexed: boolean): void {
    const from = i;
    while (i > 0 && this.#heap[i]!.estimate < this.#heap[(i - 1) >> 1]!.estimate) {
      i = this.#swap(i, (i - 1) >> 1);
    }
    for (;;) {
      let smallest = i;
      for (let child = 2 * i + 1; child <= 2 * i + 2 && child < this.#heap.length; child++) {
        if (this.#heap[child]!.estimate < this.#heap[smallest]!.estimate) smallest = child;
      }
      if (smallest === i) break;
      i = this.#swap(i, smallest);
    }
    if (i !== from || !indexed) this.#positions.set(this.#heap[i]!.key, i);
  }

  /** Swaps heap[i] and heap[j], records where heap[i]'s new occupant lives, and returns j. */
  #swap(i: number, j: number): number {
    const moved = this.#heap[j]!;
    this.#heap[j] = this.#heap[i]!;
    this.#heap[i] = moved;
    this.#positions.set(moved.key, i);
    return j;
  }
}

/** murmur3's 32-bit finalizer: spreads FNV's bits over the whole word before its top bits pick a column. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A copy of a key entering the candidate set that holds nothing of the caller's string. V8 may represent
 * `slice` results (and some caller keys) as views into a larger parent string, which would keep that
 * parent alive and void the memory bound. Slicing a fresh concatenation flattens it into a new string of
 * key.length + 1 characters first, so the result is a flat copy, or a view of that new string alone
 * (CANDIDATE_BYTES counts it). A third of the cost of a Buffer round trip (42 against 142 ns a 17-character
 * key): under uniform traffic, most samples bring a new candidate.
 */
function copy(key: string): string {
  return (' ' + key).slice(1);
}

/** The `hotKeys` option of a cache: on with defaults, off, or sized (`{ k, sampleRate }`). */
export type HotKeysSettings = Pick<HotKeysOptions, 'k' | 'sampleRate'>;

/** The tracker settings of a cache's `hotKeys` option (checked by building one), or undefined = off. */
export function resolveHotKeys(option: unknown): HotKeysSettings | undefined {
  if (option === false) return undefined;
  if (option === true || option === undefined) return {};
  if (typeof option !== 'object' || option === null || Array.isArray(option))
    throw new ValidationError('hotKeys must be true, false or { k, sampleRate }', { option: 'hotKeys' });
  const { k, sampleRate, ...rest } = option as HotKeysSettings & Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined)
    throw new ValidationError(`hotKeys accepts k and sampleRate, not ${extra}`, { option: 'hotKeys' });
  const settings: HotKeysSettings = {
    ...(k !== undefined && { k }),
    ...(sampleRate !== undefined && { sampleRate }),
  };
  new HotKeys(settings); // validates
  return settings;
}
