import { describe, expect, it } from 'vitest';
import { CachePerformanceMonitor } from '../../src/monitoring/performance-monitor.js';
import { PrometheusExporter } from '../../src/monitoring/prometheus.js';
import { createRedisCache, hasRedis, useRedis } from '../helpers/redis.js';

describe.runIf(hasRedis)('monitoring a GenericRedisCache on a real redis-server', () => {
  const redis = useRedis();

  it('counts every operation by tier and times every Redis round trip', async () => {
    const cache = await createRedisCache(redis, { compressionThreshold: 100 });
    const monitor = new CachePerformanceMonitor();
    const exporter = new PrometheusExporter();
    monitor.attach(cache);
    exporter.attach(cache, { namespace: 'api' });
    await cache.set('a', 'x'.repeat(500)); // compressed
    await cache.get('a'); // L1 hit
    await cache.get('missing'); // Redis miss
    await cache.exists('a');
    await cache.setMany([{ key: 'b', value: 1 }]);
    await cache.getMany(['a', 'b', 'c']);
    await cache.delete('a');
    await cache.deleteMany(['b']);
    await cache.invalidatePattern('nothing', 'test');
    await cache.clear();
    const stats = monitor.getPerformanceStats();
    expect(stats).toMatchObject({ cacheHits: 1, cacheMisses: 1, totalCacheOperations: 8 });
    expect(Object.keys(stats.cacheOperations!.byOperation).sort()).toStrictEqual(
      ['delete', 'deleteMany', 'exists', 'get', 'getMany', 'set', 'setMany'].sort(),
    );
    expect(stats.cacheOperations!.byTier.redis!.misses).toBe(1);
    expect(stats.compression).toMatchObject({ count: 1, totalBytesProcessed: 502 });
    expect(monitor.getInvalidationFrequencyStats().patterns.invalidationTypes).toStrictEqual({
      pattern: 1,
      clear: 1,
    });
    await monitor.sampleMemory();
    const memory = monitor.getMemoryUsageStats()!;
    expect(memory.current.redisBytes).toBeGreaterThan(0);
    expect(memory.current.redisKeys).toBe(0);
    const text = await exporter.metrics();
    expect(text).toContain('tiercache_hits_total{tier="l1",namespace="api"} 1');
    expect(text).toContain('tiercache_misses_total{namespace="api"} 1');
    expect(text).toContain('tiercache_redis_connected{namespace="api"} 1');
    expect(text).toContain('tiercache_circuit_breaker_state{namespace="api"} 0');
    expect(text).toContain(
      'tiercache_operation_duration_seconds_count{operation="get",tier="redis",namespace="api"} 1',
    );
    await cache.close();
  });

  it('reports decode errors to Prometheus and drops a closed cache’s gauges (not a false alarm)', async () => {
    const cache = await createRedisCache(redis, { enableMemoryCache: false });
    const exporter = new PrometheusExporter();
    exporter.attach(cache);
    await redis.raw.set(`${cache.keyPrefix}bad`, 'garbage');
    expect(await cache.get('bad')).toBeUndefined();
    expect(await exporter.metrics()).toContain(
      'tiercache_errors_total{kind="decode",operation="get",tier="redis",namespace="default"} 1',
    );
    expect(await exporter.metrics()).toContain('tiercache_redis_connected{namespace="default"} 1');
    await cache.close(); // the exporter lets go of it: its gauges disappear rather than read 0
    expect(await exporter.metrics()).not.toContain('tiercache_redis_connected{namespace="default"}');
  });
});
