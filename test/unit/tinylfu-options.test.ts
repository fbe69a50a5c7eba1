import { describe, expect, it } from 'vitest';
import { ConfigurationError, ValidationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { readEnvironment } from '../../src/config/env.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { InMemoryCache, IN_MEMORY_CACHE_DEFAULTS } from '../../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { GENERIC_REDIS_CACHE_DEFAULTS } from '../../src/redis/options.js';

const factory = () => new CacheFactory({ logger: silentLogger });
const allowed = "must be 'lru' or 'tinylfu'";

describe('issue 24: the eviction policy through every configuration door', () => {
  it('InMemoryCache takes policy, with its default from the definition', () => {
    expect(new InMemoryCache().policy).toBe(IN_MEMORY_CACHE_DEFAULTS.policy);
    expect(new InMemoryCache({ policy: 'tinylfu' }).policy).toBe('tinylfu');
    expect(new InMemoryCache({ policy: 'lru' }).policy).toBe('lru');
  });

  it('a Redis cache refuses an unknown memoryCachePolicy, naming the allowed values', async () => {
    expect(() => new GenericRedisCache({ memoryCachePolicy: 'lfu' as never })).toThrow(ValidationError);
    expect(() => new GenericRedisCache({ memoryCachePolicy: 'lfu' as never })).toThrow(
      `memoryCachePolicy ${allowed}`,
    );
    const cache = new GenericRedisCache({ memoryCachePolicy: 'tinylfu', logger: silentLogger });
    await cache.close();
  });

  it('CACHE_MEMORY_CACHE_POLICY reaches the configuration, with its source', () => {
    expect(readEnvironment({ CACHE_MEMORY_CACHE_POLICY: 'tinylfu' }).values.memoryCachePolicy).toBe(
      'tinylfu',
    );
    const { config, sources } = resolveConfig({ env: { CACHE_MEMORY_CACHE_POLICY: 'tinylfu' } });
    expect(config.memoryCachePolicy).toBe('tinylfu');
    expect(sources.memoryCachePolicy).toBe('env:CACHE_MEMORY_CACHE_POLICY');
    expect(resolveConfig({ env: {} }).config.memoryCachePolicy).toBe(
      GENERIC_REDIS_CACHE_DEFAULTS.memoryCachePolicy,
    );
  });

  it('an invalid CACHE_MEMORY_CACHE_POLICY fails fast, naming the allowed values', async () => {
    const error = await factory()
      .fromEnvironment({ CACHE_PRESET: 'simple', CACHE_MEMORY_CACHE_POLICY: 'random' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(`memoryCachePolicy ${allowed}`);
  });

  it('the factory passes memoryCachePolicy to the in-memory cache it builds', async () => {
    const testing = await factory().forTesting({ useMemoryCache: true, memoryCachePolicy: 'tinylfu' });
    expect(testing).toMatchObject({ policy: 'tinylfu' });
    const configured = await factory().createCacheFromConfig({
      preset: 'disabled',
      memoryCachePolicy: 'tinylfu',
    });
    expect(configured).toMatchObject({ policy: 'tinylfu' });
    const fromEnv = await factory().fromEnvironment({
      CACHE_PRESET: 'simple',
      CACHE_MEMORY_CACHE_POLICY: 'tinylfu',
    });
    expect(fromEnv).toMatchObject({ policy: 'tinylfu' });
  });

  it('the factory refuses an unknown memoryCachePolicy in options and configurations', async () => {
    for (const attempt of [
      factory().forWebApp({ memoryCachePolicy: 'lfu' as never }),
      factory().createCacheFromConfig({ preset: 'disabled', memoryCachePolicy: 'lfu' }),
    ]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(`memoryCachePolicy ${allowed}`);
    }
  });
});
