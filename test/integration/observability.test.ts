import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { CachePerformanceMonitor } from '../../src/monitoring/performance-monitor.js';
import { PrometheusExporter } from '../../src/monitoring/prometheus.js';
import { eventually } from '../helpers/fleet.js';
import { createRedisCache, redisBinary, useRedis } from '../helpers/redis.js';

function recordingLogger(): Logger & { lines: { level: string; message: string; fields: object }[] } {
  const lines: { level: string; message: string; fields: object }[] = [];
  const at = (level: string) => (fields: object, message: string) => lines.push({ level, message, fields });
  return { lines, debug: () => undefined, info: at('info'), warn: at('warn'), error: at('error') };
}

describe.runIf(redisBinary)('issue 20: observability of a Redis cache', () => {
  const redis = useRedis();

  it('logs one line when an outage starts and one when it ends, with the breaker cycles in between', async () => {
    const logger = recordingLogger();
    const cache = await createRedisCache(redis, {
      logger,
      // Short enough to keep the test quick, long enough that a stall after the resume starts no second outage.
      commandTimeout: '400ms',
      circuitBreaker: { failureThreshold: 2, resetTimeout: '50ms' },
    });
    let opens = 0;
    cache.on('breaker', (e) => (e.state === 'open' ? opens++ : undefined));
    redis.server?.pause();
    try {
      // Traffic through the freeze until the breaker has opened, then more: no line per failed call.
      await eventually(async () => {
        await cache.get('k');
        return opens >= 1;
      }, 20_000);
      for (let i = 0; i < 200; i++) await cache.get(`k${i}`);
    } finally {
      redis.server?.resume();
    }
    await eventually(async () => {
      await cache.get('k');
      return (await cache.getStats()).redis === 'connected';
    }, 20_000);
    const outageLines = logger.lines.filter(
      (l) => l.level !== 'debug' && /redis/i.test(l.message) && !l.message.startsWith('L1 coherence'),
    );
    expect(outageLines.map((l) => l.level)).toStrictEqual(['warn', 'info']);
    expect(outageLines[0]?.message).toContain('redis unavailable');
    expect(outageLines[1]?.message).toMatch(/restored after [\d.]+ s \(\d+ circuit breaker cycles?\)/);
    expect((outageLines[1]?.fields as { breakerCycles: number }).breakerCycles).toBe(opens);
    await cache.close();
  });

  it('counts L1 misses in the monitor and in Prometheus, and reports factory runs and stale serves', async () => {
    const cache = await createRedisCache(redis);
    const monitor = new CachePerformanceMonitor();
    const exporter = new PrometheusExporter();
    monitor.attach(cache);
    exporter.attach(cache, { namespace: 'obs' });
    await cache.set('a', 1);
    await cache.get('a'); // L1 hit
    await cache.get('absent'); // L1 miss, Redis miss
    await cache.getOrSet('f', async () => 2, { ttl: '50ms', grace: 60 });
    await eventually(async () => (await cache.inspect('f')).graceOnly === true, 5000);
    await cache.getOrSet(
      'f',
      async () => {
        throw new Error('down');
      },
      { ttl: '50ms', grace: 60 },
    );
    const byTier = monitor.getPerformanceStats().cacheOperations?.byTier;
    expect(byTier?.l1).toMatchObject({ hits: 1 });
    expect(byTier?.l1?.misses).toBeGreaterThanOrEqual(2); // 'absent' and the getOrSet reads
    const [minute] = monitor.getWindowedStats();
    expect(minute?.counts.staleServes).toBe(1);
    expect(minute?.counts.factoryRuns).toBe(2);
    expect(minute?.counts.factoryErrors).toBe(1);
    expect(minute?.latency.factory?.count).toBe(2);
    const text = await exporter.metrics();
    expect(text).toMatch(/tiercache_l1_misses_total\{namespace="obs"\} [2-9]/);
    expect(text).toContain('tiercache_stale_serves_total{reason="error",namespace="obs"} 1');
    expect(text).toContain('tiercache_factory_duration_seconds_count{outcome="error",namespace="obs"} 1');
    await cache.close();
  });

  it('inspects a Redis key: tiers, TTL, stored size and codec flags, without its value', async () => {
    const cache = await createRedisCache(redis, { compressionThreshold: 10 });
    await cache.set('big', 'x'.repeat(500), { ttl: 120, tags: ['t'] });
    const inspection = await cache.inspect('big');
    expect(inspection).toMatchObject({
      key: 'big',
      tiers: ['l1', 'redis'],
      tags: ['t'],
      codec: { format: 'json', compression: 'deflate', encrypted: false, grace: false },
    });
    expect(inspection.ttlSeconds).toBeGreaterThan(100);
    expect(inspection.sizeBytes).toBeLessThan(500); // the stored (compressed) size
    expect(JSON.stringify(inspection)).not.toContain('xxxx');
    expect(await cache.inspect('absent')).toStrictEqual({ key: 'absent', tiers: [] });
    await redis.raw.set(`${cache.keyPrefix}foreign`, 'x'); // another service's value: get misses it
    expect((await cache.inspect('foreign')).tiers).toStrictEqual([]);
    expect(await cache.get('foreign')).toBeUndefined();
    await cache.close();
  });
});

describe.runIf(redisBinary)('issue 20: a getOrSet is counted as one get', () => {
  const redis = useRedis();

  it('counts a Redis getOrSet miss once (not again under its lock) and its L1 hits as hits', async () => {
    const cache = await createRedisCache(redis);
    const gets: string[] = [];
    cache.on('operation', (e) => (e.operation === 'get' ? gets.push(`${e.tier}:${e.outcome}`) : undefined));
    expect(await cache.getOrSet('k', async () => 1)).toBe(1);
    expect(await cache.getOrSet('k', async () => 2)).toBe(1);
    expect(gets).toStrictEqual(['redis:miss', 'l1:hit']);
    expect(await cache.getStats()).toMatchObject({ hits: 1, misses: 1 });
    await cache.close();
  });
});
