import { systemClock, type Clock } from '../core/clock.js';
import type { CacheStats } from '../core/types.js';
import { compilePattern } from '../core/pattern.js';
import { round2 } from '../core/statistics.js';
import { cloneSnapshotValue, freezeValue, type Snapshot } from '../core/values.js';
import type { EntryRead } from '../core/get-or-set.js';
import { TagIndex } from './tag-index.js';
import { createEntryMap, type EntryMap, type MemoryCachePolicy } from './memory-policy.js';
import type { DisposeReason } from './tinylfu/tinylfu-cache.js';

/** Library stats of an in-process tier (SPEC §3): an InMemoryCache, or the L1 of a Redis cache. */
export interface MemoryCacheStats extends CacheStats {
  totalEntries: number;
  activeEntries: number;
  maxSize: number;
  utilizationPercent: number;
  defaultTtl: number;
  evictions: number;
  expirations: number;
  /** Entries not kept because each alone was bigger than `maxBytes`. */
  rejections: number;
  memoryUsageBytes: number;
}

/** Why an entry left the store on its own: the policy's eviction, expiry, or too big to keep (`maxBytes`). */
export type EvictionReason = 'evict' | 'expire' | 'reject';

export interface MemoryStoreOptions {
  maxSize: number;
  /** What to evict when full (see `MemoryCachePolicy`). */
  policy: MemoryCachePolicy;
  /** A single entry above it is rejected; the total is bounded by it. */
  maxBytes?: number | undefined;
  /** Upper bound on any entry's lifetime in ms, 0 = none. */
  maxTtlMs: number;
  clock?: Clock | undefined;
  onEvict: (key: string, reason: EvictionReason) => void;
}

/**
 * The options of every read of the map. Without one, lru-cache's `get` allocates `{}` and adds a `status`
 * property to it on every call: in the in-memory get bench, a shared object took the get from 0.80x to
 * 0.84x an async lru-cache get (medians of 5 alternating processes). lru-cache writes back the `status` it
 * used (an object when its metrics channel has subscribers, holding the cache and the value): it is cleared
 * before each read, so each read gets its own, and after it, so none is kept.
 */
const READ_OPTIONS: { status?: undefined } = { status: undefined };

/** How a stored value is handed out: frozen at its first read, frozen already, or cloned on every read. */
const TO_FREEZE = 0;
const FROZEN = 1;
/** Holds containers that cannot be frozen (Map, Set, Date, Buffer), so each read gets its own copy. */
const CLONE_ON_READ = 2;

/**
 * Four fields, as few as the store needs: an entry's size lives in the map (lru-cache's `info`), not
 * twice; L1 memory per entry is a goal of issue 23.
 */
interface StoredEntry {
  value: unknown;
  /** TO_FREEZE, FROZEN or CLONE_ON_READ: a copy is frozen at its first read, not at its write (most writes are never read). */
  state: number;
  /** Clock time after which the entry is stale (kept only for getOrSet's grace); absent = fresh until TTL. */
  freshUntil: number | undefined;
  tags: readonly string[] | undefined;
}

/**
 * The in-process tier behind `InMemoryCache` and a Redis cache's L1: a bounded map with TTLs (`lru-cache`,
 * or `TinyLfuCache` for the `'tinylfu'` policy: the same API), a tag index, and the stats. Every read applies
 * one freshness rule (`#isStale`), so a grace copy (stale, kept for getOrSet only) is invisible to
 * `read`, `has`, `keys`, `ttlSeconds` and `size` alike. Keys and values arrive already checked and copied
 * (see `snapshotValue`): the public caches do that once.
 */
