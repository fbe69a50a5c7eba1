import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { IN_PROCESS_TIMING_SAMPLE, type OperationEvent } from '../../src/core/events.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { CachePerformanceMonitor } from '../../src/monitoring/performance-monitor.js';
import { PrometheusExporter } from '../../src/monitoring/prometheus.js';
import { percentile, summarize } from '../../src/core/statistics.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

const HOUR = 3_600_000;

function setup(options: ConstructorParameters<typeof CachePerformanceMonitor>[0] = {}) {
  const clock = new ManualClock();
  const monitor = new CachePerformanceMonitor({ clock, ...options });
  return { clock, monitor };
}

describe('CachePerformanceMonitor fed by cache events', () => {
  it('counts hits and misses of get only, and every operation', async () => {
    const { monitor } = setup();
    const cache = new InMemoryCache();
    monitor.attach(cache);
    await cache.set('a', 1);
    await cache.get('a');
    await cache.get('a');
    await cache.get('missing');
    await cache.exists('missing');
    await cache.delete('a');
    await cache.getMany(['a', 'b']);
    const stats = monitor.getPerformanceStats();
    expect(stats).toMatchObject({
      cacheHits: 2,
      cacheMisses: 1,
      totalCacheOperations: 7,
      cacheHitRate: 66.67,
      retentionHours: 1,
    });
    // Every operation is counted; in-process gets are timed one in 64, the other operations always.
    expect(stats.cacheOperations?.byOperation.get).toBeUndefined();
    expect(Object.keys(stats.cacheOperations?.byOperation ?? {}).sort()).toStrictEqual([
      'delete',
      'exists',
      'getMany',
      'set',
    ]);
    expect(stats.cacheOperations?.byTier.memory).toMatchObject({ count: 4 });
    expect(stats.keyGeneration).toBeUndefined();
  });

  it('times one in-process get in IN_PROCESS_TIMING_SAMPLE and keeps the hit rate exact', async () => {
    const { monitor } = setup();
    const cache = new InMemoryCache();
    monitor.attach(cache);
    await cache.set('a', 1);
    const gets = 4 * IN_PROCESS_TIMING_SAMPLE;
    for (let i = 0; i < gets; i++) await cache.get(i % 2 ? 'a' : 'missing');
    const stats = monitor.getPerformanceStats();
    expect(stats).toMatchObject({ cacheHits: gets / 2, cacheMisses: gets / 2, cacheHitRate: 50 });
    expect(stats.cacheOperations?.byOperation.get?.count).toBe(4);
  });

  it('stops counting after detach', async () => {
    const { monitor } = setup();
    const cache = new InMemoryCache();
    const detach = monitor.attach(cache);
    await cache.get('x');
    detach();
    await cache.get('x');
    expect(monitor.getPerformanceStats().cacheMisses).toBe(1);
  });

  it('records invalidations with pattern, keys, type and context', async () => {
    const { monitor } = setup();
    const cache = new InMemoryCache();
    monitor.attach(cache);
    await cache.setMany([
      { key: 'user:1', value: 1 },
      { key: 'user:2', value: 2 },
    ]);
    await cache.invalidatePattern('user:', 'profile update');
    await cache.clear();
    const stats = monitor.getInvalidationFrequencyStats();
    expect(stats).toMatchObject({ totalOperations: 2, totalKeysInvalidated: 2 });
    expect(stats.patterns.invalidationTypes).toStrictEqual({ pattern: 1, clear: 1 });
    expect(monitor.exportMetrics().invalidations[0]).toMatchObject({
      pattern: 'user:',
      keysInvalidated: 2,
      context: 'profile update',
    });
  });
});

