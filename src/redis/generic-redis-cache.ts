import type { Cluster, Redis } from 'ioredis';
import type { Duration } from '../core/duration.js';
import {
  CacheEventEmitter,
  type CacheEventListener,
  type CacheEventName,
  type CacheTier,
} from '../core/events.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import { hrtimeMs } from '../core/options.js';
import { getOrSet, type EntryRead, type GetOrSetHost } from '../core/get-or-set.js';
import { TRACING_CHANNELS, traced } from '../core/tracing.js';
import type {
  CacheEntry,
  CacheInterface,
  GetOrSetFactory,
  GetOrSetOptions,
  SetOptions,
} from '../core/types.js';
import { assertKey, assertKeys, resolveEntries, snapshotForWrite } from '../core/values.js';
import type { TtlPolicy } from '../core/write-plan.js';
import type { MemoryStore } from '../memory/memory-store.js';
import {
  PEEK,
  type ConnectableCache,
  type HotKeysCache,
  type InspectableCache,
  type KeyInspection,
  type KeyListingCache,
  type PeekableCache,
} from '../core/capabilities.js';
import { HotKeys, type HotKey } from '../core/hot-keys.js';
import type { InvalidationBus } from './bus.js';
import type { TrackingCoherence } from './tracking.js';
import type { RedisFills } from './fills.js';
import type { RedisInvalidator } from './invalidator.js';
import type { TierIO, PlannedWrite } from './tier-io.js';
import { assembleRedisCache } from './assembly.js';
import { activeCoherence, coherenceStatusOf, connectCache, type CoherenceStatus } from './cache-admin.js';
import { inspectKey } from './inspect.js';
import { callbackListener, type CacheCallbacks, type CallbackEvent } from '../core/callbacks.js';
import type { ValuePipeline } from './value-pipeline.js';
import type { ResolvedSecurity, SecurityStatus } from './security.js';
import {
  resolveRedisCacheOptions,
  type GenericRedisCacheOptions,
  type ResolvedRedisCacheOptions,
} from './options.js';
import type { RemoteTier } from './remote-tier.js';
import type { ServerStatusReader } from './status.js';
import { redisCacheStats, type RedisCacheStats, type RedisServerStatus } from './status.js';

export type { RedisCacheStats } from './status.js';

export type { CoherenceStatus } from './cache-admin.js';
/**
 * Redis cache with an in-process L1 tier (DESIGN §3). Reads go L1 → Redis → promote into L1; writes go
 * to Redis, then L1. Every Redis call goes through the remote tier, so an outage degrades to L1 instead of
 * reaching the caller.
 */