export class MemoryStore {
  readonly maxSize: number;
  /** lru-cache or TinyLfuCache, by policy. */
  readonly #entries: EntryMap<StoredEntry>;
  readonly #clock: Clock;
  readonly #maxTtlMs: number;
  readonly #maxBytes: number | undefined;
  readonly #onEvict: MemoryStoreOptions['onEvict'];
  /** Entries leave it when disposed for any reason (overwritten, deleted, evicted, expired). */
  readonly #tags = new TagIndex();
  /**
   * One options object for every write (neither map keeps it): the size is known (no size callback) and
   * `start` is the one clock reading of the write. (An exact reading: a cached one can be as old as the
   * running task, which would cut a TTL short.)
   */
  readonly #setOptions: { ttl: number; size: number; start: number; status?: undefined } = {
    ttl: 0,
    size: 1,
    start: 0,
    status: undefined,
  };
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expirations = 0;
  #rejections = 0;

  constructor(options: MemoryStoreOptions) {
    this.maxSize = options.maxSize;
    this.#clock = options.clock ?? systemClock;
    this.#maxTtlMs = options.maxTtlMs;
    this.#maxBytes = options.maxBytes;
    this.#onEvict = options.onEvict;
    this.#entries = createEntryMap<StoredEntry>({
      policy: options.policy,
      max: options.maxSize,
      maxSize: options.maxBytes,
      clock: this.#clock,
      // "Now" is cached for ttlResolution ms of real time; an injected clock must be read every time.
      ttlResolution: options.clock ? 0 : 1,
      dispose: (entry, key, reason) => this.#onDispose(entry, key, reason),
    });
  }

  /**
   * The fresh value, or `undefined`; refreshes recency. A hit is counted; a miss only with `countMiss`
   * (false when the caller's own `get` will count it).
   */
  read(key: string, countMiss = true): unknown {
    // #lookup's rule, written out: this is every get's path (issue 23, in-memory get).
    const entry = this.#use(key);
    if (entry === undefined || (entry.freshUntil !== undefined && this.#isStale(entry))) {
      if (countMiss) this.#misses++;
      return undefined;
    }
    this.#hits++;
    return entry.state === FROZEN ? entry.value : this.#valueOf(entry);
  }

  /** For getOrSet: the entry, fresh or stale inside its grace period (a stale one counts as a miss). */
  readEntry(key: string, counted = true): EntryRead | undefined {
    const entry = counted ? this.#lookup(key, true, true) : this.#use(key);
    return entry === undefined ? undefined : { value: this.#valueOf(entry), stale: this.#isStale(entry) };
  }

  /** Whether a fresh entry is there; keeps recency, counts nothing. */
  has(key: string): boolean {
    const entry = this.#entries.peek(key);
    return entry !== undefined && !this.#isStale(entry);
  }

  /**
   * Stores a checked copy. `ttlMs` 0 = no expiry (bounded by `maxTtlMs`); `freshMs` > 0 marks the entry
   * stale after that long (the rest of `ttlMs` is its grace period). An entry bigger than `maxBytes` on
   * its own is not kept: the key's previous value goes too (it was overwritten), the rejection is counted
   * and announced, and no tag is indexed for it.
   */
  write(key: string, snapshot: Snapshot, ttlMs: number, freshMs = 0, tags?: readonly string[]): void {
    if (this.#maxBytes !== undefined && Math.max(1, snapshot.bytes) > this.#maxBytes) {
      this.#entries.delete(key);
      this.#rejections++;
      this.#onEvict(key, 'reject');
      return;
    }
    if (this.#maxTtlMs > 0 && (ttlMs === 0 || ttlMs > this.#maxTtlMs)) {
      ttlMs = this.#maxTtlMs;
      if (freshMs >= ttlMs) freshMs = 0;
    }
    const now = this.#clock.now();
    const entry: StoredEntry = {
      value: snapshot.value,
      state: snapshot.special ? CLONE_ON_READ : snapshot.frozen ? FROZEN : TO_FREEZE,
      freshUntil: freshMs > 0 ? now + freshMs : undefined,
      tags,
    };
    const options = this.#setOptions;
    options.ttl = ttlMs;
    options.size = Math.max(1, snapshot.bytes);
    options.start = now;
    // lru-cache writes back its `status` (see READ_OPTIONS): each write gets its own, none is kept.
    options.status = undefined;
    this.#entries.set(key, entry, options);
    options.status = undefined;
    // After set: disposing the entry it replaced unindexes that entry's tags first.
    if (tags) this.#tags.add(key, tags);
  }

  /** True when the key was there (a grace copy included). */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Deletes the entries written with any of `tags`; returns how many. */
  deleteTagged(tags: readonly string[]): number {
    let removed = 0;
    for (const key of this.#tags.keysOf(tags)) if (this.#entries.delete(key)) removed++;
    return removed;
  }

  /** Deletes every key matching the pattern (SPEC §9 semantics, `''` = all); returns how many. */
  deleteMatching(pattern: string): number {
    if (pattern === '') return this.clear();
    const matches = compilePattern(pattern);
    let removed = 0;
    for (const key of [...this.#entries.keys()]) if (matches(key) && this.#entries.delete(key)) removed++;
    return removed;
  }

  /** Empties the store; returns how many entries it held. */
  clear(): number {
    const entries = this.#entries.size;
    this.#entries.clear();
    return entries;
  }

  /**
   * Live keys matching the pattern (fresh: grace copies are invisible): most recently used first under
   * `'lru'`; under `'tinylfu'` the admission window's, then protected's, then probation's, each newest first.
   */
  keys(pattern = ''): string[] {
    const matches = pattern === '' ? undefined : compilePattern(pattern);
    const keys: string[] = [];
    for (const [key, entry] of this.#entries.entries()) {
      if (!this.#isStale(entry) && (matches === undefined || matches(key))) keys.push(key);
    }
    return keys;
  }

  /** Seconds left before `key` stops being fresh; `undefined` when missing, stale, or never expiring. */
  ttlSeconds(key: string): number | undefined {
    const entry = this.#entries.peek(key);
    if (entry === undefined || this.#isStale(entry)) return undefined;
    const remaining =
      entry.freshUntil === undefined
        ? this.#entries.getRemainingTTL(key)
        : entry.freshUntil - this.#clock.now();
    return Number.isFinite(remaining) ? Math.ceil(remaining / 1000) : undefined;
  }

  /** An entry's metadata without reading its value or touching recency (`inspect`); undefined if absent. */
  describe(
    key: string,
  ): { stale: boolean; ttlSeconds: number | null; bytes: number; tags: string[] } | undefined {
    const entry = this.#entries.peek(key);
    if (entry === undefined) return undefined;
    const stale = this.#isStale(entry);
    return {
      stale,
      ttlSeconds: stale ? 0 : (this.ttlSeconds(key) ?? null),
      bytes: this.#entries.info(key)?.size ?? 0,
      tags: [...(entry.tags ?? [])],
    };
  }

  /** Live entries (expired ones are dropped first; grace copies are not counted). */
  get size(): number {
    this.#entries.purgeStale();
    return this.keys().length;
  }

  stats(defaultTtl: number): MemoryCacheStats {
    const activeEntries = this.keys().length;
    const lookups = this.#hits + this.#misses;
    return {
      totalEntries: this.#entries.size,
      activeEntries,
      maxSize: this.maxSize,
      utilizationPercent: round2((activeEntries / this.maxSize) * 100),
      defaultTtl,
      hits: this.#hits,
      misses: this.#misses,
      hitRate: lookups === 0 ? 0 : round2((this.#hits / lookups) * 100),
      evictions: this.#evictions,
      expirations: this.#expirations,
      rejections: this.#rejections,
      memoryUsageBytes: this.#entries.calculatedSize,
    };
  }

  /** The one read path: the entry when fresh (or stale, with `withStale`), counted as asked. */
  #lookup(key: string, countMiss: boolean, withStale: boolean): StoredEntry | undefined {
    const entry = this.#use(key);
    const fresh = entry !== undefined && (entry.freshUntil === undefined || !this.#isStale(entry));
    if (fresh) this.#hits++;
    else if (countMiss) this.#misses++;
    return fresh || withStale ? entry : undefined;
  }

  /** The entry, as a use of the key (recency), through the shared READ_OPTIONS. */
  #use(key: string): StoredEntry | undefined {
    READ_OPTIONS.status = undefined;
    const entry = this.#entries.get(key, READ_OPTIONS);
    READ_OPTIONS.status = undefined;
    return entry;
  }

  /** Past its TTL and kept only as a grace copy for getOrSet. */
  #isStale(entry: StoredEntry): boolean {
    return entry.freshUntil !== undefined && this.#clock.now() >= entry.freshUntil;
  }

  #valueOf(entry: StoredEntry): unknown {
    if (entry.state === FROZEN) return entry.value;
    if (entry.state === CLONE_ON_READ) return cloneSnapshotValue(entry.value);
    freezeValue(entry.value);
    entry.state = FROZEN;
    return entry.value;
  }

  #onDispose(entry: StoredEntry, key: string, reason: DisposeReason): void {
    if (entry.tags) this.#tags.remove(key, entry.tags);
    if (reason === 'evict') this.#evictions++;
    else if (reason === 'expire') this.#expirations++;
    else return;
    this.#onEvict(key, reason);
  }
}