describe('CachePerformanceMonitor maths on known durations', () => {
  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([50, 95, 99, 100].map((p) => percentile(values, p))).toStrictEqual([50, 95, 99, 100]);
    expect(summarize([4, 1, 3, 2])).toStrictEqual({
      count: 4,
      avgMs: 2.5,
      minMs: 1,
      maxMs: 4,
      p50Ms: 2,
      p95Ms: 4,
      p99Ms: 4,
    });
    expect(summarize([]).count).toBe(0);
  });

  it('summarizes operations per operation and counts slow ones', () => {
    const { monitor } = setup();
    for (let i = 1; i <= 100; i++)
      monitor.recordCacheOperation('get', i, 'redis', i % 4 === 0 ? 'miss' : 'hit');
    monitor.recordCacheOperation('set', 200, 'redis');
    const ops = monitor.getPerformanceStats().cacheOperations!;
    expect(ops.byOperation.get).toMatchObject({
      count: 100,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
      maxMs: 100,
      avgMs: 50.5,
    });
    expect(ops.slowOperations).toBe(51); // 51..100 and 200 are above 50 ms
    expect(ops.byTier.redis).toMatchObject({ hits: 75, misses: 25 });
    expect(monitor.getPerformanceStats().cacheHitRate).toBe(75);
  });

  it('summarizes key generation and compression', () => {
    const { monitor } = setup();
    monitor.recordKeyGeneration(10, 100, 'summarize');
    monitor.recordKeyGeneration(150, 300, 'summarize');
    monitor.recordCompression(1000, 250, 2);
    monitor.recordCompression(1000, 750, 4);
    const stats = monitor.getPerformanceStats();
    expect(stats.keyGeneration).toMatchObject({
      count: 2,
      avgMs: 80,
      slowOperations: 1,
      avgTextLength: 200,
      maxTextLength: 300,
    });
    expect(stats.compression).toStrictEqual({
      count: 2,
      avgCompressionRatio: 0.5,
      bestCompressionRatio: 0.25,
      worstCompressionRatio: 0.75,
      avgCompressionTimeMs: 3,
      totalBytesProcessed: 2000,
      totalBytesSaved: 1000,
      overallSavingsPercent: 50,
    });
  });

  it('finds operations slower than a multiple of their average', () => {
    const { monitor } = setup();
    for (let i = 0; i < 9; i++) monitor.recordCacheOperation('get', 1);
    monitor.recordCacheOperation('get', 50);
    monitor.recordCacheOperation('set', 5);
    const slow = monitor.getRecentSlowOperations(2);
    expect(slow.cacheOperations.map((m) => [m.operation, m.durationMs, m.timesAverage])).toStrictEqual([
      ['get', 50, 8.47],
    ]);
    expect(monitor.getRecentSlowOperations(10).cacheOperations).toHaveLength(0);
    expect(() => monitor.getRecentSlowOperations(0)).toThrow('multiplier must be a positive number');
  });
});

describe('CachePerformanceMonitor retention and bounds', () => {
  it('drops measurements older than the retention but keeps totals', () => {
    const { clock, monitor } = setup({ retentionHours: 1 });
    monitor.recordCacheOperation('get', 5, 'memory', 'hit');
    clock.advance(HOUR + 1);
    monitor.recordCacheOperation('get', 7, 'memory', 'miss');
    const stats = monitor.getPerformanceStats();
    expect(stats.cacheOperations?.count).toBe(1);
    expect(stats).toMatchObject({ cacheHits: 1, cacheMisses: 1 });
    expect(monitor.exportMetrics().cacheOperations).toHaveLength(1);
  });

  it('keeps at most maxMeasurements per kind', () => {
    const { monitor } = setup({ maxMeasurements: 10 });
    for (let i = 0; i < 25; i++) monitor.recordCacheOperation('get', i);
    const kept = monitor.exportMetrics().cacheOperations.map((m) => m.durationMs);
    expect(kept).toStrictEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(monitor.getPerformanceStats().totalCacheOperations).toBe(25);
  });

  it('forgets everything on reset', () => {
    const { monitor } = setup();
    monitor.recordCacheOperation('get', 1, 'memory', 'hit');
    monitor.recordInvalidation('x', 1, 1);
    monitor.reset();
    expect(monitor.getPerformanceStats()).toMatchObject({ totalCacheOperations: 0, cacheHits: 0 });
    expect(monitor.getPerformanceStats().invalidation).toBeUndefined();
    expect(monitor.exportMetrics().invalidations).toHaveLength(0);
  });
});

