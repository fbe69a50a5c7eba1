import { round2 } from '../core/statistics.js';
import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { CacheEventEmitter, type CacheEventListener, type CacheEventName } from '../core/events.js';
import { assertPattern, compilePattern } from '../core/pattern.js';
import { SingleFlight } from '../core/single-flight.js';
import { FillFence } from '../core/fill-fence.js';
import { GraceBackoff } from '../core/grace-backoff.js';
import { getOrSet, type EntryRead, type GetOrSetHost } from '../core/get-or-set.js';
import { TtlPolicy, assertTags, type WritePlan } from '../core/write-plan.js';
import { TRACING_CHANNELS, traced } from '../core/tracing.js';
import type {
  CacheEntry,
  CacheInterface,
  CacheStats,
  GetOrSetFactory,
  GetOrSetOptions,
  SetOptions,
} from '../core/types.js';
import {
  assertKey,
  assertKeys,
  cloneSnapshotValue,
  resolveEntries,
  snapshotValue,
  type Snapshot,
} from '../core/values.js';
import { hrtimeMs } from '../core/options.js';
import { TagIndex } from './tag-index.js';
import { resolveMemoryCacheOptions, type InMemoryCacheOptions } from './memory-options.js';

export { IN_MEMORY_CACHE_DEFAULTS, type InMemoryCacheOptions } from './memory-options.js';

/** Library stats of an InMemoryCache (SPEC §3). */
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

interface StoredEntry {
  value: unknown;
  /** Holds containers that cannot be frozen, so each read gets its own copy. */
  cloneOnRead: boolean;
  bytes: number;
  /** Clock time after which the entry is stale (kept only for getOrSet's grace); absent = fresh until TTL. */
  freshUntil: number | undefined;
  tags: readonly string[] | undefined;
}

/** In-process LRU + TTL cache on `lru-cache`. Values are copied and frozen on write, shared on read. */
export class InMemoryCache implements CacheInterface {
  /** Maximum number of entries. */
  readonly maxSize: number;
  /** TTL in seconds applied when `set` is given none. */
  readonly defaultTtl: number;
  readonly #lru: LRUCache<string, StoredEntry>;
  readonly #events: CacheEventEmitter;
  readonly #clock: Clock;
  /** `maxTtl` in milliseconds, 0 = none. */
  readonly #maxTtlMs: number;
  /** `maxBytes`, when set: a single entry above it is rejected. */
  readonly #maxBytes: number | undefined;
  readonly #policy: TtlPolicy;
  readonly #getOrSetHost: GetOrSetHost;
  readonly #flights = new SingleFlight();
  /** Fills in flight, revoked by the writes and invalidations that overtake them. */
  readonly #fence = new FillFence((key) => this.#flights.forget(key));
  /** Entries leave it when disposed for any reason (overwritten, deleted, evicted, expired). */
  readonly #tags = new TagIndex();
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expirations = 0;
  #rejections = 0;

