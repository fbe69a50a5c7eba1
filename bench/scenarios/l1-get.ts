import { LRUCache } from 'lru-cache';
import { silentLogger } from '../../src/core/logger.js';
import { CachePerformanceMonitor } from '../../src/monitoring/performance-monitor.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { Scenario } from '../harness.js';
import { kilobyteObject, keysOf } from './data.js';
import { createBento } from './peers.js';

const KEYS = 1000;
const BATCH = 1000;

export const l1GetHit: Scenario = {
  name: 'l1-get-hit',
  description: 'two-tier get served from L1, 1 KB value, sequential awaits',
  needsRedis: true,
  limit: 'Map (async)',
  async setup({ redisUrl }) {
    const keys = keysOf('doc', KEYS);
    const cache = new GenericRedisCache({
      redisUrl,
      memoryCacheSize: KEYS,
      keyPrefix: 'bench:l1:',
      logger: silentLogger,
    });
    const monitored = new GenericRedisCache({
      redisUrl,
      memoryCacheSize: KEYS,
      keyPrefix: 'bench:l1:',
      logger: silentLogger,
    });
    await Promise.all([cache.connect(), monitored.connect()]);
    new CachePerformanceMonitor().attach(monitored);
    const bento = createBento(redisUrl, KEYS);
    const lru = new LRUCache<string, object>({ max: KEYS });
    const map = new Map<string, object>();
    for (const [i, key] of keys.entries()) {
      await cache.set(key, kilobyteObject(i));
      await monitored.get(key); // promote into its L1
      await bento.use('tiered').set({ key, value: kilobyteObject(i) });
      lru.set(key, kilobyteObject(i));
      map.set(key, kilobyteObject(i));
    }
    let i = 0;
    const loop = (op: (key: string) => unknown) => async () => {
      for (let n = 0; n < BATCH; n++) await op(keys[i++ % KEYS] as string);
    };
    return {
      cases: [
        { label: 'tiercache L1 hit', opsPerCall: BATCH, run: loop((k) => cache.get(k)) },
        { label: 'tiercache L1 hit + monitor', opsPerCall: BATCH, run: loop((k) => monitored.get(k)) },
        { label: 'Map (async)', opsPerCall: BATCH, run: loop(async (k) => map.get(k)) },
        { label: 'async lru-cache', opsPerCall: BATCH, run: loop(async (k) => lru.get(k)) },
        {
          label: 'bentocache L1 hit',
          opsPerCall: BATCH,
          run: loop((k) => bento.use('tiered').get({ key: k })),
        },
      ],
      teardown: async () => {
        await cache.clear();
        await cache.close();
        await monitored.close();
        await bento.use('tiered').clear();
        await bento.disconnectAll();
      },
    };
  },
  goals: [
    { subject: 'tiercache L1 hit', against: 'async lru-cache', minRatio: 0.3 },
    { subject: 'tiercache L1 hit', against: 'bentocache L1 hit', minRatio: 10 },
    { subject: 'tiercache L1 hit + monitor', against: 'tiercache L1 hit', minRatio: 0.8 },
  ],
};
