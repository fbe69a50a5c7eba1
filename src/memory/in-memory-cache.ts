import { systemClock } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { CacheEventEmitter, type CacheEventListener, type CacheEventName } from '../core/events.js';
import { assertPattern, compilePattern } from '../core/pattern.js';
import { SingleFlight } from '../core/single-flight.js';
import { FillFence } from '../core/fill-fence.js';
import { GraceBackoff } from '../core/grace-backoff.js';
import { getOrSet, type EntryRead, type GetOrSetHost } from '../core/get-or-set.js';
import { TtlPolicy, assertTags, type WritePlan } from '../core/write-plan.js';
import { TRACING_CHANNELS, traced } from '../core/tracing.js';
import {
  PEEK,
  type HotKeysCache,
  type InspectableCache,
  type KeyInspection,
  type KeyListingCache,
  type PeekableCache,
} from '../core/capabilities.js';
import { HotKeys, type HotKey } from '../core/hot-keys.js';
import type {
  CacheEntry,
  CacheInterface,
  GetOrSetFactory,
  GetOrSetOptions,
  SetOptions,
} from '../core/types.js';
import { assertKey, assertKeys, resolveEntries, snapshotValue, type Snapshot } from '../core/values.js';
import { hrtimeMs } from '../core/options.js';
import type { Logger } from '../core/logger.js';
import { callbackListener, type CacheCallbacks, type CallbackEvent } from '../core/callbacks.js';
import { MemoryStore, type MemoryCacheStats } from './memory-store.js';
import { resolveMemoryCacheOptions, type InMemoryCacheOptions } from './memory-options.js';
import type { MemoryCachePolicy } from './memory-policy.js';

export { IN_MEMORY_CACHE_DEFAULTS, type InMemoryCacheOptions } from './memory-options.js';

export type { MemoryCacheStats } from './memory-store.js';
export type { MemoryCachePolicy } from './memory-policy.js';

/** One settled promise for every synchronous write: nothing to allocate per call. */
const RESOLVED: Promise<void> = Promise.resolve();
/**
 * In-process cache with TTLs, evicting by `policy` (LRU or W-TinyLFU): a thin public cache over
 * `MemoryStore`. Values are copied and frozen on write, shared on read.
 */