  constructor(options: InMemoryCacheOptions = {}) {
    const o = resolveMemoryCacheOptions(options);
    this.maxSize = o.maxSize;
    this.defaultTtl = o.defaultTtl;
    const logger = o.logger;
    this.#clock = o.clock ?? systemClock;
    this.#maxTtlMs = o.maxTtlMs;
    this.#maxBytes = o.maxBytes;
    this.#policy = new TtlPolicy(this.defaultTtl, o.ttlJitter, o.random);
    this.#getOrSetHost = {
      ttlPolicy: this.#policy,
      flights: this.#flights,
      fence: this.#fence,
      backoff: new GraceBackoff(() => this.#clock.now()),
      logger,
      lock: undefined,
      peekFresh: (key) => this.getIfPresent(key),
      readEntry: async (key) => this.#readEntryAnnounced(key),
      store: async (key, value, plan) => {
        await this.#store(key, snapshotValue(value), plan);
        return true;
      },
    };
    this.#events = new CacheEventEmitter((error, event) =>
      logger.warn({ event, err: error }, 'a cache event listener threw; it is reported once and ignored'),
    );
    this.#lru = new LRUCache<string, StoredEntry>({
      max: o.maxSize,
      ...(o.maxBytes === undefined ? { maxEntrySize: Number.MAX_SAFE_INTEGER } : { maxSize: o.maxBytes }),
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
      perf: this.#clock,
      // lru-cache caches "now" for ttlResolution ms of real time; an injected clock must be read every time.
      ttlResolution: o.clock ? 0 : 1,
      dispose: (entry, key, reason) => this.#onDispose(entry, key, reason),
    });
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    // The hot path of the library: no closure and no tracing frame unless a tracer listens.
    if (TRACING_CHANNELS.get.hasSubscribers)
      return traced('get', 'memory', key, async () => this.#get<T>(key));
    try {
      return Promise.resolve(this.#get<T>(key));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #get<T>(key: string): T | undefined {
    if (!this.#events.has('operation')) return this.getSync<T>(key);
    const started = this.#events.sampleGet();
    const value = this.getSync<T>(key);
    this.#events.get('memory', value === undefined ? 'miss' : 'hit', started);
    return value;
  }

  /**
   * The value when present, synchronously, counted and announced as a get hit; otherwise `undefined` with
   * nothing counted (then call `get`). Steps aside while a tracer listens, so traced gets stay complete.
   */
  peek<T = unknown>(key: string): T | undefined {
    if (TRACING_CHANNELS.get.hasSubscribers) return undefined;
    const announce = this.#events.has('operation');
    const started = announce ? this.#events.sampleGet() : 0;
    const value = this.getIfPresent<T>(key);
    if (announce && value !== undefined) this.#events.get('memory', 'hit', started);
    return value;
  }

  /** Synchronous lookup that counts a hit but leaves a miss uncounted (the caller's own get counts it). */
  getIfPresent<T = unknown>(key: string): T | undefined {
    assertKey(key);
    const entry = this.#lru.get(key);
    if (entry === undefined || (entry.freshUntil !== undefined && this.#isStale(entry))) return undefined;
    this.#hits++;
    return this.#read(entry) as T;
  }

  /** Synchronous `get` (counted in stats, not announced): for tiers that compose this cache. */
  getSync<T = unknown>(key: string): T | undefined {
    assertKey(key);
    const entry = this.#lru.get(key);
    if (entry === undefined || (entry.freshUntil !== undefined && this.#isStale(entry))) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return this.#read(entry) as T;
  }

  /** The entry for `getOrSet`: fresh, or stale inside its grace period; counted as a get. */
  readEntrySync(key: string): EntryRead | undefined {
    assertKey(key);
    const entry = this.#lru.get(key);
    const stale = entry?.freshUntil !== undefined && this.#isStale(entry);
    if (entry === undefined || stale) this.#misses++;
    else this.#hits++;
    return entry === undefined ? undefined : { value: this.#read(entry), stale };
  }

  /** getOrSet's read, announced as a get (a stale entry is a miss for plain reads). */
  #readEntryAnnounced(key: string): EntryRead | undefined {
    if (!this.#events.has('operation')) return this.readEntrySync(key);
    const started = this.#events.sampleGet();
    const entry = this.readEntrySync(key);
    this.#events.get('memory', entry === undefined || entry.stale ? 'miss' : 'hit', started);
    return entry;
  }

  /** Synchronous `exists`: a fresh entry only (a grace copy is invisible, as to `get`); keeps recency. */
  existsSync(key: string): boolean {
    assertKey(key);
    const entry = this.#lru.peek(key);
    return entry !== undefined && !this.#isStaleEntry(entry);
  }

  /** Synchronous `delete`: true when the key existed. */
  deleteSync(key: string): boolean {
    assertKey(key);
    return this.#lru.delete(key);
  }

  set(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<void> {
    return traced('set', 'memory', key, async () => {
      assertKey(key);
      const plan = this.#policy.plan(ttl);
      const started = this.#events.startTimer();
      this.setSnapshot(key, snapshotValue(value), plan.ttlMs, plan.freshMs, plan.tags);
      this.#fence.revokeKey(key);
      if (started) this.#events.operation('set', 'memory', 'success', started);
    });
  }

  async #store(key: string, snapshot: Snapshot, plan: WritePlan): Promise<void> {
    const started = this.#events.startTimer();
    this.setSnapshot(key, snapshot, plan.ttlMs, plan.freshMs, plan.tags);
    if (started) this.#events.operation('set', 'memory', 'success', started);
  }

  /**
   * Stores a value already checked and copied by `snapshotValue` (used by tiers that validate once for
   * several stores). `ttlMs` is milliseconds, `0` for no expiry; `freshMs` > 0 marks the entry stale after
   * that long (the rest of `ttlMs` is its grace period).
   */
  setSnapshot(key: string, snapshot: Snapshot, ttlMs: number, freshMs = 0, tags?: readonly string[]): void {
    if (this.#maxBytes !== undefined && Math.max(1, snapshot.bytes) > this.#maxBytes) {
      this.#reject(key);
      return;
    }
    if (this.#maxTtlMs > 0 && (ttlMs === 0 || ttlMs > this.#maxTtlMs)) {
      ttlMs = this.#maxTtlMs;
      if (freshMs >= ttlMs) freshMs = 0;
    }
    const entry: StoredEntry = {
      value: snapshot.value,
      cloneOnRead: snapshot.special,
      bytes: snapshot.bytes,
      freshUntil: freshMs > 0 ? this.#clock.now() + freshMs : undefined,
      tags,
    };
    this.#lru.set(key, entry, { ttl: ttlMs });
    // After set: disposing the entry it replaced unindexes that entry's tags first.
    if (tags) this.#tags.add(key, tags);
  }

  delete(key: string): Promise<boolean> {
    return traced('delete', 'memory', key, async () => {
      const started = this.#events.startTimer();
      const existed = this.deleteSync(key);
      this.#fence.revokeKey(key);
      if (started) this.#events.operation('delete', 'memory', existed ? 'success' : 'miss', started);
      return existed;
    });
  }

  exists(key: string): Promise<boolean> {
    return traced('exists', 'memory', key, async () => {
      const started = this.#events.startTimer();
      const found = this.existsSync(key);
      if (started) this.#events.operation('exists', 'memory', found ? 'hit' : 'miss', started);
      return found;
    });
  }

  clear(): Promise<void> {
    return traced('clear', 'memory', undefined, async () => {
      const started = hrtimeMs();
      const entries = this.#lru.size;
      this.#lru.clear();
      this.#fence.revokeAll();
      this.#events.invalidation('clear', '', entries, started);
    });
  }

  getMany<T = unknown>(keys: string[]): Promise<(T | undefined)[]> {
    return traced('getMany', 'memory', undefined, async () => {
      assertKeys(keys);
      const started = this.#events.startTimer();
      const values = keys.map((key) => this.getSync<T>(key));
      if (started) this.#events.operation('getMany', 'memory', 'success', started, keys.length);
      return values;
    });
  }

  setMany(entries: CacheEntry[]): Promise<void> {
    return traced('setMany', 'memory', undefined, async () => {
      const resolved = resolveEntries(entries, this.#policy).map((e) => ({
        ...e,
        snapshot: snapshotValue(e.value),
      }));
      const started = this.#events.startTimer();
      for (const { key, snapshot, plan } of resolved) {
        this.setSnapshot(key, snapshot, plan.ttlMs, plan.freshMs, plan.tags);
      }
      this.#fence.revokeKeys(resolved.map((e) => e.key));
      if (started) this.#events.operation('setMany', 'memory', 'success', started, resolved.length);
    });
  }

  deleteMany(keys: string[]): Promise<number> {
    return traced('deleteMany', 'memory', undefined, async () => {
      assertKeys(keys);
      const started = this.#events.startTimer();
      let deleted = 0;
      for (const key of keys) if (this.#lru.delete(key)) deleted++;
      this.#fence.revokeKeys(keys);
      if (started) this.#events.operation('deleteMany', 'memory', 'success', started, keys.length);
      return deleted;
    });
  }

  getOrSet<T>(key: string, factory: GetOrSetFactory<T>, options?: Duration | GetOrSetOptions): Promise<T> {
    return getOrSet(this.#getOrSetHost, key, factory, options);
  }

  invalidateTags(tags: string[]): Promise<number> {
    return traced('invalidateTags', 'memory', undefined, async () => {
      const started = hrtimeMs();
      const removed = this.deleteTagged(tags);
      this.#fence.revokeTags(tags);
      this.#events.invalidation('tags', tags.join(','), removed, started);
      return removed;
    });
  }

  /** Deletes the entries written with any of `tags`, without emitting an event; returns how many. */
  deleteTagged(tags: string[]): number {
    assertTags(tags);
    let removed = 0;
    for (const key of this.#tags.keysOf(tags)) if (this.#lru.delete(key)) removed++;
    return removed;
  }

  invalidatePattern(pattern: string, operationContext?: string): Promise<number> {
    return traced('invalidatePattern', 'memory', undefined, async () => {
      assertPattern(pattern);
      const started = hrtimeMs();
      const removed = this.deleteMatching(pattern);
      this.#fence.revokeMatching(compilePattern(pattern));
      this.#events.invalidation('pattern', pattern, removed, started, operationContext);
      return removed;
    });
  }

  /** Live keys matching the pattern (SPEC §9 semantics), one at a time. */
  async *scanKeys(pattern = ''): AsyncGenerator<string> {
    assertPattern(pattern);
    const matches = compilePattern(pattern);
    for (const key of this.keys()) if (matches(key)) yield key;
  }

  /** How many live keys match the pattern (an invalidation's dry run). */
  async countMatching(pattern: string): Promise<number> {
    assertPattern(pattern);
    const matches = compilePattern(pattern);
    return this.keys().filter(matches).length;
  }

  /** Deletes every live key matching the pattern (SPEC §9 semantics) without emitting an event. */
  deleteMatching(pattern: string): number {
    const matches = compilePattern(pattern);
    let removed = 0;
    for (const key of [...this.#lru.keys()]) {
      if (matches(key) && this.#lru.delete(key)) removed++;
    }
    return removed;
  }

  /**
   * Seconds left before `key` stops being fresh; `undefined` when it is missing, past its TTL (a grace
   * copy kept only for getOrSet), or never expires.
   */
  getTtl(key: string): number | undefined {
    assertKey(key);
    const entry = this.#lru.peek(key);
    if (entry === undefined || this.#isStaleEntry(entry)) return undefined;
    const remaining =
      entry.freshUntil === undefined ? this.#lru.getRemainingTTL(key) : entry.freshUntil - this.#clock.now();
    return Number.isFinite(remaining) ? Math.ceil(remaining / 1000) : undefined;
  }

  /** Live keys (fresh: grace copies are invisible, as to `get`), most recently used first. */
  keys(): string[] {
    const keys: string[] = [];
    for (const [key, entry] of this.#lru.entries()) if (!this.#isStaleEntry(entry)) keys.push(key);
    return keys;
  }

  /** Number of live entries (expired ones are dropped first; grace copies are not counted). */
  get size(): number {
    this.#lru.purgeStale();
    return this.keys().length;
  }

  async getStats(): Promise<MemoryCacheStats> {
    return this.getStatsSync();
  }

  /** The same figures as `getStats()`, synchronously. */
  getStatsSync(): MemoryCacheStats {
    const totalEntries = this.#lru.size;
    const activeEntries = this.keys().length;
    const lookups = this.#hits + this.#misses;
    return {
      totalEntries,
      activeEntries,
      maxSize: this.maxSize,
      utilizationPercent: round2((activeEntries / this.maxSize) * 100),
      defaultTtl: this.defaultTtl,
      hits: this.#hits,
      misses: this.#misses,
      hitRate: lookups === 0 ? 0 : round2((this.#hits / lookups) * 100),
      evictions: this.#evictions,
      expirations: this.#expirations,
      rejections: this.#rejections,
      memoryUsageBytes: this.#lru.calculatedSize,
    };
  }

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    return this.#events.on(event, listener);
  }

  /** Announces the untimed gets counted so far (see `OperationEvent.count`); monitors call it before reading. */
  flushEvents(): void {
    this.#events.flush();
  }

  async close(): Promise<void> {
    this.#lru.clear();
    this.#tags.clear();
    this.#events.emit('close', {});
  }

  #isStale(entry: StoredEntry): boolean {
    return this.#clock.now() >= (entry.freshUntil as number);
  }

  /** Past its TTL and kept only as a grace copy for getOrSet. */
  #isStaleEntry(entry: StoredEntry): boolean {
    return entry.freshUntil !== undefined && this.#isStale(entry);
  }

  #read(entry: StoredEntry): unknown {
    return entry.cloneOnRead ? cloneSnapshotValue(entry.value) : entry.value;
  }

  /**
   * An entry bigger than `maxBytes` on its own is not kept: the key's previous value goes too (it was
   * overwritten), the rejection is counted and announced, and no tag is indexed for it.
   */
  #reject(key: string): void {
    this.#lru.delete(key);
    this.#rejections++;
    if (this.#events.has('evict')) this.#events.emit('evict', { key, tier: 'memory', reason: 'reject' });
  }

  #onDispose(entry: StoredEntry, key: string, reason: LRUCache.DisposeReason): void {
    if (entry.tags) this.#tags.remove(key, entry.tags);
    if (reason !== 'evict' && reason !== 'expire') return;
    if (reason === 'evict') this.#evictions++;
    else this.#expirations++;
    if (this.#events.has('evict')) this.#events.emit('evict', { key, tier: 'memory', reason });
  }
}
