import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { BenchCase, Scenario } from '../harness.js';
import { kilobyteObject, keysOf } from './data.js';
import { createBento } from './peers.js';

const KEYS = 1000;
const IN_FLIGHT = 50;

/** Two-tier reads that always miss L1 (it holds 10 entries, reads rotate over 1000) and hit Redis. */
export const l1MissRedisHit: Scenario = {
  name: 'l1-miss-redis-hit-50-in-flight',
  description: 'two-tier get that misses L1 and hits Redis (then promotes), 1 KB, 50 in flight',
  needsRedis: true,
  async setup({ redisUrl }) {
    const keys = keysOf('doc', KEYS);
    const cache = new GenericRedisCache({
      redisUrl,
      memoryCacheSize: 10,
      keyPrefix: 'bench:miss:',
      logger: silentLogger,
    });
    await cache.connect();
    await cache.setMany(keys.map((key, i) => ({ key, value: kilobyteObject(i) })));
    const bento = createBento(redisUrl, 10);
    await Promise.all(keys.map((key, i) => bento.use('tiered').set({ key, value: kilobyteObject(i) })));
    let i = 0;
    const burst = (op: (key: string) => Promise<unknown>) => () =>
      Promise.all(Array.from({ length: IN_FLIGHT }, () => op(keys[i++ % KEYS] as string)));
    const cases: BenchCase[] = [
      { label: 'tiercache L1 miss → Redis', opsPerCall: IN_FLIGHT, run: burst((k) => cache.get(k)) },
      {
        label: 'bentocache L1 miss → Redis',
        opsPerCall: IN_FLIGHT,
        run: burst((k) => bento.use('tiered').get({ key: k })),
      },
    ];
    return {
      cases,
      teardown: async () => {
        await cache.clear();
        await cache.close();
        await bento.use('tiered').clear();
        await bento.disconnectAll();
      },
    };
  },
  goals: [],
};
