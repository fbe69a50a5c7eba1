import {
  PEEK,
  canConnect,
  canListKeys,
  canPeek,
  type ConnectableCache,
  type KeyListingCache,
  type PeekableCache,
} from '../core/capabilities.js';
import type { Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import {
  CacheEventEmitter,
  IN_PROCESS_TIMING_SAMPLE,
  type CacheEventListener,
  type CacheEventName,
} from '../core/events.js';
import { consoleLogger } from '../core/logger.js';
import { hrtimeMs } from '../core/options.js';
import type {
  CacheEntry,
  CacheInterface,
  CacheStats,
  GetOrSetFactory,
  GetOrSetOptions,
  Recommendation,
  SetOptions,
} from '../core/types.js';
import { snapshotValue } from '../core/values.js';
import { GenericRedisCache } from '../redis/generic-redis-cache.js';
import {
  AIMetrics,
  type AIPerformanceSummary,
  type OperationPerformance,
  type TierStatistics,
} from './ai-metrics.js';
import {
  computeMiss,
  hitResult,
  hitValue,
  type AIResult,
  type ComputeHost,
  type Lookup,
  type SemanticStep,
} from './ai-compute.js';
import { unwrapEntry, wrapEntry, type ComputeResult } from './ai-entry.js';
import { keysOfChange, keysOfPattern } from './covered-keys.js';
import { splitAIOptions, type AIResponseCacheOptions } from './ai-options.js';
import {
  assertRequest,
  assertTextLength,
  computeTtlMs,
  type AIComputeOptions,
  type AIRequest,
} from './ai-request.js';
import { recommendationsOf } from './ai-recommendations.js';
import { resolveStreamOptions, StreamFlights, type AIStreamOptions } from './ai-stream.js';
import { CacheKeyGenerator, type AIRequestOptions, type OperationScope } from './key-generator.js';
import { resolveOperationTtls } from './operation-ttls.js';
import { withTtl, wrapEntries, wrappingFactory } from './ai-writes.js';
import type { SemanticMatcher } from './semantic/semantic-matcher.js';
import { createSemanticMatcher } from './semantic/semantic-setup.js';
import { priceOf, resolvePriceTable } from './price-table.js';
import { resolveTextSizeTiers, tierOf, type TextSizeTiers, type TextTier } from './text-tiers.js';

/** One AI request: what `getOrCompute` keys on. */
export type { AIRequest } from './ai-request.js';

export type { AIPerformanceSummary } from './ai-metrics.js';

const COMPUTE_OPTIONS = ['ttl'];

/**
 * A cache for AI responses (DESIGN §3): keys built from operation, text, options and question; a TTL per
 * operation; one compute per key at a time; and real figures for hits, time and tokens saved. It composes
 * any cache (a GenericRedisCache it builds, or one given as `cache`, e.g. an InMemoryCache).
 */
export class AIResponseCache implements CacheInterface, ConnectableCache, KeyListingCache {
  readonly keyGenerator: CacheKeyGenerator;
  readonly textSizeTiers: TextSizeTiers;
  /** Seconds per operation. */
  readonly operationTtls: Readonly<Record<string, number>>;
  readonly defaultTtl: number;
  readonly maxTextLength: number | undefined;
  readonly #cache: CacheInterface & { defaultTtl?: number };
  readonly #ownsCache: boolean;
  /** The composed cache when it answers in-process hits synchronously. */
  readonly #peekable: PeekableCache | undefined;
  readonly #events: CacheEventEmitter;
  readonly #metrics: AIMetrics;
  readonly #host: ComputeHost;
  readonly #streams: StreamFlights;
  readonly #offBus: () => void;
  readonly #semantic: SemanticMatcher | undefined;
  #lookups = 0;

  constructor(options: AIResponseCacheOptions = {}) {
    const { ai, cache, redis } = splitAIOptions(options);
    const logger = options.logger ?? consoleLogger;
    this.#events = new CacheEventEmitter((error, event) =>
      logger.warn({ event, err: error }, 'an AI cache event listener threw; it is reported once and ignored'),
    );
    this.keyGenerator = new CacheKeyGenerator({
      textHashThreshold: ai.textHashThreshold,
      hashAlgorithm: ai.hashAlgorithm,
      keyScheme: ai.keyScheme,
    });
    const prices = resolvePriceTable(ai.prices);
    this.#metrics = new AIMetrics(prices !== undefined);
    this.textSizeTiers = resolveTextSizeTiers(ai.textSizeTiers);
    this.operationTtls = Object.freeze(resolveOperationTtls(ai.operationTtls));
    this.maxTextLength = ai.maxTextLength;
    this.#ownsCache = cache === undefined;
    this.#cache = cache ?? new GenericRedisCache(redis);
    this.defaultTtl = this.#cache.defaultTtl ?? 3600;
    this.#peekable = canPeek(this.#cache) ? this.#cache : undefined;
    this.#cache.on('compression', (e) => this.#metrics.recordCompression(e.originalBytes, e.compressedBytes));
    const peekable = this.#peekable;
    this.#host = {
      cache: this.#cache,
      metrics: this.#metrics,
      peek: (key) => peekable?.[PEEK](key),
      ttlFor: (operation) => this.ttlFor(operation),
      costOf: (model, input, output) => priceOf(prices, model, input, output),
      announce: (event) => this.#events.has('aiCompute') && this.#events.emit('aiCompute', event),
      semanticAnswers: new WeakMap(),
    };
    this.#semantic = createSemanticMatcher(ai.semantic, this.#cache, this.#metrics, (event) =>
      this.#events.emit('semantic', event),
    );
    this.#streams = new StreamFlights(this.#host);
    // A peer's change (or the echo of this instance's own store): only the recordings of the keys it
    // names, else of its pattern, else every one. (The semantic index needs no such care: it reads every
    // candidate back through the cache.)
    this.#offBus = this.#cache.on('bus', (e) => this.#streams.drop(keysOfChange(e)));
  }

  /** The composed cache. */
  get cache(): CacheInterface {
    return this.#cache;
  }

  /** Connects the composed cache when it has a connection (true for in-memory caches). */
  async connect(): Promise<boolean> {
    return canConnect(this.#cache) ? this.#cache.connect() : true;
  }

  /** The cache key of a text, operation and options (SPEC §5); timed into `keyGeneration` events. */
  buildKey(text: string, operation: string, options?: AIRequestOptions): string {
    return this.#key({ operation, text, options }, false, true);
  }

  /** The cache key of a whole request (with its model and tenant); `stream` for `getOrComputeStream`'s. */
  keyFor(request: AIRequest, options: { stream?: boolean } = {}): string {
    if (typeof request !== 'object' || request === null)
      throw new ValidationError('request must be an object', { option: 'request' });
    return this.#key(request, options.stream === true, false);
  }

  #key(request: AIRequest, stream: boolean, optionsHoldQuestion: boolean): string {
    const started = this.#events.has('keyGeneration') ? hrtimeMs() : 0;
    const { text, operation } = request;
    assertTextLength(text, this.maxTextLength);
    const key = optionsHoldQuestion
      ? this.keyGenerator.buildKey(text, operation, request.options)
      : this.keyGenerator.keyFor(request, stream);
    if (started)
      this.#events.emit('keyGeneration', {
        durationMs: hrtimeMs() - started,
        textLength: text.length,
        operation,
      });
    return key;
  }

  /** The size tier of a text (by code points). */
  getTextTier(text: string): TextTier {
    if (typeof text !== 'string') throw new ValidationError('text must be a string', { option: 'text' });
    return tierOf(text, this.textSizeTiers);
  }

  /** The TTL (seconds) applied to an operation's responses. */
  ttlFor(operation: string): number {
    return this.operationTtls[operation] ?? this.defaultTtl;
  }

  /**
   * The cached response, or `compute()`'s result stored under the operation's TTL (or `options.ttl`). One
   * compute per key at a time; errors, `undefined`, `''` and `{}` are not cached. `compute` may return
   * `{ value, usage: { inputTokens, outputTokens } }` to report the tokens a hit will save.
   */
  getOrCompute<T>(
    request: AIRequest,
    compute: () => Promise<ComputeResult<T>> | ComputeResult<T>,
    options?: AIComputeOptions,
  ): Promise<T> {
    let lookup: Lookup;
    let ttlMs: number | undefined;
    try {
      lookup = this.#lookup(request, compute, 'compute', false);
      ttlMs = options === undefined ? undefined : computeTtlMs(options, COMPUTE_OPTIONS);
      // An in-process hit is answered without an async frame (see PeekableCache).
      const stored = this.#peekable?.[PEEK](lookup.key);
      if (stored !== undefined) return Promise.resolve(hitValue<T>(this.#host, lookup, stored));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const semantic = this.#semanticStep(request, lookup, false);
    return computeMiss(this.#host, lookup, compute, ttlMs, semantic).then((result) => result.value);
  }

  /**
   * `getOrCompute`, answering where the value came from: this request's entry (`cache`), a near-identical
   * request's (`semantic`, with `matchedKey` and `similarity`), or this call's compute (`compute`).
   */
  async getOrComputeResult<T>(
    request: AIRequest,
    compute: () => Promise<ComputeResult<T>> | ComputeResult<T>,
    options?: AIComputeOptions,
  ): Promise<AIResult<T>> {
    const lookup = this.#lookup(request, compute, 'compute', false);
    const ttlMs = options === undefined ? undefined : computeTtlMs(options, COMPUTE_OPTIONS);
    const stored = this.#peekable?.[PEEK](lookup.key);
    if (stored !== undefined) return hitResult<T>(this.#host, lookup, stored);
    return computeMiss(this.#host, lookup, compute, ttlMs, this.#semanticStep(request, lookup, false));
  }

  #semanticStep(request: AIRequest, lookup: Lookup, stream: boolean): SemanticStep | undefined {
    const matcher = this.#semantic;
    const semanticRequest = matcher?.requestOf(request, lookup.key, stream);
    return matcher && semanticRequest && { matcher, request: semanticRequest };
  }

  /**
   * A streamed response, recorded once and replayed (docs/ai-cache.md, "Streams"). A miss reads
   * `produce()`'s stream to the caller while recording it, and stores it only when it ends cleanly (not
   * failed, not left by every consumer, not vetoed by `shouldStore`, within the size caps); identical
   * requests in this process read the same recording. A hit replays the chunks, at once or at the recorded
   * pace. Chunks must be JSON-serializable (strings are the common case). Bad input throws at once.
   */
  getOrComputeStream<C>(
    request: AIRequest,
    produce: () => AsyncIterable<C> | Promise<AsyncIterable<C>>,
    options?: AIStreamOptions<C>,
  ): AsyncIterable<C> {
    const lookup = this.#lookup(request, produce, 'produce', true);
    const settings = resolveStreamOptions(options);
    return this.#streams.stream({
      lookup,
      produce,
      ...settings,
      semantic: this.#semanticStep(request, lookup, true),
    });
  }

  #lookup(request: AIRequest, compute: unknown, computeName: string, stream: boolean): Lookup {
    assertRequest(request, compute, computeName);
    const key = this.#key(request, stream, false);
    // Hit latency is sampled (like in-process gets); counts, time and tokens saved are exact.
    const started = ++this.#lookups % IN_PROCESS_TIMING_SAMPLE === 0 ? hrtimeMs() : 0;
    const { operation, text, model } = request;
    return { key, operation, tier: tierOf(text, this.textSizeTiers), model, started };
  }

  /**
   * Removes exactly one operation's responses (not `op_v2`'s) from every tier, or only one tenant's and/or
   * one model's of them (`{ tenant, model }`, key scheme v3); returns how many.
   */
  invalidateByOperation(operation: string, scope?: OperationScope): Promise<number> {
    let pattern: string;
    try {
      pattern = this.keyGenerator.operationPattern(operation, scope);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const context = [operation, scope?.tenant, scope?.model].filter((p) => p !== undefined).join(':');
    return this.invalidatePattern(pattern, `operation:${context}`);
  }

  async getAIPerformanceSummary(): Promise<AIPerformanceSummary> {
    const recommendations = await this.getRecommendations();
    const indexed = this.#semantic && { semanticIndexed: this.#semantic.size };
    return { ...this.#metrics.totals(), ...indexed, recommendations };
  }

  getTextTierStatistics(): Record<TextTier, TierStatistics> {
    return this.#metrics.tierStatistics();
  }

  getOperationPerformance(): Record<string, OperationPerformance> {
    return this.#metrics.operationPerformance();
  }

  getRecommendations(): Promise<Recommendation[]> {
    return recommendationsOf(this.#cache, this.#metrics, this.operationTtls, this.defaultTtl);
  }

  /** Forgets the AI counters (the cached values stay). */
  resetMetrics(): void {
    this.#metrics.reset();
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const stored = await this.#cache.get(key);
    return stored === undefined ? undefined : (unwrapEntry(stored).value as T);
  }

  /** Without a TTL, an AI key gets its operation's TTL (SPEC §5). */
  async set(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<void> {
    snapshotValue(value, false); // validate before wrapping, so messages name the caller's value
    const wrapped = wrapEntry(value, 0, undefined);
    return this.#streams.fenceKeys([key], () => this.#cache.set(key, wrapped, withTtl(key, ttl, this)));
  }

  delete(key: string): Promise<boolean> {
    return this.#streams.fenceKeys([key], () => this.#cache.delete(key));
  }

  exists(key: string): Promise<boolean> {
    return this.#cache.exists(key);
  }

  clear(): Promise<void> {
    this.#semantic?.forgetWhere(undefined);
    return this.#streams.fence(undefined, () => this.#cache.clear());
  }

  async getMany<T = unknown>(keys: string[]): Promise<(T | undefined)[]> {
    const stored = await this.#cache.getMany(keys);
    return stored.map((item) => (item === undefined ? undefined : (unwrapEntry(item).value as T)));
  }

  async setMany(entries: CacheEntry[]): Promise<void> {
    if (!Array.isArray(entries)) return this.#cache.setMany(entries);
    const wrapped = wrapEntries(entries, this);
    return this.#streams.fenceKeys(
      entries.map((e) => e?.key),
      () => this.#cache.setMany(wrapped),
    );
  }

  deleteMany(keys: string[]): Promise<number> {
    return this.#streams.fenceKeys(Array.isArray(keys) ? keys : [], () => this.#cache.deleteMany(keys));
  }

  /** The composed cache's `getOrSet` (grace, timeouts, lock, fencing), with the operation's TTL for AI keys. */
  async getOrSet<T>(
    key: string,
    factory: GetOrSetFactory<T>,
    options?: Duration | GetOrSetOptions,
  ): Promise<T> {
    const stored = await this.#cache.getOrSet(key, wrappingFactory(factory), withTtl(key, options, this));
    return (stored === undefined ? undefined : unwrapEntry(stored).value) as T;
  }

  invalidateTags(tags: string[]): Promise<number> {
    return this.#streams.fence(undefined, () => this.#cache.invalidateTags(tags));
  }

  invalidatePattern(pattern: string, operationContext?: string): Promise<number> {
    this.#semantic?.forgetWhere(keysOfPattern(pattern));
    return this.#streams.fence(keysOfPattern(pattern), () =>
      this.#cache.invalidatePattern(pattern, operationContext),
    );
  }

  /** Keys matching the pattern, when the composed cache can list them. */
  async *scanKeys(pattern = ''): AsyncGenerator<string> {
    const inner = this.#cache;
    if (!canListKeys(inner))
      throw new ValidationError('the composed cache cannot list its keys', { option: 'pattern' });
    yield* inner.scanKeys(pattern);
  }

  /** How many keys match the pattern, when the composed cache can tell (an invalidation's dry run). */
  async countMatching(pattern: string): Promise<number> {
    const inner = this.#cache;
    if (!canListKeys(inner))
      throw new ValidationError('the composed cache cannot count keys by pattern', { option: 'pattern' });
    return inner.countMatching(pattern);
  }

  getStats(): Promise<CacheStats> {
    return this.#cache.getStats();
  }

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    // Its own: key generation, computes, and close (a composed cache it does not own stays open).
    return event === 'keyGeneration' || event === 'aiCompute' || event === 'semantic' || event === 'close'
      ? this.#events.on(event, listener)
      : this.#cache.on(event, listener);
  }

  /** Closes the composed cache when this cache built it. */
  async close(): Promise<void> {
    this.#offBus();
    if (this.#ownsCache) await this.#cache.close();
    this.#events.emit('close', {});
  }
}
