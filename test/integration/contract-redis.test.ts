import { describe } from 'vitest';
import { runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { createRedisCache, hasRedis, sleep, useRedis } from '../helpers/redis.js';

describe.runIf(hasRedis)('contract over a real redis-server', () => {
  const redis = useRedis();
  runCacheContractSuite({
    name: 'GenericRedisCache with L1',
    create: (options) => createRedisCache(redis, options),
    advanceTime: sleep,
  });
  runCacheContractSuite({
    name: 'GenericRedisCache without L1',
    create: (options) => createRedisCache(redis, { ...options, enableMemoryCache: false }),
    advanceTime: sleep,
  });
});
