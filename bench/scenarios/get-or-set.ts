import { LRUCache } from 'lru-cache';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { Scenario } from '../harness.js';
import { smallObject, keysOf } from './data.js';
import { createBento, createMemoryPeers } from './peers.js';

const KEYS = 1000;
const BATCH = 1000;

export const getOrSetHit: Scenario = {
  name: 'get-or-set-hit',
  description: 'getOrSet / wrap served from the in-process tier, small object, sequential awaits',
  needsRedis: true,
  limit: 'async lru-cache',
  async setup({ redisUrl }) {
    const keys = keysOf('user', KEYS);
    const cache = new GenericRedisCache({
      redisUrl,
      memoryCacheSize: KEYS,
      keyPrefix: 'bench:gos:',
      logger: silentLogger,
    });
    await cache.connect();
    const bento = createBento(redisUrl, KEYS);
    const { cacheManager } = createMemoryPeers();
    const lru = new LRUCache<string, object>({ max: KEYS });
    for (const [i, key] of keys.entries()) {
      await cache.getOrSet(key, () => smallObject(i), 3600);
      await bento.use('tiered').getOrSet({ key, factory: () => smallObject(i), ttl: '1h' });
      await cacheManager.wrap(key, async () => smallObject(i), 3_600_000);
      lru.set(key, smallObject(i));
    }
    const factory = () => ({ unused: true });
    let i = 0;
    const loop = (op: (key: string) => unknown) => async () => {
      for (let n = 0; n < BATCH; n++) await op(keys[i++ % KEYS] as string);
    };
    return {
      cases: [
        {
          label: 'tiercache getOrSet hit',
          opsPerCall: BATCH,
          run: loop((k) => cache.getOrSet(k, factory, 3600)),
        },
        { label: 'async lru-cache', opsPerCall: BATCH, run: loop(async (k) => lru.get(k)) },
        {
          label: 'bentocache getOrSet hit',
          opsPerCall: BATCH,
          run: loop((k) => bento.use('tiered').getOrSet({ key: k, factory, ttl: '1h' })),
        },
        {
          label: 'cache-manager wrap hit',
          opsPerCall: BATCH,
          run: loop((k) => cacheManager.wrap(k, async () => factory(), 3_600_000)),
        },
      ],
      teardown: async () => {
        await cache.clear();
        await cache.close();
        await bento.use('tiered').clear();
        await bento.disconnectAll();
      },
    };
  },
  goals: [{ subject: 'tiercache getOrSet hit', against: 'async lru-cache', minRatio: 0.25 }],
};