export class GenericRedisCache
  implements CacheInterface, ConnectableCache, KeyListingCache, PeekableCache, HotKeysCache, InspectableCache
{
  /** TTL in seconds applied when `set` is given none. */
  readonly defaultTtl: number;
  /** Prefix of every Redis key this cache owns. */
  readonly keyPrefix: string;
  readonly #options: ResolvedRedisCacheOptions;
  readonly #l1: MemoryStore | undefined;
  readonly #remote: RemoteTier;
  readonly #ownsClient: boolean;
  readonly #events: CacheEventEmitter;
  readonly #logger: Logger;
  readonly #policy: TtlPolicy;
  readonly #getOrSetHost: GetOrSetHost;
  readonly #bus: InvalidationBus | undefined;
  readonly #tracking: TrackingCoherence | undefined;
  readonly #invalidator: RedisInvalidator;
  readonly #security: ResolvedSecurity;
  readonly #values: ValuePipeline;
  readonly #serverStatus: ServerStatusReader;
  readonly #io: TierIO;
  readonly #fills: RedisFills;
  /** The most read keys (sampled), when `hotKeys` is on. */
  readonly #hotKeys: HotKeys | undefined;

  constructor(options: GenericRedisCacheOptions = {}) {
    const o = resolveRedisCacheOptions(options);
    this.#options = o;
    this.defaultTtl = o.defaultTtl;
    this.keyPrefix = o.keyPrefix;
    this.#logger = o.logger ?? consoleLogger;
    this.#events = new CacheEventEmitter((error, event) =>
      this.#logger.warn(
        { event, err: error },
        'a cache event listener threw; it is reported once and ignored',
      ),
    );
    const parts = assembleRedisCache(o, this.#events, this.#logger, {
      l1Trusted: () => this.#l1Trusted(),
      peekFresh: (key) => this[PEEK](key),
      readEntry: (key, counted) => this.#readEntry(key, counted),
    });
    this.#l1 = parts.l1;
    this.#remote = parts.remote;
    this.#ownsClient = parts.ownsClient;
    this.#security = parts.security;
    this.#values = parts.values;
    this.#io = parts.io;
    this.#serverStatus = parts.serverStatus;
    this.#policy = parts.policy;
    this.#fills = parts.fills;
    this.#bus = parts.bus;
    this.#tracking = parts.tracking;
    this.#invalidator = parts.invalidator;
    this.#getOrSetHost = parts.getOrSetHost;
    this.#hotKeys = o.hotKeys && new HotKeys(o.hotKeys);
    // A plain set's bus message rides its batch's pipeline (one PUBLISH for every set of the batch).
    const bus = this.#bus;
    if (bus) this.#io.batch.announcer = (keys) => bus.announcement(keys);
  }

  /**
   * How L1 is kept coherent with other instances, in force now: `'tracking'` (Redis client tracking
   * beside the bus), `'bus'` (asked for, or tracking unsupported: see `coherenceStatus`), `'none'`, or
   * `'off'` without L1.
   */
  get coherence(): CoherenceStatus['active'] {
    return activeCoherence(this.#options, this.#tracking);
  }

  /** The coherence asked for and in force, and for tracking its state and why it is not active. */
  get coherenceStatus(): CoherenceStatus {
    return coherenceStatusOf(this.#options, this.#tracking);
  }

  /** The invalidation bus channel, when the bus is on. */
  get busChannel(): string | undefined {
    return this.#bus?.channel;
  }

  /** Connects to Redis. `false` = unreachable: the cache serves L1 and keeps retrying in the background. */
  connect(): Promise<boolean> {
    return connectCache(this.#remote, this.#bus, this.#tracking, this.#options.connectTimeout, this.#logger);
  }

  /** The same as `close()` (the original's name). */
  disconnect(): Promise<void> {
    return this.close();
  }

  /** TLS, authentication and encryption in force; never a secret. */
  getSecurityStatus(): SecurityStatus {
    return {
      ...this.#security.status,
      encryptionEnabled: this.#values.encryptionKeyIds.length > 0,
      encryptionKeyIds: this.#values.encryptionKeyIds,
    };
  }

  /** Why Redis was last unreachable, when it was. */
  get connectionError(): string | undefined {
    return this.#remote.lastError;
  }

  /** The ioredis client in use: a `Cluster` on a cluster topology, a `Redis` otherwise. */
  get client(): Redis | Cluster {
    return this.#remote.client;
  }

  get<T = unknown>(key: string): Promise<T | undefined> {
    // No tracing frame on the hot path unless a tracer listens.
    return TRACING_CHANNELS.get.hasSubscribers
      ? traced('get', 'redis', key, () => this.#get<T>(key))
      : this.#get<T>(key);
  }

  async #get<T>(key: string): Promise<T | undefined> {
    assertKey(key);
    this.#hotKeys?.record(key);
    const announce = this.#events.watchingOperations;
    // An L1 hit costs about as much as two clock reads, so only a sample of gets is timed from the start;
    // a get that goes to Redis is always timed (from the L1 miss on, if not sampled).
    let started = announce ? this.#events.sampleGet() : 0;
    const local = this.#fromL1<T>(key, announce, started);
    if (local !== undefined) return local;
    if (announce && !started) started = hrtimeMs();
    const value = await this.#io.reads.readOne(key);
    this.#afterGet(key, value, 'redis', started, announce);
    return value as T | undefined;
  }

  /**
   * The value when L1 holds it, synchronously, counted and announced as a get hit; otherwise `undefined`
   * with nothing counted (then call `get`). Lets composing caches skip an async round on in-process hits.
   * Steps aside while a tracer listens, so traced gets stay complete.
   */
  [PEEK]<T = unknown>(key: string): T | undefined {
    if (!this.#l1 || TRACING_CHANNELS.get.hasSubscribers) return undefined;
    this.#hotKeys?.record(key);
    const announce = this.#events.watchingOperations;
    const started = announce ? this.#events.sampleGet() : 0;
    return this.#fromL1<T>(key, announce, started, false);
  }

  /** An L1 hit, counted and announced; `countMiss` false leaves a miss to the caller's own get. */
  #fromL1<T>(key: string, announce: boolean, started: number, countMiss = true): T | undefined {
    if (!this.#l1Trusted()) return undefined;
    const local = this.#l1?.read(key, countMiss) as T | undefined;
    if (local !== undefined) {
      this.#io.counters.l1Hits++;
      this.#afterGet(key, local, 'l1', started, announce);
    }
    return local;
  }

  set(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<void> {
    // No tracing frame on the hot path unless a tracer listens.
    return TRACING_CHANNELS.set.hasSubscribers
      ? traced('set', 'redis', key, () => this.#set(key, value, ttl))
      : this.#set(key, value, ttl);
  }

  async #set(key: string, value: unknown, ttl: Duration | SetOptions | undefined): Promise<void> {
    assertKey(key);
    const plan = this.#policy.plan(ttl);
    // Without L1 nothing keeps the value, so it is only validated, not copied (unless large: see there).
    const snapshot = snapshotForWrite(value, this.#l1 !== undefined);
    // Before the write: a fill running here must not land after it (in Redis, its lock goes first).
    this.#fills.revokeKey(key);
    const started = this.#events.startTimer();
    // A plain set is announced by its batch; otherwise (tags, a cluster, Redis away) it is published here.
    if (!(await this.#io.write([{ key, snapshot, plan }]))) this.#bus?.publish({ keys: [key] });
    if (started) this.#events.operation('set', 'redis', 'success', started);
    if (this.#events.watchingEntries) this.#events.emit('entry', { action: 'set', key, value });
  }

  delete(key: string): Promise<boolean> {
    return traced('delete', 'redis', key, async () => {
      assertKey(key);
      const started = this.#events.startTimer();
      this.#fills.revoke({ keys: [key] });
      const [existed] = (await this.#io.remove([key])) as [boolean];
      this.#bus?.publish({ keys: [key] });
      if (started) this.#events.operation('delete', 'redis', existed ? 'success' : 'miss', started);
      if (existed && this.#events.watchingEntries) this.#events.emit('entry', { action: 'delete', key });
      return existed;
    });
  }

  exists(key: string): Promise<boolean> {
    return traced('exists', 'redis', key, async () => {
      assertKey(key);
      const started = this.#events.startTimer();
      const found = await this.#io.reads.exists(key);
      if (started) this.#events.operation('exists', 'redis', found ? 'hit' : 'miss', started);
      return found;
    });
  }

  clear(): Promise<void> {
    return traced('clear', 'redis', undefined, () => this.#invalidator.clear());
  }

  getMany<T = unknown>(keys: string[]): Promise<(T | undefined)[]> {
    return traced('getMany', 'redis', undefined, async () => {
      assertKeys(keys);
      const started = this.#events.startTimer();
      const results = await this.#io.reads.readMany<T>(keys);
      if (started) this.#events.operation('getMany', 'redis', 'success', started, keys.length);
      return results;
    });
  }

  setMany(entries: CacheEntry[]): Promise<void> {
    return traced('setMany', 'redis', undefined, async () => {
      const withL1 = this.#l1 !== undefined;
      const resolved = resolveEntries(entries, this.#policy).map((e) => ({
        key: e.key,
        plan: e.plan,
        snapshot: snapshotForWrite(e.value, withL1),
      }));
      this.#fills.revoke({ keys: resolved.map((e) => e.key) });
      await this.#writeMany(resolved);
    });
  }

  deleteMany(keys: string[]): Promise<number> {
    return traced('deleteMany', 'redis', undefined, async () => {
      assertKeys(keys);
      const started = this.#events.startTimer();
      this.#fills.revoke({ keys });
      const count = (await this.#io.remove(keys)).filter(Boolean).length;
      if (keys.length > 0) this.#bus?.publish({ keys });
      if (started) this.#events.operation('deleteMany', 'redis', 'success', started, keys.length);
      return count;
    });
  }

  getOrSet<T>(key: string, factory: GetOrSetFactory<T>, options?: Duration | GetOrSetOptions): Promise<T> {
    return getOrSet(this.#getOrSetHost, key, factory, options);
  }

  invalidatePattern(pattern: string, operationContext?: string): Promise<number> {
    return traced('invalidatePattern', 'redis', undefined, () =>
      this.#invalidator.invalidatePattern(pattern, operationContext),
    );
  }

  invalidateTags(tags: string[]): Promise<number> {
    return traced('invalidateTags', 'redis', undefined, () => this.#invalidator.invalidateTags(tags));
  }

  /** Keys matching the pattern (SPEC §9 semantics), read with SCAN in batches; L1's while Redis is away. */
  scanKeys(pattern = ''): AsyncGenerator<string> {
    return this.#invalidator.scanKeys(pattern);
  }

  /** How many keys match the pattern in Redis (in L1 while Redis is away): an invalidation's dry run. */
  countMatching(pattern: string): Promise<number> {
    return this.#invalidator.countMatching(pattern);
  }

  /**
   * Registers one of the original system's callbacks (`get_success`, `get_miss`, `set_success`,
   * `delete_success`): a compatibility layer over `on('entry')`; returns the unsubscribe function.
   */
  registerCallback<E extends CallbackEvent>(event: E, callback: CacheCallbacks[E]): () => void {
    return this.#events.on('entry', callbackListener(event, callback, this.#logger));
  }

  /** Where the key is (L1, Redis), for how long, how big, its codec flags and tags; never its value. */
  inspect(key: string): Promise<KeyInspection> {
    assertKey(key);
    return inspectKey(this.#remote, this.#l1, this.#values, key, this.keyPrefix + key);
  }

  /** The most read keys, most first (sampled estimates); empty when `hotKeys` is off. */
  getHotKeys(limit?: number): HotKey[] {
    return this.#hotKeys?.top(limit) ?? [];
  }

  async getStats(): Promise<RedisCacheStats> {
    return redisCacheStats(this.#io.counters, this.#values, this.#remote, this.#l1?.stats(this.defaultTtl));
  }

  /**
   * The Redis server's figures: memory, clients and the keys under this cache's prefix (a SCAN count,
   * shared by callers for a second). Asks the server, so it is kept apart from `getStats()`.
   */
  getServerStatus(): Promise<RedisServerStatus> {
    return this.#serverStatus.read();
  }

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    return this.#events.on(event, listener);
  }

  /** Closes the Redis connections tiercache opened (an adopted client is left open) and empties L1. */
  async close(): Promise<void> {
    // Sets called before close, large ones still compressing included, are sent before the connection goes.
    await this.#io.close();
    this.#bus?.close();
    this.#tracking?.close();
    this.#remote.detach();
    if (this.#ownsClient) this.#remote.client.disconnect();
    this.#l1?.clear();
    this.#events.emit('close', {});
  }

  /** `started` 0 = not timed. */
  #afterGet(key: string, value: unknown, tier: CacheTier, started: number, announce: boolean): void {
    const outcome = value === undefined ? 'miss' : 'hit';
    if (announce && tier === 'redis' && this.#l1 && started)
      this.#events.operation('get', tier, outcome, started, undefined, true); // past L1: an L1 miss too
    else if (announce) this.#events.get(tier, outcome, started);
    if (this.#events.watchingEntries)
      this.#events.emit(
        'entry',
        value === undefined ? { action: 'miss', key } : { action: 'hit', key, value },
      );
  }

  /**
   * Whether L1 may answer: always, unless `staleOnOutage: false` and coherence is lost (Redis degraded, or
   * the bus not subscribed): then a peer's change could be missed, and a miss is preferred.
   */
  #l1Trusted(): boolean {
    return (
      this.#options.staleOnOutage ||
      (this.#remote.status === 'connected' &&
        (this.#bus?.live ?? true) &&
        (this.#tracking?.state !== 'active' || this.#tracking.live))
    );
  }

  /**
   * A getOrSet read: a fresh or stale L1 entry, else Redis; counted and announced as a get unless it is
   * a re-read of the same getOrSet (`counted` false).
   */
  async #readEntry(key: string, counted = true): Promise<EntryRead | undefined> {
    const local = this.#l1Trusted() ? this.#l1?.readEntry(key, counted) : undefined;
    if (local && !local.stale) {
      if (counted) {
        this.#io.counters.l1Hits++;
        this.#afterGet(
          key,
          local.value,
          'l1',
          this.#events.watchingOperations ? this.#events.sampleGet() : 0,
          this.#events.watchingOperations,
        );
      }
      return local;
    }
    if (!counted) return (await this.#io.reads.readEntry(key)) ?? local;
    const started = this.#events.startTimer();
    const remote = await this.#io.reads.readEntry(key);
    const fresh = remote?.stale === false ? remote.value : undefined;
    if (fresh === undefined) this.#io.counters.misses++;
    else this.#io.counters.redisHits++;
    this.#afterGet(key, fresh, 'redis', started, started !== 0);
    // Redis unreachable or evicted: a stale L1 copy still serves grace.
    return remote ?? local;
  }

  /** setMany: writes, announces the operation and publishes the keys on the bus (unless its batch did). */
  async #writeMany(entries: PlannedWrite[]): Promise<void> {
    const started = this.#events.startTimer();
    const announced = await this.#io.write(entries);
    if (!announced && entries.length > 0) this.#bus?.publish({ keys: entries.map((e) => e.key) });
    if (started) this.#events.operation('setMany', 'redis', 'success', started, entries.length);
  }
}
