import type { Clock } from '../../core/clock.js';
import { coarseNow } from '../../core/coarse-clock.js';
import { FrequencySketch } from './frequency-sketch.js';
import { hashKey } from './key-hash.js';
import { NONE, SlotLists } from './slot-lists.js';

/** Why an entry left, or lost its value: lru-cache's reasons, so the store above treats both alike. */
export type DisposeReason = 'evict' | 'expire' | 'delete' | 'set';

export interface TinyLfuOptions<V> {
  /** Most entries held (at least 1). */
  max: number;
  /** Bound on the summed sizes; an entry bigger than it alone is refused. Undefined: none. */
  maxSize: number | undefined;
  /** An entry's size, for `maxSize` and `calculatedSize` (a positive number), when `set` is given none; default 1. */
  sizeCalculation?: ((value: V, key: string) => number) | undefined;
  clock: Clock;
  /** How old a cached clock reading may be for expiry checks, in ms (0: read the clock every time). */
  ttlResolution: number;
  /** Told of every entry that leaves, and of every value replaced by `set` (reason `'set'`). */
  dispose: (value: V, key: string, reason: DisposeReason) => void;
}

/** The three regions of W-TinyLFU (Einziger, Friedman, Manes 2017; Caffeine's layout), one list each. */
const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;

/** The admission window's share of the capacity: enough to catch bursts of new keys (recency). */
const WINDOW_SHARE = 0.01;
/** The protected segment's share of the main space: entries hit again since they were admitted. */
const PROTECTED_SHARE = 0.8;
/** Slots allocated at first; the arrays double from there up to the capacity. */
const INITIAL_SLOTS = 256;

/**
 * A bounded map with the W-TinyLFU eviction policy, offering the part of lru-cache's API that
 * `MemoryStore` uses (same names, same TTL and size rules, same dispose reasons), so the store picks
 * either by policy and nothing above it changes.
 *
 * New entries enter a small LRU window (1% of the capacity). When it overflows, its oldest entry becomes a
 * candidate for the main space, a segmented LRU (probation, and protected for entries hit again); if the
 * main space is full, the candidate takes the place of probation's oldest entry only if the frequency
 * sketch says it was used more often recently. A scan of one-off keys thus passes through the window
 * without pushing the hot set out, and a key used often survives a burst of new ones.
 *
 * Entries live in slots: parallel arrays indexed by a slot number (key, value, hash, size, expiry), the
 * region lists linking slots, freed slots reused. No object per entry.
 */
export class TinyLfuCache<V> {
  readonly #index = new Map<string, number>();
  readonly #keys: (string | undefined)[] = [];
  readonly #values: (V | undefined)[] = [];
  #hashes = new Int32Array(0);
  #sizes = new Float64Array(0);
  /** Clock time after which an entry is expired; 0 = never. */
  #expires = new Float64Array(0);
  readonly #free: number[] = [];
  #slots = 0;
  readonly #lists = new SlotLists(3, 0);
  readonly #sketch: FrequencySketch;
  readonly #max: number;
  readonly #maxSize: number;
  readonly #windowMax: number;
  readonly #windowMaxSize: number;
  readonly #protectedMax: number;
  readonly #protectedMaxSize: number;
  readonly #sizeOf: TinyLfuOptions<V>['sizeCalculation'];
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #dispose: TinyLfuOptions<V>['dispose'];
  /** Whether there is a `maxSize`: only then do the regions' summed sizes matter (and get kept). */
  readonly #bounded: boolean;
  /** Summed sizes: of all entries, of the window's, of protected's. */
  #size = 0;
  #windowSize = 0;
  #protectedSize = 0;

  constructor(options: TinyLfuOptions<V>) {
    const { max } = options;
    this.#max = max;
    this.#maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.#bounded = options.maxSize !== undefined;
    this.#windowMax = Math.max(1, Math.round(max * WINDOW_SHARE));
    this.#windowMaxSize = this.#maxSize * WINDOW_SHARE;
    this.#protectedMax = Math.floor((max - this.#windowMax) * PROTECTED_SHARE);
    this.#protectedMaxSize = this.#maxSize * (1 - WINDOW_SHARE) * PROTECTED_SHARE;
    this.#sketch = new FrequencySketch(max);
    this.#sizeOf = options.sizeCalculation;
    this.#clock = options.clock;
    this.#now = coarseNow(options.clock, options.ttlResolution);
    this.#dispose = options.dispose;
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#index.size;
  }

  /** The summed sizes of the entries held. */
  get calculatedSize(): number {
    return this.#size;
  }

  /** The value, or undefined (an expired entry is dropped); counts as a use of the key. */
  get(key: string): V | undefined {
    const slot = this.#index.get(key);
    if (slot === undefined) return undefined;
    const expires = this.#expires[slot]!;
    if (expires !== 0 && this.#now() > expires) {
      this.#discard(slot, 'expire');
      return undefined;
    }
    this.#onAccess(slot);
    return this.#values[slot];
  }