export class InMemoryCache
  implements CacheInterface, PeekableCache, KeyListingCache, HotKeysCache, InspectableCache
{
  /** Maximum number of entries. */
  readonly maxSize: number;
  /** TTL in seconds applied when `set` is given none. */
  readonly defaultTtl: number;
  /** What is evicted when full (see `MemoryCachePolicy`). */
  readonly policy: MemoryCachePolicy;
  readonly #store: MemoryStore;
  /** The most read keys (sampled), when `hotKeys` is on. */
  readonly #hotKeys: HotKeys | undefined;
  readonly #events: CacheEventEmitter;
  readonly #logger: Logger;
  readonly #policy: TtlPolicy;
  readonly #getOrSetHost: GetOrSetHost;
  readonly #flights = new SingleFlight();
  /** Fills in flight, revoked by the writes and invalidations that overtake them. */
  readonly #fence = new FillFence((key) => this.#flights.forget(key));

  constructor(options: InMemoryCacheOptions = {}) {
    const o = resolveMemoryCacheOptions(options);
    this.maxSize = o.maxSize;
    this.defaultTtl = o.defaultTtl;
    this.policy = o.policy;
    const logger = o.logger;
    this.#logger = logger;
    const clock = o.clock ?? systemClock;
    this.#policy = new TtlPolicy(this.defaultTtl, o.ttlJitter, o.random);
    this.#hotKeys = o.hotKeys && new HotKeys(o.hotKeys);
    this.#events = new CacheEventEmitter((error, event) =>
      logger.warn({ event, err: error }, 'a cache event listener threw; it is reported once and ignored'),
    );
    this.#store = new MemoryStore({
      maxSize: o.maxSize,
      policy: o.policy,
      maxBytes: o.maxBytes,
      maxTtlMs: o.maxTtlMs,
      clock: o.clock,
      onEvict: (key, reason) => {
        if (this.#events.has('evict')) this.#events.emit('evict', { key, tier: 'memory', reason });
      },
    });
    this.#getOrSetHost = {
      ttlPolicy: this.#policy,
      flights: this.#flights,
      fence: this.#fence,
      backoff: new GraceBackoff(() => clock.now()),
      logger,
      events: this.#events,
      lock: undefined,
      // Through PEEK, so a getOrSet hit is counted, announced and seen by hot keys like a get.
      peekFresh: (key) => this[PEEK](key),
      readEntry: async (key, counted) => this.#readEntry(key, counted),
      store: async (key, value, plan) => {
        this.#write(key, snapshotValue(value), plan);
        return true;
      },
    };
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    // The hot path of the library: no closure and no tracing frame unless a tracer listens. An async
    // function, not Promise.resolve in a try: V8 makes its promise cheaper, and a bad key rejects by itself.
    if (TRACING_CHANNELS.get.hasSubscribers)
      return traced('get', 'memory', key, async () => this.#get<T>(key));
    return this.#get<T>(key);
  }

  #get<T>(key: string): T | undefined {
    assertKey(key);
    this.#hotKeys?.record(key);
    // Nobody listens to gets (the usual case): nothing to time or announce.
    if (!this.#events.watchingGets) return this.#store.read(key) as T | undefined;
    const announce = this.#events.watchingOperations;
    const started = announce ? this.#events.sampleGet() : 0;
    const value = this.#store.read(key) as T | undefined;
    if (announce) this.#events.get('memory', value === undefined ? 'miss' : 'hit', started);
    if (this.#events.watchingEntries)
      this.#events.emit(
        'entry',
        value === undefined ? { action: 'miss', key } : { action: 'hit', key, value },
      );
    return value;
  }

  /**
   * The value when present, synchronously, counted and announced as a get hit; otherwise `undefined` with
   * nothing counted (then call `get`). Steps aside while a tracer listens, so traced gets stay complete.
   */
  [PEEK]<T = unknown>(key: string): T | undefined {
    if (TRACING_CHANNELS.get.hasSubscribers) return undefined;
    assertKey(key);
    this.#hotKeys?.record(key);
    const announce = this.#events.watchingOperations;
    const started = announce ? this.#events.sampleGet() : 0;
    const value = this.#store.read(key, false) as T | undefined;
    if (value === undefined) return undefined;
    if (announce) this.#events.get('memory', 'hit', started);
    if (this.#events.watchingEntries) this.#events.emit('entry', { action: 'hit', key, value });
    return value;
  }

  /** getOrSet's read, announced as a get when `counted` (a stale entry is a miss for plain reads). */
  #readEntry(key: string, counted = true): EntryRead | undefined {
    assertKey(key);
    if (!counted) return this.#store.readEntry(key, false);
    const started = this.#events.watchingOperations ? this.#events.sampleGet() : -1;
    const entry = this.#store.readEntry(key);
    const fresh = entry !== undefined && !entry.stale;
    if (started >= 0) this.#events.get('memory', fresh ? 'hit' : 'miss', started);
    if (this.#events.watchingEntries)
      this.#events.emit(
        'entry',
        fresh ? { action: 'hit', key, value: entry.value } : { action: 'miss', key },
      );
    return entry;
  }

  set(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<void> {
    // No closure and no async frame unless a tracer listens (issue 23, fast writes).
    if (TRACING_CHANNELS.set.hasSubscribers)
      return traced('set', 'memory', key, async () => this.#set(key, value, ttl));
    try {
      this.#set(key, value, ttl);
      return RESOLVED;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #set(key: string, value: unknown, ttl: Duration | SetOptions | undefined): void {
    assertKey(key);
    const plan = this.#policy.plan(ttl);
    this.#write(key, snapshotValue(value), plan);
    this.#fence.revokeKey(key);
    if (this.#events.watchingEntries) this.#events.emit('entry', { action: 'set', key, value });
  }

  #write(key: string, snapshot: Snapshot, plan: WritePlan): void {
    const started = this.#events.startTimer();
    this.#store.write(key, snapshot, plan.ttlMs, plan.freshMs, plan.tags);
    if (started) this.#events.operation('set', 'memory', 'success', started);
  }

  delete(key: string): Promise<boolean> {
    return traced('delete', 'memory', key, async () => {
      assertKey(key);
      const started = this.#events.startTimer();
      const existed = this.#store.delete(key);
      this.#fence.revokeKey(key);
      if (started) this.#events.operation('delete', 'memory', existed ? 'success' : 'miss', started);
      if (existed && this.#events.watchingEntries) this.#events.emit('entry', { action: 'delete', key });
      return existed;
    });
  }

  /** Whether a fresh entry is there (a grace copy is invisible, as to `get`). */
  exists(key: string): Promise<boolean> {
    return traced('exists', 'memory', key, async () => {
      assertKey(key);
      const started = this.#events.startTimer();
      const found = this.#store.has(key);
      if (started) this.#events.operation('exists', 'memory', found ? 'hit' : 'miss', started);
      return found;
    });
  }

  clear(): Promise<void> {
    return traced('clear', 'memory', undefined, async () => {
      const started = hrtimeMs();
      const entries = this.#store.clear();
      this.#fence.revokeAll();
      this.#events.invalidation('clear', '', entries, started);
    });
  }

  getMany<T = unknown>(keys: string[]): Promise<(T | undefined)[]> {
    return traced('getMany', 'memory', undefined, async () => {
      assertKeys(keys);
      const started = this.#events.startTimer();
      const values = keys.map((key) => this.#store.read(key) as T | undefined);
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
        this.#store.write(key, snapshot, plan.ttlMs, plan.freshMs, plan.tags);
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
      for (const key of keys) if (this.#store.delete(key)) deleted++;
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
      assertTags(tags);
      const started = hrtimeMs();
      const removed = this.#store.deleteTagged(tags);
      this.#fence.revokeTags(tags);
      this.#events.invalidation('tags', tags.join(','), removed, started);
      return removed;
    });
  }

  invalidatePattern(pattern: string, operationContext?: string): Promise<number> {
    return traced('invalidatePattern', 'memory', undefined, async () => {
      assertPattern(pattern);
      const started = hrtimeMs();
      const removed = this.#store.deleteMatching(pattern);
      this.#fence.revokeMatching(compilePattern(pattern));
      this.#events.invalidation('pattern', pattern, removed, started, operationContext);
      return removed;
    });
  }

  /** Live keys matching the pattern (SPEC §9 semantics), one at a time. */
  async *scanKeys(pattern = ''): AsyncGenerator<string> {
    assertPattern(pattern);
    yield* this.#store.keys(pattern);
  }

  /** How many live keys match the pattern (an invalidation's dry run). */
  async countMatching(pattern: string): Promise<number> {
    assertPattern(pattern);
    return this.#store.keys(pattern).length;
  }

  /**
   * Seconds left before `key` stops being fresh; `undefined` when it is missing, past its TTL (a grace
   * copy kept only for getOrSet), or never expires.
   */
  getTtl(key: string): number | undefined {
    assertKey(key);
    return this.#store.ttlSeconds(key);
  }

  /** Live keys (fresh: grace copies are invisible, as to `get`), most recently used first. */
  keys(): string[] {
    return this.#store.keys();
  }

  /** Number of live entries (expired ones are dropped first; grace copies are not counted). */
  get size(): number {
    return this.#store.size;
  }

  /** Where the key is, for how long, how big and with which tags (never its value). */
  async inspect(key: string): Promise<KeyInspection> {
    assertKey(key);
    const entry = this.#store.describe(key);
    if (entry === undefined) return { key, tiers: [] };
    return {
      key,
      tiers: entry.stale ? [] : ['memory'],
      ttlSeconds: entry.ttlSeconds,
      sizeBytes: entry.bytes,
      tags: entry.tags,
      ...(entry.stale && { graceOnly: true }),
    };
  }

  /** The most read keys, most first (sampled estimates); empty when `hotKeys` is off. */
  getHotKeys(limit?: number): HotKey[] {
    return this.#hotKeys?.top(limit) ?? [];
  }

  async getStats(): Promise<MemoryCacheStats> {
    return this.#store.stats(this.defaultTtl);
  }

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Registers one of the original system's callbacks (`get_success`, `get_miss`, `set_success`,
   * `delete_success`): a compatibility layer over `on('entry')`; returns the unsubscribe function.
   */
  registerCallback<E extends CallbackEvent>(event: E, callback: CacheCallbacks[E]): () => void {
    return this.#events.on('entry', callbackListener(event, callback, this.#logger));
  }

  async close(): Promise<void> {
    this.#store.clear();
    this.#events.emit('close', {});
  }
}
