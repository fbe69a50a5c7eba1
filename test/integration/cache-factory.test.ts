import { describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { InfrastructureError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { getFreePort } from '../../src/testing/redis-server.js';
import { hasRedis, uniquePrefix, useRedis } from '../helpers/redis.js';

const factory = () => new CacheFactory({ logger: silentLogger });
const closedPortUrl = async () => `redis://127.0.0.1:${await getFreePort()}`;

describe.runIf(hasRedis)('CacheFactory with a real redis-server', () => {
  const redis = useRedis();

  it('turns the bus and TTL jitter on from CACHE_CUSTOM_CONFIG', async () => {
    const cache = (await factory().fromEnvironment({
      CACHE_PRESET: 'simple',
      CACHE_REDIS_URL: redis.url,
      CACHE_CUSTOM_CONFIG: JSON.stringify({ bus: true, ttlJitter: 0.5 }),
    })) as GenericRedisCache;
    expect(cache.busChannel).toBe(`__tiercache__:${cache.keyPrefix}bus`);
    const ttls = new Set<number>();
    for (let i = 0; i < 20; i++) {
      await cache.set(`jitter:${i}`, i, 1000);
      ttls.add(Math.round((await redis.raw.pttl(`${cache.keyPrefix}jitter:${i}`)) / 1000));
    }
    expect(ttls.size).toBeGreaterThan(5);
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(499);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(1500);
    await cache.clear();
    await cache.close();
    await expect(
      factory().fromEnvironment({
        CACHE_PRESET: 'simple',
        CACHE_CUSTOM_CONFIG: '{"ttlJitter": 2, "bus": "yes"}',
      }),
    ).rejects.toThrow(
      /bus must be a boolean or \{ channel\?: string \}; ttlJitter must be a number between 0 and 1/,
    );
  });

  it('forWebApp connects with its defaults and honours every option', async () => {
    const cache = (await factory().forWebApp({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('web'),
      compressionThreshold: 10,
    })) as GenericRedisCache;
    expect(cache).toBeInstanceOf(GenericRedisCache);
    expect(cache.defaultTtl).toBe(1800);
    await cache.set('k', 'x'.repeat(50));
    const raw = await redis.raw.getBuffer(`${cache.keyPrefix}k`);
    expect(raw![2]! & 0b1100).toBe(0b0100); // compressed: the threshold of 10 bytes was honoured
    expect(await redis.raw.ttl(`${cache.keyPrefix}k`)).toBeGreaterThan(1790);
    expect((await cache.getStats()).l1?.maxSize).toBe(200);
    await cache.clear();
    await cache.close();
  });

  it('forAIApp builds an AIResponseCache over Redis with the AI defaults', async () => {
    const cache = await factory().forAIApp({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('ai'),
      operationTtls: { qa: 60 },
    });
    expect(cache).toBeInstanceOf(AIResponseCache);
    expect(cache.cache).toBeInstanceOf(GenericRedisCache);
    expect(cache.keyGenerator.textHashThreshold).toBe(500);
    expect(cache.ttlFor('qa')).toBe(60);
    expect(cache.ttlFor('summarize')).toBe(7200);
    await cache.getOrCompute({ operation: 'qa', text: 't' }, () => 'a');
    const prefix = (cache.cache as GenericRedisCache).keyPrefix;
    expect(await redis.raw.ttl(`${prefix}${cache.buildKey('t', 'qa')}`)).toBeGreaterThan(50);
    await cache.clear();
    await cache.close();
    const client = (cache.cache as GenericRedisCache).client;
    await new Promise((resolve) =>
      client.status === 'end' ? resolve(undefined) : client.once('end', resolve),
    );
    expect(client.status).toBe('end'); // the AI cache owned its Redis cache and closed it
  });

  it('forTesting connects to the given server without an L1', async () => {
    const cache = (await factory().forTesting({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('testing'),
    })) as GenericRedisCache;
    expect(cache).toBeInstanceOf(GenericRedisCache);
    expect((await cache.getStats()).l1).toBeUndefined();
    expect(cache.defaultTtl).toBe(60);
    await cache.close();
  });

  it('falls back to memory with the same defaultTtl and size when Redis is unreachable', async () => {
    const web = await factory().forWebApp({
      redisUrl: await closedPortUrl(),
      defaultTtl: 123,
      memoryCacheSize: 7,
      connectTimeout: 300,
    });
    expect(web).toBeInstanceOf(InMemoryCache);
    expect(web).toMatchObject({ defaultTtl: 123, maxSize: 7 });
    const ai = await factory().forAIApp({ redisUrl: await closedPortUrl(), connectTimeout: 300 });
    expect(ai.cache).toBeInstanceOf(InMemoryCache);
    expect(await ai.getOrCompute({ operation: 'summarize', text: 'x' }, () => 's')).toBe('s');
    expect(ai.getOperationPerformance().summarize?.misses).toBe(1);
    const testing = await factory().forTesting({ redisUrl: await closedPortUrl(), connectTimeout: 300 });
    expect(testing).toBeInstanceOf(InMemoryCache);
  });

  it.each([
    ['forWebApp', 'web application'],
    ['forAIApp', 'AI application'],
    ['forTesting', 'testing'],
  ] as const)(
    '%s with failOnConnectionError throws InfrastructureError within connectTimeout',
    async (method, label) => {
      const url = await closedPortUrl();
      const attempt = factory()[method]({ redisUrl: url, failOnConnectionError: true, connectTimeout: 400 });
      await expect(attempt).rejects.toBeInstanceOf(InfrastructureError);
      await expect(
        factory()[method]({ redisUrl: url, failOnConnectionError: true, connectTimeout: 400 }),
      ).rejects.toThrow(new RegExp(`^Redis connection failed for ${label} cache: connect ECONNREFUSED`));
    },
  );

  it('createCacheFromConfig builds a web or an AI cache from the config', async () => {
    const web = await factory().createCacheFromConfig({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('cfg'),
      defaultTtl: 42,
    });
    expect(web).toBeInstanceOf(GenericRedisCache);
    expect((web as GenericRedisCache).defaultTtl).toBe(42);
    const ai = await factory().createCacheFromConfig({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('cfg'),
      aiConfig: { textHashThreshold: 0 },
    });
    expect(ai).toBeInstanceOf(AIResponseCache);
    expect((ai as AIResponseCache).keyGenerator.textHashThreshold).toBe(0);
    await expect(
      factory().createCacheFromConfig(
        { redisUrl: await closedPortUrl(), connectTimeout: 300 },
        { failOnConnectionError: true },
      ),
    ).rejects.toThrow('Redis connection failed for configured cache');
    await web.close();
    await ai.close();
  });

  it.each([
    ['simple', GenericRedisCache, 3600, 100],
    ['development', GenericRedisCache, 600, 50],
    ['minimal', GenericRedisCache, 900, 25],
    ['production', GenericRedisCache, 7200, 500],
    ['ai-development', AIResponseCache, 1800, 100],
    ['ai-production', AIResponseCache, 14400, 1000],
  ])(
    'fromEnvironment with CACHE_PRESET=%s and CACHE_REDIS_URL builds %o',
    async (preset, type, ttl, size) => {
      const env = {
        CACHE_PRESET: preset,
        CACHE_REDIS_URL: redis.url,
        REDIS_INSECURE_ALLOW_PLAINTEXT: 'true',
      };
      const cache = await factory().fromEnvironment(env);
      expect(cache).toBeInstanceOf(type);
      const redisCache = (cache instanceof AIResponseCache ? cache.cache : cache) as GenericRedisCache;
      expect(redisCache).toBeInstanceOf(GenericRedisCache);
      expect(redisCache.defaultTtl).toBe(ttl);
      expect((await redisCache.getStats()).l1?.maxSize).toBe(size);
      expect((await redisCache.getServerStatus()).status).toBe('connected');
      await cache.close();
    },
  );
});