  /** The value, or undefined if missing or expired; no use is recorded. */
  peek(key: string): V | undefined {
    const slot = this.#index.get(key);
    return slot === undefined || this.#isExpired(slot, this.#now()) ? undefined : this.#values[slot];
  }

  /**
   * Stores a value for `ttl` ms (0 = no expiry). An entry bigger than `maxSize` alone is refused, and the
   * key's previous value leaves (reason `'set'`). The entry written is never the one evicted to make room.
   */
  set(key: string, value: V, options: { ttl?: number; size?: number; start?: number } = {}): this {
    const size = options.size ?? this.#sizeOf?.(value, key) ?? 1;
    let slot = this.#index.get(key);
    if (size > this.#maxSize) {
      if (slot !== undefined) this.#discard(slot, 'set');
      return this;
    }
    const ttl = options.ttl ?? 0;
    const expires = ttl > 0 ? (options.start ?? this.#clock.now()) + ttl : 0;
    if (slot === undefined) {
      slot = this.#allocate();
      this.#index.set(key, slot);
      this.#keys[slot] = key;
      this.#values[slot] = value;
      this.#hashes[slot] = hashKey(key);
      this.#sizes[slot] = size;
      this.#expires[slot] = expires;
      this.#lists.pushFirst(WINDOW, slot);
      this.#size += size;
      this.#account(slot, 1);
      this.#sketch.increment(this.#hashes[slot]!);
    } else {
      const old = this.#values[slot];
      if (old !== value) this.#dispose(old as V, key, 'set');
      this.#values[slot] = value;
      this.#expires[slot] = expires;
      this.#resize(slot, size);
      this.#onAccess(slot);
    }
    this.#evictFromMain(slot, this.#evictFromWindow(slot));
    return this;
  }

  /** True when the key was there (expired or not). */
  delete(key: string): boolean {
    const slot = this.#index.get(key);
    if (slot === undefined) return false;
    this.#discard(slot, 'delete');
    return true;
  }

  /** Drops every entry (reason `'delete'`); what the sketch learnt of the keys' popularity stays. */
  clear(): void {
    const entries = [...this.#index.values()].map(
      (slot) => [this.#keys[slot]!, this.#values[slot] as V] as const,
    );
    this.#index.clear();
    this.#keys.length = 0;
    this.#values.length = 0;
    this.#free.length = 0;
    this.#slots = 0;
    this.#lists.clear();
    this.#size = this.#windowSize = this.#protectedSize = 0;
    for (const [key, value] of entries) this.#dispose(value, key, 'delete');
  }

  /** Unexpired entries: the window's most recent first, then protected's, then probation's. */
  *entries(): Generator<[string, V]> {
    const now = this.#now();
    for (const list of [WINDOW, PROTECTED, PROBATION])
      for (const slot of this.#lists.slots(list))
        if (!this.#isExpired(slot, now)) yield [this.#keys[slot]!, this.#values[slot] as V];
  }

  /** Unexpired keys, in the order of `entries()`. */
  *keys(): Generator<string> {
    for (const [key] of this.entries()) yield key;
  }

  /** The entry's value and size (lru-cache's `info`), expired or not; undefined when absent. */
  info(key: string): { value: V; size: number } | undefined {
    const slot = this.#index.get(key);
    return slot === undefined ? undefined : { value: this.#values[slot] as V, size: this.#sizes[slot]! };
  }

  /** Ms left before the entry expires: Infinity without expiry, 0 when missing. */
  getRemainingTTL(key: string): number {
    const slot = this.#index.get(key);
    if (slot === undefined) return 0;
    const expires = this.#expires[slot]!;
    return expires === 0 ? Number.POSITIVE_INFINITY : expires - this.#now();
  }

  /** Drops every expired entry (reason `'expire'`); true when there was one. */
  purgeStale(): boolean {
    const now = this.#now();
    const expired = [...this.#index.values()].filter((slot) => this.#isExpired(slot, now));
    for (const slot of expired) this.#discard(slot, 'expire');
    return expired.length > 0;
  }

  #isExpired(slot: number, now: number): boolean {
    const expires = this.#expires[slot]!;
    return expires !== 0 && now > expires;
  }

  /** A use of a cached key: counted in the sketch; promoted from probation to protected, else made recent. */
  #onAccess(slot: number): void {
    this.#sketch.increment(this.#hashes[slot]!, true);
    const lists = this.#lists;
    if (lists.listOf(slot) !== PROBATION) {
      lists.moveToFront(slot, lists.listOf(slot));
      return;
    }
    this.#move(slot, PROTECTED);
    // Protected overflows into probation, oldest first, where its entries compete again.
    while (
      (lists.size(PROTECTED) > this.#protectedMax || this.#protectedSize > this.#protectedMaxSize) &&
      lists.last(PROTECTED) !== slot
    )
      this.#move(lists.last(PROTECTED), PROBATION);
  }

  /** Moves the window's overflow, oldest first, to probation; returns the first moved (oldest candidate). */
  #evictFromWindow(written: number): number {
    const lists = this.#lists;
    let first = NONE;
    while (lists.size(WINDOW) > this.#windowMax || this.#windowSize > this.#windowMaxSize) {
      const oldest = lists.last(WINDOW);
      if (oldest === written) break;
      this.#move(oldest, PROBATION);
      if (first === NONE) first = oldest;
    }
    return first;
  }

  /**
   * While over a bound, the less used of the oldest candidate (an entry just moved from the window) and
   * the victim (probation's oldest) leaves; the other stays and faces the next one. Without candidates the
   * victims go; without victims in probation, protected's then the window's oldest. This is Caffeine's
   * `evictFromMain`, which also covers entries of different sizes under `maxSize`.
   */
  #evictFromMain(written: number, firstCandidate: number): void {
    const lists = this.#lists;
    let candidate = firstCandidate;
    let candidates = PROBATION;
    let victim = lists.last(PROBATION);
    let victims = PROBATION;
    while (this.#index.size > this.#max || this.#size > this.#maxSize) {
      if (candidate === NONE && candidates === PROBATION) {
        candidate = lists.last(WINDOW);
        candidates = WINDOW;
      }
      if (candidate === written) candidate = NONE;
      if (victim === written) victim = lists.newer(written);
      if (candidate === NONE && victim === NONE) {
        if (victims === WINDOW) return; // only the entry written is left
        victims = victims === PROBATION ? PROTECTED : WINDOW;
        victim = lists.last(victims);
        continue;
      }
      // Both walk towards the more recent end, each step taken before an eviction unlinks the slot.
      let evicted: number;
      if (candidate === victim) {
        // They met: probation holds only candidates from here on; the window's oldest is the next.
        evicted = candidate;
        victim = lists.newer(evicted);
        candidate = NONE;
      } else if (victim === NONE) {
        evicted = candidate;
        candidate = lists.newer(evicted);
      } else if (candidate === NONE || this.#admits(candidate, victim)) {
        evicted = victim;
        victim = lists.newer(evicted);
        if (candidate !== NONE) candidate = lists.newer(candidate);
      } else {
        evicted = candidate;
        candidate = lists.newer(evicted);
      }
      this.#discard(evicted, 'evict');
    }
  }

  /** TinyLFU's admission: whether the candidate deserves the victim's place (an expired entry never does). */
  #admits(candidate: number, victim: number): boolean {
    if (this.#expires[candidate] !== 0 || this.#expires[victim] !== 0) {
      const now = this.#now();
      if (this.#isExpired(victim, now)) return true;
      if (this.#isExpired(candidate, now)) return false;
    }
    // Ties go to the victim: a newcomer must prove itself more popular than what it would replace.
    return this.#sketch.frequency(this.#hashes[candidate]!) > this.#sketch.frequency(this.#hashes[victim]!);
  }

  /** A free slot, the arrays doubled when all are taken (up to the capacity, plus the one being written). */
  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    const slot = this.#slots++;
    if (slot === this.#lists.capacity) {
      const capacity = Math.min(Math.max(INITIAL_SLOTS, slot * 2), this.#max + 1);
      this.#lists.grow(capacity);
      this.#hashes = grown(this.#hashes, new Int32Array(capacity));
      this.#sizes = grown(this.#sizes, new Float64Array(capacity));
      this.#expires = grown(this.#expires, new Float64Array(capacity));
    }
    return slot;
  }

  #resize(slot: number, size: number): void {
    const change = size - this.#sizes[slot]!;
    this.#sizes[slot] = size;
    this.#size += change;
    if (!this.#bounded) return;
    const list = this.#lists.listOf(slot);
    if (list === WINDOW) this.#windowSize += change;
    else if (list === PROTECTED) this.#protectedSize += change;
  }

  /** Moves an entry to the front of another region, keeping the regions' summed sizes. */
  #move(slot: number, list: number): void {
    this.#account(slot, -1);
    this.#lists.moveToFront(slot, list);
    this.#account(slot, 1);
  }

  /** Adds (`sign` 1) or takes away (-1) an entry's size from its region's sum (kept with `maxSize` only). */
  #account(slot: number, sign: number): void {
    if (!this.#bounded) return;
    const list = this.#lists.listOf(slot);
    if (list === WINDOW) this.#windowSize += sign * this.#sizes[slot]!;
    else if (list === PROTECTED) this.#protectedSize += sign * this.#sizes[slot]!;
  }

  #discard(slot: number, reason: DisposeReason): void {
    const key = this.#keys[slot]!;
    const value = this.#values[slot] as V;
    this.#account(slot, -1);
    this.#lists.remove(slot);
    this.#index.delete(key);
    this.#size -= this.#sizes[slot]!;
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#free.push(slot);
    this.#dispose(value, key, reason);
  }
}

function grown<A extends Int32Array | Float64Array>(from: A, to: A): A {
  to.set(from);
  return to;
}
