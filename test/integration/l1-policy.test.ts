import { describe, expect, it } from 'vitest';
import { MEMORY_CACHE_POLICIES } from '../../src/memory/memory-policy.js';
import { GENERIC_REDIS_CACHE_DEFAULTS } from '../../src/redis/options.js';
import { runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { createRedisCache, hasRedis, sleep, useRedis } from '../helpers/redis.js';

// generic-redis-cache.test.ts runs the contract with L1 under the default policy; this file, under the others.
const others = MEMORY_CACHE_POLICIES.filter((p) => p !== GENERIC_REDIS_CACHE_DEFAULTS.memoryCachePolicy);

describe.runIf(hasRedis)('contract over a real redis-server, L1 under each other policy', () => {
  const redis = useRedis();
  it('has another policy to run the contract under', () => {
    expect(others.length).toBeGreaterThan(0); // else this file would silently test nothing
  });
  for (const memoryCachePolicy of others) {
    runCacheContractSuite({
      name: `GenericRedisCache with L1 (memoryCachePolicy '${memoryCachePolicy}')`,
      create: (o) => createRedisCache(redis, { ...o, memoryCachePolicy }),
      advanceTime: sleep,
    });
  }
});