describe('CachePerformanceMonitor alerts and advice', () => {
  const invalidate = (
    monitor: CachePerformanceMonitor,
    count: number,
    keys = 3,
    pattern = (i: number) => `p${i % 5}`,
  ) => {
    for (let i = 0; i < count; i++) monitor.recordInvalidation(pattern(i), keys, 2);
  };

  it('stays quiet below 50 invalidations an hour', () => {
    const { monitor } = setup();
    invalidate(monitor, 49);
    expect(monitor.getInvalidationRecommendations()).toStrictEqual([]);
  });

  it('warns at 50 an hour and is critical at 100', () => {
    const { monitor } = setup();
    invalidate(monitor, 50);
    expect(monitor.getInvalidationRecommendations().map((r) => [r.severity, r.issue])).toStrictEqual([
      ['warning', 'elevated_invalidation_rate'],
    ]);
    invalidate(monitor, 50);
    expect(monitor.getInvalidationRecommendations().map((r) => [r.severity, r.issue])).toStrictEqual([
      ['critical', 'high_invalidation_rate'],
    ]);
  });

  it('counts the last hour, the last 24 hours and the hourly average separately', () => {
    const { clock, monitor } = setup({ retentionHours: 1 });
    invalidate(monitor, 60);
    clock.advance(2 * HOUR);
    invalidate(monitor, 10);
    const stats = monitor.getInvalidationFrequencyStats();
    expect(stats.frequency).toStrictEqual({ lastHour: 10, last24Hours: 70, averagePerHour: 35 });
    expect(monitor.getInvalidationRecommendations()).toStrictEqual([]);
    clock.advance(25 * HOUR);
    expect(monitor.getInvalidationFrequencyStats().frequency.last24Hours).toBe(0);
  });

  it('points out invalidations that match nothing, a dominant pattern, broad and slow ones', () => {
    const { monitor } = setup();
    invalidate(monitor, 12, 0, () => 'same');
    const issues = monitor.getInvalidationRecommendations().map((r) => r.issue);
    expect(issues).toStrictEqual(['low_invalidation_efficiency', 'dominant_pattern']);
    const broad = setup().monitor;
    for (let i = 0; i < 5; i++) broad.recordInvalidation(`b${i}`, 5000, 250);
    expect(broad.getInvalidationRecommendations().map((r) => r.issue)).toStrictEqual([
      'broad_invalidations',
      'slow_invalidations',
    ]);
  });

  it('warns about memory above the warning and critical thresholds', () => {
    const { monitor } = setup({ memoryWarningThresholdBytes: 1000, memoryCriticalThresholdBytes: 2000 });
    expect(monitor.getMemoryWarnings()).toStrictEqual([]);
    monitor.recordMemoryUsage({ l1Entries: 10, l1Bytes: 500 });
    expect(monitor.getMemoryWarnings()).toStrictEqual([]);
    expect(monitor.getMemoryUsageStats()?.status).toBe('ok');
    monitor.recordMemoryUsage({ l1Entries: 10, l1Bytes: 600, redisBytes: 600 });
    expect(monitor.getMemoryWarnings().map((w) => w.severity)).toStrictEqual(['warning']);
    monitor.recordMemoryUsage({ l1Entries: 10, l1Bytes: 2500 });
    expect(monitor.getMemoryWarnings().map((w) => w.severity)).toStrictEqual(['critical']);
    expect(monitor.getMemoryUsageStats()?.trend).toStrictEqual({
      measurements: 3,
      avgTotalBytes: 1400,
      maxTotalBytes: 2500,
    });
  });

  it('samples memory from attached caches', async () => {
    const { monitor } = setup();
    const cache = new InMemoryCache();
    monitor.attach(cache);
    await cache.setMany([
      { key: 'a', value: 'x'.repeat(100) },
      { key: 'b', value: 1 },
    ]);
    await monitor.sampleMemory();
    expect(monitor.getMemoryUsageStats()?.current).toMatchObject({ l1Entries: 2 });
    expect(monitor.getMemoryUsageStats()!.current.l1Bytes).toBeGreaterThan(100);
  });
});

