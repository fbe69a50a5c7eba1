import { systemClock, type Clock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import type {
  CacheEventListener,
  CacheEventName,
  CacheOperation,
  CacheTier,
  InvalidationType,
  OperationOutcome,
} from '../core/events.js';
import type { CacheStats } from '../core/types.js';
import type {
  CompressionMeasurement,
  ExportedMetrics,
  InvalidationFrequencyStats,
  InvalidationMeasurement,
  KeyGenerationMeasurement,
  MemoryMeasurement,
  MemoryUsageStats,
  MemoryWarning,
  OperationMeasurement,
  PerformanceStats,
  Recommendation,
  SlowOperations,
} from './monitor-types.js';
import { invalidationRecommendations, memoryWarnings } from './recommendations.js';
import { RingBuffer } from '../core/ring-buffer.js';
import { resolveMonitorOptions, type CachePerformanceMonitorOptions } from './monitor-options.js';
import { LiveFigures, type TimeSeries, type WindowStats } from './live-figures.js';
import { OperationCounts } from './operation-counts.js';
import {
  buildCompressionStats,
  buildInvalidationStats,
  buildKeyGenerationStats,
  buildMemoryUsageStats,
  buildOperationStats,
  slowerThan,
} from './stats-builders.js';

export { PERFORMANCE_MONITOR_DEFAULTS, type CachePerformanceMonitorOptions } from './monitor-options.js';

const HOUR_MS = 3_600_000;

/** What a monitor needs from a cache: its events, and optionally its figures for memory sampling. */
export interface MonitoredCache {
  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void;
  getStats?(): Promise<CacheStats>;
  /** The Redis server's figures, for caches backed by Redis (see `GenericRedisCache.getServerStatus`). */
  getServerStatus?(): Promise<{ status: string; memoryUsedBytes: number; keys: number }>;
}

/**
 * Collects cache performance figures (SPEC §8) by listening to caches' events. Measurements live in
 * bounded ring buffers pruned by age; hit/miss totals are exact counters over the monitor's life.
 */
export class CachePerformanceMonitor {
  readonly options: Required<Omit<CachePerformanceMonitorOptions, 'clock'>>;
  readonly #clock: Clock;
  readonly #keyGeneration: RingBuffer<KeyGenerationMeasurement>;
  readonly #operations: RingBuffer<OperationMeasurement>;
  readonly #compression: RingBuffer<CompressionMeasurement>;
  readonly #memory: RingBuffer<MemoryMeasurement>;
  readonly #invalidations: RingBuffer<InvalidationMeasurement>;
  /** Invalidation counts per clock hour, for the 24-hour rate independent of retention. */
  readonly #invalidationsByHour = new Map<number, number>();
  readonly #caches = new Set<MonitoredCache>();
  /** Exact get hits and misses per tier since the last reset. */
  /** Windowed counters, factory durations and the breaker timeline (the incident view). */
  readonly #live: LiveFigures;
  readonly #counts: OperationCounts;
  /** Files counts under their second while no timed event does (unref'd; runs while caches are attached). */
  #rollTimer: NodeJS.Timeout | undefined;
  #totalInvalidations = 0;
  #firstInvalidationAt: number | undefined;

  constructor(options: CachePerformanceMonitorOptions = {}) {
    const { clock, ...rest } = resolveMonitorOptions(options);
    this.options = rest;
    this.#clock = clock ?? systemClock;
    const size = rest.maxMeasurements;
    this.#keyGeneration = new RingBuffer(size);
    this.#operations = new RingBuffer(size);
    this.#compression = new RingBuffer(size);
    this.#memory = new RingBuffer(size);
    this.#invalidations = new RingBuffer(size);
    this.#live = new LiveFigures(this.#clock, size);
    this.#counts = new OperationCounts(this.#live.windows);
  }

  /** Listens to a cache's events; returns a function that stops listening. */
  attach(cache: MonitoredCache): () => void {
    const live = this.#live;
    const counts = this.#counts;
    const offs = [
      cache.on('operation', (e) =>
        // Most events are untimed in-process gets (an L1 or memory hit, ~0.1 µs): counted, nothing else.
        e.durationMs === undefined && e.operation === 'get'
          ? counts.countGet(e.tier, e.outcome, e.l1Missed)
          : this.#onOperation(e.operation, e.tier, e.outcome, e.durationMs, e.l1Missed),
      ),
      cache.on('error', (e) => live.onError(e)),
      cache.on('stale', () => live.onStale()),
      cache.on('factory', (e) => live.onFactory(e)),
      cache.on('lock', (e) => live.onLock(e)),
      cache.on('bus', () => live.onBus()),
      cache.on('breaker', (e) => live.onBreaker(e)),
      cache.on('keyGeneration', (e) => this.#keyGeneration.push({ at: this.#clock.now(), ...e })),
      cache.on('compression', (e) => this.#compression.push({ at: this.#clock.now(), ...e })),
      cache.on('invalidate', (e) =>
        this.#onInvalidation(e.pattern, e.keysInvalidated, e.durationMs, e.type, e.context),
      ),
    ];
    this.#caches.add(cache);
    this.#rollTimer ??= setInterval(() => live.windows.roll(this.#clock.now()), 1000).unref();
    const detach = (): void => {
      for (const off of offs) off();
      this.#caches.delete(cache);
      if (this.#caches.size === 0) {
        clearInterval(this.#rollTimer);
        this.#rollTimer = undefined;
      }
    };
    // A closed cache is let go of, whoever attached it (the factory keeps no detach function).
    offs.push(cache.on('close', detach));
    return detach;
  }

  /** Records one key generation (ms, characters). */
  recordKeyGeneration(durationMs: number, textLength: number, operation: string): void {
    assertNonNegative({ durationMs, textLength });
    this.#keyGeneration.push({ at: this.#clock.now(), durationMs, textLength, operation });
  }

  /** Records one cache operation; `outcome` hit/miss of `get` feeds the hit rate. */
  recordCacheOperation(
    operation: CacheOperation,
    durationMs: number,
    tier: CacheTier = 'memory',
    outcome: OperationOutcome = 'success',
  ): void {
    assertNonNegative({ durationMs });
    this.#onOperation(operation, tier, outcome, durationMs);
  }

  /** Records one compression (bytes before and after, ms). */
  recordCompression(originalBytes: number, compressedBytes: number, durationMs: number): void {
    assertNonNegative({ originalBytes, compressedBytes, durationMs });
    this.#compression.push({ at: this.#clock.now(), originalBytes, compressedBytes, durationMs });
  }

  /** Records memory figures (L1 entries and bytes, Redis bytes and keys when known). */
  recordMemoryUsage(usage: Omit<MemoryMeasurement, 'at'>): void {
    assertNonNegative({
      l1Entries: usage.l1Entries,
      l1Bytes: usage.l1Bytes,
      redisBytes: usage.redisBytes ?? 0,
      redisKeys: usage.redisKeys ?? 0,
    });
    this.#memory.push({ at: this.#clock.now(), ...usage });
  }

  /** Records one invalidation. */
  recordInvalidation(
    pattern: string,
    keysInvalidated: number,
    durationMs: number,
    type: InvalidationType = 'pattern',
    context?: string,
  ): void {
    if (typeof pattern !== 'string')
      throw new ValidationError('pattern must be a string', { option: 'pattern' });
    assertNonNegative({ keysInvalidated, durationMs });
    this.#onInvalidation(pattern, keysInvalidated, durationMs, type, context);
  }

  /** Reads the attached caches' memory figures (and Redis INFO when connected) into a measurement. */
  async sampleMemory(): Promise<void> {
    let l1Entries = 0;
    let l1Bytes = 0;
    let redisBytes: number | undefined;
    let redisKeys: number | undefined;
    for (const cache of this.#caches) {
      const stats = (await cache.getStats?.()) as (CacheStats & Record<string, unknown>) | undefined;
      const l1 = (stats && 'l1' in stats ? stats.l1 : stats) as
        { activeEntries?: number; memoryUsageBytes?: number } | undefined;
      l1Entries += l1?.activeEntries ?? 0;
      l1Bytes += l1?.memoryUsageBytes ?? 0;
      const server = await cache.getServerStatus?.();
      if (server?.status === 'connected') {
        redisBytes = Math.max(redisBytes ?? 0, server.memoryUsedBytes);
        redisKeys = (redisKeys ?? 0) + server.keys;
      }
    }
    this.recordMemoryUsage({
      l1Entries,
      l1Bytes,
      ...(redisBytes === undefined ? {} : { redisBytes, redisKeys }),
    });
  }

  getPerformanceStats(): PerformanceStats {
    const { hits, misses, total } = this.#counts;
    const lookups = hits + misses;
    const keyGeneration = buildKeyGenerationStats(
      this.#retained(this.#keyGeneration),
      this.options.keyGenerationSlowMs,
    );
    const operations = this.#retained(this.#operations);
    const cacheOperations = buildOperationStats(
      operations,
      this.options.cacheOperationSlowMs,
      this.#counts.byTier,
    );
    const compression = buildCompressionStats(this.#retained(this.#compression));
    const memoryUsage = this.getMemoryUsageStats();
    const invalidation = this.#totalInvalidations > 0 ? this.getInvalidationFrequencyStats() : undefined;
    return {
      timestamp: new Date().toISOString(),
      retentionHours: this.options.retentionHours,
      cacheHitRate: lookups === 0 ? 0 : Math.round((hits / lookups) * 10_000) / 100,
      totalCacheOperations: total,
      cacheHits: hits,
      cacheMisses: misses,
      ...(keyGeneration && { keyGeneration }),
      ...(cacheOperations && { cacheOperations }),
      ...(compression && { compression }),
      ...(memoryUsage && { memoryUsage }),
      ...(invalidation && { invalidation }),
      percentileBasis: {
        samples: operations.length,
        maxMeasurements: this.options.maxMeasurements,
        retentionHours: this.options.retentionHours,
      },
      windows: this.#live.windowStats(),
    };
  }

  /** Rates, hit ratios and latency per tier over the last 1 and 5 minutes (they move with an incident). */
  getWindowedStats(): WindowStats[] {
    return this.#live.windowStats();
  }

  /** Per-second series of the last `seconds` (≤ 300) and the breaker's transitions, for charts. */
  getTimeSeries(seconds?: number): TimeSeries {
    return this.#live.series(seconds);
  }

  /** The latest memory measurement against the thresholds, or `undefined` before any. */
  getMemoryUsageStats(): MemoryUsageStats | undefined {
    const { memoryWarningThresholdBytes: warningBytes, memoryCriticalThresholdBytes: criticalBytes } =
      this.options;
    return buildMemoryUsageStats(this.#retained(this.#memory), warningBytes, criticalBytes);
  }

  getMemoryWarnings(): MemoryWarning[] {
    return memoryWarnings(this.getMemoryUsageStats());
  }

  getInvalidationFrequencyStats(): InvalidationFrequencyStats {
    const now = this.#clock.now();
    const hour = Math.floor(now / HOUR_MS);
    let last24Hours = 0;
    for (const [bucket, count] of this.#invalidationsByHour) if (bucket > hour - 24) last24Hours += count;
    const hoursObserved =
      this.#firstInvalidationAt === undefined ? 1 : Math.max(1, (now - this.#firstInvalidationAt) / HOUR_MS);
    return buildInvalidationStats(this.#retained(this.#invalidations), {
      now,
      totalOperations: this.#totalInvalidations,
      last24Hours,
      averagePerHour: this.#totalInvalidations / hoursObserved,
      warningPerHour: this.options.invalidationWarningPerHour,
      criticalPerHour: this.options.invalidationCriticalPerHour,
    });
  }

  getInvalidationRecommendations(): Recommendation[] {
    return invalidationRecommendations(this.getInvalidationFrequencyStats());
  }

  /** Retained measurements slower than `multiplier` × the average of their kind (per operation). */
  getRecentSlowOperations(multiplier = 2): SlowOperations {
    if (typeof multiplier !== 'number' || !(multiplier > 0) || !Number.isFinite(multiplier)) {
      throw new ValidationError('multiplier must be a positive number', { option: 'multiplier' });
    }
    return {
      keyGeneration: slowerThan(this.#retained(this.#keyGeneration), multiplier, (m) => m.operation),
      cacheOperations: slowerThan(this.#retained(this.#operations), multiplier, (m) => m.operation),
      compression: slowerThan(this.#retained(this.#compression), multiplier, () => 'compression'),
    };
  }

  /** Every retained measurement, for export to other tools. */
  exportMetrics(): ExportedMetrics {
    return {
      exportedAt: new Date().toISOString(),
      retentionHours: this.options.retentionHours,
      totals: {
        operations: this.#counts.total,
        hits: this.#counts.hits,
        misses: this.#counts.misses,
        invalidations: this.#totalInvalidations,
      },
      keyGeneration: this.#retained(this.#keyGeneration),
      cacheOperations: this.#retained(this.#operations),
      compression: this.#retained(this.#compression),
      memoryUsage: this.#retained(this.#memory),
      invalidations: this.#retained(this.#invalidations),
    };
  }

  /** Forgets every measurement and counter (attached caches stay attached). */
  reset(): void {
    for (const buffer of [
      this.#keyGeneration,
      this.#operations,
      this.#compression,
      this.#memory,
      this.#invalidations,
    ])
      buffer.clear();
    this.#invalidationsByHour.clear();
    this.#totalInvalidations = 0;
    this.#counts.reset();
    this.#firstInvalidationAt = undefined;
    this.#live.reset();
  }

  /** Counts every operation; keeps a measurement for timed ones (`durationMs` set). */
  #onOperation(
    operation: CacheOperation,
    tier: CacheTier,
    outcome: OperationOutcome,
    durationMs: number | undefined,
    l1Missed = false,
  ): void {
    if (operation === 'get') this.#counts.countGet(tier, outcome, l1Missed);
    else this.#counts.countOther();
    if (durationMs !== undefined) {
      const at = this.#clock.now();
      this.#operations.push({ at, operation, tier, outcome, durationMs });
      this.#live.onLatency(tier, at, durationMs);
      this.#live.windows.roll(at);
    }
  }

  #onInvalidation(
    pattern: string,
    keysInvalidated: number,
    durationMs: number,
    type: InvalidationType,
    context: string | undefined,
  ): void {
    const at = this.#clock.now();
    this.#totalInvalidations++;
    this.#firstInvalidationAt ??= at;
    const hour = Math.floor(at / HOUR_MS);
    this.#invalidationsByHour.set(hour, (this.#invalidationsByHour.get(hour) ?? 0) + 1);
    for (const bucket of this.#invalidationsByHour.keys())
      if (bucket <= hour - 24) this.#invalidationsByHour.delete(bucket);
    this.#invalidations.push({
      at,
      pattern,
      keysInvalidated,
      durationMs,
      type,
      ...(context === undefined ? {} : { context }),
    });
  }

  #retained<T extends { at: number }>(buffer: RingBuffer<T>): T[] {
    const cutoff = this.#clock.now() - this.options.retentionHours * HOUR_MS;
    return buffer.toArray((m) => m.at >= cutoff);
  }
}

function assertNonNegative(values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ValidationError(`${name} must be a non-negative finite number`, { option: name });
    }
  }
}
