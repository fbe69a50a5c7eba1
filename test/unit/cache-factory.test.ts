import { describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { ValidationError } from '../../src/core/errors.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';

const factory = () => new CacheFactory({ logger: silentLogger });

async function rejection(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('CacheFactory validation messages (SPEC §6)', () => {
  it.each([
    [{ redisUrl: 42 }, 'redisUrl must be a string'],
    [{ redisUrl: '' }, 'redisUrl cannot be empty'],
    [{ redisUrl: 'http://x' }, "redisUrl must start with 'redis://' or 'rediss://'"],
    [{ redisUrl: 'redis://' }, 'redisUrl must include host information'],
    [{ redisUrl: 'redis://h:port' }, 'redisUrl format is invalid'],
    [{ defaultTtl: 1.5 }, 'defaultTtl must be an integer'],
    [{ defaultTtl: -1 }, 'defaultTtl must be non-negative (0 means no expiration)'],
    [{ defaultTtl: 31_536_001 }, 'defaultTtl must not exceed 365 days (31,536,000 seconds)'],
    [{ failOnConnectionError: 'yes' }, 'failOnConnectionError must be a boolean'],
    [{ enableMemoryCache: 1 }, 'enableMemoryCache must be a boolean'],
    [{ memoryCacheSize: 0 }, 'memoryCacheSize must be a positive integer'],
    [{ compressionThreshold: -1 }, 'compressionThreshold must be a non-negative integer'],
    [{ compressionLevel: 10 }, 'compressionLevel must be an integer between 1 and 9'],
    [{ maxSize: 5 }, 'unknown option: maxSize'],
  ])('forWebApp(%j)', async (options, message) => {
    const error = await rejection(factory().forWebApp(options as never));
    expect(error.message).toBe(`Factory input validation failed: ${message}`);
  });

  it('collects every problem into one error', async () => {
    const error = await rejection(factory().forWebApp({ redisUrl: '', defaultTtl: -1, compressionLevel: 0 }));
    expect(error.errors).toStrictEqual([
      'redisUrl cannot be empty',
      'defaultTtl must be non-negative (0 means no expiration)',
      'compressionLevel must be an integer between 1 and 9',
    ]);
    expect(error.message).toBe(`Factory input validation failed: ${error.errors.join('; ')}`);
  });

  it.each([
    [{ textHashThreshold: -1 }, 'textHashThreshold must be a non-negative integer'],
    [{ operationTtls: 'x' }, 'operationTtls must be a dictionary (an object of operation name to TTL)'],
    [{ operationTtls: { ' ': 5 } }, 'operationTtls keys must be non-empty strings'],
    [{ operationTtls: { summarize: -5 } }, "operationTtls['summarize'] must be a non-negative integer"],
    [{ memoryCacheSize: -2 }, 'memoryCacheSize must be a positive integer'],
  ])('forAIApp(%j)', async (options, message) => {
    const error = await rejection(factory().forAIApp(options as never));
    expect(error.message).toBe(`AI application cache validation failed: ${message}`);
  });

  it('forTesting checks useMemoryCache', async () => {
    const error = await rejection(factory().forTesting({ useMemoryCache: 'yes' as never }));
    expect(error.message).toBe('Factory input validation failed: useMemoryCache must be a boolean');
  });

  it.each([
    [[], 'config must be a dictionary (a plain object)'],
    [{}, 'config dictionary cannot be empty: redisUrl is required in config'],
    [{ defaultTtl: 60 }, 'redisUrl is required in config'],
    [{ redisUrl: 'redis://h:1', colour: 'red' }, 'unknown option: colour'],
    [
      { redisUrl: 'redis://h:1', preset: 'huge' },
      'preset must be one of disabled, minimal, simple, development, production, ai-development, ai-production',
    ],
    [{ redisUrl: 'redis://h:1', aiConfig: [] }, 'aiConfig must be a dictionary (a plain object)'],
    [
      { redisUrl: 'redis://h:1', aiConfig: { textHashThreshold: -1 } },
      'textHashThreshold must be a non-negative integer',
    ],
  ])('createCacheFromConfig(%j)', async (config, message) => {
    const error = await rejection(factory().createCacheFromConfig(config as never));
    expect(error.message).toBe(`Factory input validation failed: ${message}`);
  });
});

describe('CacheFactory without Redis', () => {
  it('forTesting with useMemoryCache builds an InMemoryCache with the testing defaults', async () => {
    const cache = await factory().forTesting({ useMemoryCache: true });
    expect(cache).toBeInstanceOf(InMemoryCache);
    expect(cache).toMatchObject({ defaultTtl: 60, maxSize: 50 });
  });

  it("createCacheFromConfig with preset 'disabled' builds an in-memory cache", async () => {
    const cache = await factory().createCacheFromConfig({
      preset: 'disabled',
      defaultTtl: 90,
      memoryCacheSize: 5,
    });
    expect(cache).toBeInstanceOf(InMemoryCache);
    expect(cache).toMatchObject({ defaultTtl: 90, maxSize: 5 });
  });

  it.each([
    ['disabled', InMemoryCache, 300, 10],
    ['minimal', InMemoryCache, 900, 25],
    ['simple', InMemoryCache, 3600, 100],
    ['development', InMemoryCache, 600, 50],
    ['ai-development', AIResponseCache, 1800, 100],
  ])('fromEnvironment with CACHE_PRESET=%s and no Redis builds %o', async (preset, type, ttl, size) => {
    const cache = await factory().fromEnvironment({ CACHE_PRESET: preset });
    expect(cache).toBeInstanceOf(type);
    const memory = (cache instanceof AIResponseCache ? cache.cache : cache) as InMemoryCache;
    expect(memory).toMatchObject({ defaultTtl: ttl, maxSize: size });
    await cache.close();
  });

  it('applies the AI preset settings to the AI cache it builds', async () => {
    const cache = (await factory().fromEnvironment({ CACHE_PRESET: 'ai-development' })) as AIResponseCache;
    expect(cache.keyGenerator.textHashThreshold).toBe(500);
    expect(cache.textSizeTiers).toStrictEqual({ small: 500, medium: 2000, large: 10000 });
    expect(cache.operationTtls.sentiment).toBe(900);
    expect(cache.maxTextLength).toBe(50000);
  });

  it('refuses an insecure production configuration, naming every missing piece', async () => {
    const attempt = factory().fromEnvironment({
      CACHE_PRESET: 'production',
      CACHE_REDIS_URL: 'redis://127.0.0.1:1',
    });
    await expect(attempt).rejects.toThrow(
      /cache configuration is invalid: .*TLS is off.*no Redis password.*no encryption key/,
    );
  });

  it('wires every cache it builds to the shared monitor, unless monitoring is off', async () => {
    const f = factory();
    const cache = await f.forTesting({ useMemoryCache: true });
    await cache.get('x');
    expect(f.performanceMonitor.getPerformanceStats().cacheMisses).toBe(1);
    const quiet = await f.fromEnvironment({ CACHE_PRESET: 'minimal' });
    await quiet.get('x');
    expect(f.performanceMonitor.getPerformanceStats().cacheMisses).toBe(1);
  });
});