describe('CachePerformanceMonitor input validation', () => {
  it.each([
    [
      () => new CachePerformanceMonitor().recordCacheOperation('get', -1),
      'durationMs must be a non-negative finite number',
    ],
    [
      () => new CachePerformanceMonitor().recordCacheOperation('get', Number.NaN),
      'durationMs must be a non-negative finite number',
    ],
    [
      () => new CachePerformanceMonitor().recordKeyGeneration(1, Number.POSITIVE_INFINITY, 'op'),
      'textLength must be a non-negative finite number',
    ],
    [
      () => new CachePerformanceMonitor().recordCompression(-5, 1, 1),
      'originalBytes must be a non-negative finite number',
    ],
    [
      () => new CachePerformanceMonitor().recordMemoryUsage({ l1Entries: -1, l1Bytes: 0 }),
      'l1Entries must be a non-negative finite number',
    ],
    [() => new CachePerformanceMonitor().recordInvalidation(1 as never, 1, 1), 'pattern must be a string'],
    [() => new CachePerformanceMonitor({ retentionHours: 0 }), 'retentionHours must be a positive number'],
    [
      () => new CachePerformanceMonitor({ maxMeasurements: 1.5 }),
      'maxMeasurements must be a positive integer',
    ],
    [
      () => new CachePerformanceMonitor({ memoryWarningThresholdBytes: 10, memoryCriticalThresholdBytes: 5 }),
      'memoryCriticalThresholdBytes must not be below',
    ],
    [() => new CachePerformanceMonitor({ retention: 1 } as never), 'unknown option: retention'],
  ])('rejects bad input (%#)', (call, message) => {
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(message);
  });

  it('never throws into the cache when a monitor listener fails', async () => {
    const cache = new InMemoryCache({ logger: { debug() {}, info() {}, warn() {}, error() {} } });
    cache.on('operation', () => {
      throw new Error('broken');
    });
    new CachePerformanceMonitor().attach(cache);
    await expect(cache.set('k', 1)).resolves.toBeUndefined();
  });
});

describe('operation events: one per operation', () => {
  it('keeps exact counts for thousands of in-process hits and misses', async () => {
    const monitor = new CachePerformanceMonitor();
    const cache = new InMemoryCache({ maxSize: 10 });
    monitor.attach(cache);
    await cache.set('k', 1);
    for (let i = 0; i < 1000; i++) await cache.get('k');
    for (let i = 0; i < 300; i++) await cache.get(`missing${i}`);
    const stats = monitor.getPerformanceStats();
    expect(stats.cacheHits).toBe(1000);
    expect(stats.cacheMisses).toBe(300);
    expect(stats.cacheOperations?.byTier.memory).toMatchObject({ hits: 1000, misses: 300 });
  });

  it('announces every operation as one event, as it happens (a listener counting events is exact)', async () => {
    const cache = new InMemoryCache();
    const events: OperationEvent[] = [];
    cache.on('operation', (e) => events.push(e));
    await cache.set('k', 1);
    for (let i = 0; i < 1000; i++) {
      await cache.get('k');
      expect(events).toHaveLength(i + 2); // announced by the get itself, not later in a batch
    }
    await cache.get('missing');
    const gets = events.filter((e) => e.operation === 'get');
    expect(gets.filter((e) => e.outcome === 'hit')).toHaveLength(1000);
    expect(gets.filter((e) => e.outcome === 'miss')).toHaveLength(1);
    expect(events.every((e) => !('count' in e))).toBe(true);
    // One in IN_PROCESS_TIMING_SAMPLE in-process gets is timed; the others are shared frozen events.
    const timed = gets.filter((e) => e.durationMs !== undefined).length;
    expect(timed).toBe(Math.floor(1001 / IN_PROCESS_TIMING_SAMPLE));
    expect(Object.isFrozen(gets.find((e) => e.durationMs === undefined))).toBe(true);
  });

  it('counts exactly in Prometheus at any scrape, and after a cache is closed', async () => {
    const exporter = new PrometheusExporter();
    const cache = new InMemoryCache();
    exporter.attach(cache, { namespace: 'exact' });
    await cache.set('k', 1);
    for (let i = 0; i < 300; i++) await cache.get('k');
    expect(await exporter.registry.metrics()).toContain(
      'tiercache_hits_total{tier="memory",namespace="exact"} 300',
    );
    for (let i = 0; i < 7; i++) await cache.get('k');
    await cache.get('absent');
    await cache.close();
    const text = await exporter.metrics();
    expect(text).toContain('tiercache_hits_total{tier="memory",namespace="exact"} 307');
    expect(text).toContain('tiercache_misses_total{namespace="exact"} 1');
    expect(text).toContain(
      'tiercache_operations_total{operation="get",tier="memory",outcome="hit",namespace="exact"} 307',
    );
  });

  it('counts exactly in Prometheus too', async () => {
    const exporter = new PrometheusExporter();
    const cache = new InMemoryCache();
    exporter.attach(cache, { namespace: 'batch' });
    await cache.set('k', 1);
    for (let i = 0; i < 500; i++) await cache.get('k');
    expect(await exporter.metrics()).toContain('tiercache_hits_total{tier="memory",namespace="batch"} 500');
  });
});
