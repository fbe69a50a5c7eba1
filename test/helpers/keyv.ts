import * as vitest from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { TiercacheKeyvStore } from '../../src/keyv/keyv-store.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { uniquePrefix, type RedisFixture } from './redis.js';

/**
 * Keyv stores over one GenericRedisCache on the fixture's redis-server, connected before the suite and
 * closed after it (call inside a `describe`). Every `store()` is a new store over the same `cache()`.
 */
export function useKeyvRedisStore(
  redis: RedisFixture,
  prefix: string,
): { store: () => TiercacheKeyvStore; cache: () => GenericRedisCache } {
  let cache: GenericRedisCache | undefined;
  const store = (): TiercacheKeyvStore => {
    cache ??= new GenericRedisCache({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix(prefix),
      logger: silentLogger,
      commandTimeout: '5s', // a loaded machine can stall a command past the 500 ms default
    });
    return new TiercacheKeyvStore(cache);
  };
  vitest.beforeAll(async () => {
    store();
    await cache?.connect();
  });
  vitest.afterAll(async () => cache?.close());
  return { store, cache: () => cache as GenericRedisCache };
}
