import { LRUCache } from 'lru-cache';
import { silentLogger } from '../../src/core/logger.js';
import { CachePerformanceMonitor } from '../../src/monitoring/performance-monitor.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { Scenario } from '../harness.js';
import { kilobyteObject, keysOf } from './data.js';

const KEYS = 1000;
const BATCH = 1000;

export const l1GetHit: Scenario = {
  name: 'l1-get-hit',
  description: 'GenericRedisCache get served from L1, 1 KB value, sequential awaits',
  needsRedis: true,
  async setup({ redisUrl }) {
    const keys = keysOf('doc', KEYS);
    const cache = new GenericRedisCache({
      redisUrl,
      memoryCacheSize: KEYS,
      keyPrefix: 'bench:l1:',
      logger: silentLogger,
    });
    await cache.connect();
    const lru = new LRUCache<string, object>({ max: KEYS });
    for (const [i, key] of keys.entries()) {
      await cache.set(key, kilobyteObject(i));
      lru.set(key, kilobyteObject(i));
    }
    const monitored = new GenericRedisCache({
      redisUrl,
      memoryCacheSize: KEYS,
      keyPrefix: 'bench:l1:',
      logger: silentLogger,
    });
    await monitored.connect();
    new CachePerformanceMonitor().attach(monitored);
    for (const key of keys) await monitored.get(key); // promote into its L1
    const asyncLruGet = async (key: string) => lru.get(key);
    let i = 0;
    return {
      cases: [
        {
          label: 'tiercache L1 hit',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++) await cache.get(keys[i++ % KEYS] as string);
          },
        },
        {
          label: 'tiercache L1 hit + monitor',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++) await monitored.get(keys[i++ % KEYS] as string);
          },
        },
        {
          label: 'async lru-cache',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++) await asyncLruGet(keys[i++ % KEYS] as string);
          },
        },
      ],
      teardown: async () => {
        await cache.clear();
        await cache.close();
        await monitored.close();
      },
    };
  },
  goals: [
    { subject: 'tiercache L1 hit', against: 'async lru-cache', minRatio: 0.3 },
    { subject: 'tiercache L1 hit + monitor', against: 'tiercache L1 hit', minRatio: 0.8 },
  ],
};
