import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { buildServer } from '../../src/http/server.js';
import { getFreePort, startRedisServer } from '../../src/testing/redis-server.js';
import { eventually } from '../helpers/fleet.js';
import { jsonOf, redisBinary } from '../helpers/redis.js';

describe.runIf(redisBinary)(
  'issue 19 item 1: a service started while Redis is down is never detached',
  () => {
    it('item 1: starts degraded on a Redis cache, says so on /health, and uses Redis once it comes up', async () => {
      const port = await getFreePort();
      const env = { CACHE_PRESET: 'simple', CACHE_REDIS_URL: `redis://127.0.0.1:${port}` };
      const factory = new CacheFactory({ logger: silentLogger });
      const app = await buildServer({ logger: false, env, apiKeys: ['k'], factory });
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const health = async (): Promise<{ status: string; cache: { type: string; redis: string } }> =>
        jsonOf(await fetch(`${base}/health`));
      try {
        expect(await health()).toMatchObject({
          status: 'degraded',
          cache: { type: 'redis', redis: 'degraded' },
        });
        const redis = await startRedisServer({ port });
        const raw = new Redis(redis.url);
        try {
          await raw.set('tiercache:user:1', 'x'); // a key under the service's prefix
          await eventually(async () => (await health()).status === 'healthy', 10_000);
          const invalidation = await fetch(`${base}/internal/cache/invalidate?pattern=user:*`, {
            method: 'POST',
            headers: { authorization: 'Bearer k' },
          });
          expect(invalidation.status).toBe(200);
          expect(await raw.exists('tiercache:user:1')).toBe(0); // it reached Redis
        } finally {
          raw.disconnect();
          await redis.stop();
        }
      } finally {
        await app.close();
      }
    });

    it('item 1: the factory API keeps the original in-memory fallback, logged as an error', async () => {
      const errors: string[] = [];
      const logger = { ...silentLogger, error: (_: object, message: string) => void errors.push(message) };
      const factory = new CacheFactory({ logger });
      const port = await getFreePort();
      const cache = await factory.fromEnvironment({
        CACHE_PRESET: 'simple',
        CACHE_REDIS_URL: `redis://127.0.0.1:${port}`,
        CACHE_CUSTOM_CONFIG: JSON.stringify({ connectTimeout: '200ms' }),
      });
      expect(cache.constructor.name).toBe('InMemoryCache');
      expect(errors[0]).toMatch(/falling back to a private in-memory cache that will not reconnect/);
      await cache.close();
    });
  },
);
