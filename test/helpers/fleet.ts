import { afterAll } from 'vitest';
import type { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { createRedisCache, sleep, type RedisFixture } from './redis.js';
import { startCacheWorker, type CacheWorker } from './workers.js';

/** Caches in this process and in child processes on the fixture's Redis, all closed after the file. */
export interface Fleet {
  cache: (options?: Parameters<typeof createRedisCache>[1]) => Promise<GenericRedisCache>;
  worker: (keyPrefix: string, options?: Record<string, unknown>) => Promise<CacheWorker>;
}

export function useFleet(redis: RedisFixture): Fleet {
  const caches: GenericRedisCache[] = [];
  const workers: CacheWorker[] = [];
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await Promise.all(workers.map((w) => w.stop()));
  });
  return {
    cache: async (options = {}) => {
      const created = await createRedisCache(redis, options);
      caches.push(created);
      return created;
    },
    worker: async (keyPrefix, options = {}) => {
      const started = await startCacheWorker({ redisUrl: redis.url, keyPrefix, ...options });
      workers.push(started);
      return started;
    },
  };
}

/** Polls until `check` passes; fails after `ms` (a bound far above what is awaited); returns the ms waited. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > ms) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
  return performance.now() - started;
}
