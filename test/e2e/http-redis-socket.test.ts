import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { buildServer } from '../../src/http/server.js';
import { startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { jsonOf, redisBinary, sleep } from '../helpers/redis.js';

const KEY = 'e2e-key';

describe.runIf(redisBinary)('HTTP API over a real socket with a real redis-server', () => {
  let redis: RedisServer;
  let raw: Redis;
  let app: FastifyInstance;
  let base: string;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${KEY}`, ...(init.headers as Record<string, string>) },
    });

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    raw.on('error', () => undefined);
    await raw.connect();
    const env = {
      CACHE_PRESET: 'simple',
      CACHE_REDIS_URL: redis.url,
      CACHE_CUSTOM_CONFIG: JSON.stringify({ memoryCacheSize: 100 }),
    };
    const factory = new CacheFactory({ logger: silentLogger });
    app = await buildServer({ logger: false, env, apiKeys: [KEY], factory });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app.close();
    raw.disconnect();
    await redis.stop();
  });

  it('reports Redis connected with real key counts and memory', async () => {
    await app.cache.setMany([
      { key: 'user:1', value: 1 },
      { key: 'user:2', value: 2 },
      { key: 'post:1', value: 3 },
    ]);
    const status = await jsonOf(await call('/internal/cache/status'));
    expect(status.redis).toMatchObject({ status: 'connected', keys: 3 });
    expect(status.redis.memory_used_bytes).toBeGreaterThan(0);
    expect(status.security).toMatchObject({
      tls_enabled: false,
      has_authentication: false,
      security_level: 'low',
    });
    const health = await jsonOf(await call('/health'));
    expect(health).toMatchObject({
      status: 'healthy',
      cache: { type: 'redis', redis: 'connected', breaker: 'closed' },
    });
  });

  it('invalidation removes the real keys from Redis', async () => {
    expect(await raw.exists('tiercache:user:1', 'tiercache:user:2', 'tiercache:post:1')).toBe(3);
    const dry = await jsonOf(
      await call('/internal/cache/invalidate?pattern=user:*&dry_run=true', { method: 'POST' }),
    );
    expect(dry).toMatchObject({ keys_invalidated: 2, dry_run: true });
    expect(await raw.exists('tiercache:user:1')).toBe(1);
    const response = await call('/internal/cache/invalidate?pattern=user:*', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toMatchObject({ keys_invalidated: 2, dry_run: false });
    expect(await raw.exists('tiercache:user:1', 'tiercache:user:2')).toBe(0);
    expect(await raw.exists('tiercache:post:1')).toBe(1);
  });

  it('shows metrics after real traffic', async () => {
    for (let i = 0; i < 20; i++) await app.cache.get(i % 2 ? 'post:1' : `missing:${i}`);
    const metrics = await jsonOf(await call('/internal/cache/metrics'));
    expect(metrics.cache_hits).toBeGreaterThanOrEqual(10);
    expect(metrics.cache_misses).toBeGreaterThanOrEqual(10);
    expect(metrics.cache_operations.by_tier.redis.count).toBeGreaterThan(0);
    expect(metrics.memory_usage.current.redis_bytes).toBeGreaterThan(0);
    const prom = await (await call('/internal/cache/metrics/prometheus')).text();
    expect(prom).toMatch(
      /tiercache_operation_duration_seconds_count\{operation="get",tier="redis",namespace="default"\} \d+/,
    );
  });

  it('reports degraded when Redis dies, keeps answering, and recovers after restart', async () => {
    await redis.kill();
    // Degraded once the client has seen the socket close (a generous bound only so a miss fails).
    for (
      const started = performance.now();
      (await jsonOf(await call('/health'))).cache.redis !== 'degraded';
    ) {
      if (performance.now() - started > 30_000) throw new Error('not degraded within 30 s of the kill');
      await sleep(10);
    }
    const health = await call('/health');
    expect(health.status).toBe(200);
    expect(await jsonOf(health)).toMatchObject({
      status: 'degraded',
      cache: { redis: 'degraded', breaker: 'open' },
    });
    const status = await jsonOf(await call('/internal/cache/status'));
    expect(status.redis.status).toBe('disconnected');
    expect((await call('/internal/cache/metrics')).status).toBe(200);
    const invalidation = await call('/internal/cache/invalidate?pattern=post:*', { method: 'POST' });
    expect(invalidation.status).toBe(503);
    expect(await jsonOf(invalidation)).toMatchObject({ success: false, error_code: 'E_INFRASTRUCTURE' });

    await redis.restart();
    // Back by itself (a generous bound only so a broken reconnect fails instead of hanging).
    for (
      const started = performance.now();
      (await jsonOf(await call('/health'))).cache.redis !== 'connected';
    ) {
      if (performance.now() - started > 30_000) throw new Error('not back on Redis within 30 s');
      await sleep(50);
    }
    expect((await jsonOf(await call('/internal/cache/status'))).redis.status).toBe('connected');
  });
});
