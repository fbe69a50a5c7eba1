import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { Scenario } from '../harness.js';
import { kilobyteObject, keysOf } from './data.js';

const KEYS = 1000;
const IN_FLIGHT = 50;

export const redisSet50InFlight: Scenario = {
  name: 'redis-set-50-in-flight',
  description:
    'set of 1 KB values with a TTL, 50 in flight on one connection (L1 on, compression threshold 4 KB)',
  needsRedis: true,
  async setup({ redisUrl }) {
    const keys = keysOf('doc', KEYS);
    const values = keys.map((_, i) => kilobyteObject(i));
    const cache = new GenericRedisCache({
      redisUrl,
      keyPrefix: 'bench:set:',
      compressionThreshold: 4096,
      logger: silentLogger,
    });
    await cache.connect();
    const raw = new Redis(redisUrl as string, { enableAutoPipelining: true });
    let i = 0;
    const burst = (op: (n: number) => Promise<unknown>) => () =>
      Promise.all(Array.from({ length: IN_FLIGHT }, () => op(i++ % KEYS)));
    return {
      cases: [
        {
          label: 'tiercache set',
          opsPerCall: IN_FLIGHT,
          run: burst((n) => cache.set(keys[n] as string, values[n], 3600)),
        },
        {
          label: 'ioredis SET PX+stringify',
          opsPerCall: IN_FLIGHT,
          run: burst((n) => raw.set(`bench:rawset:${keys[n]}`, JSON.stringify(values[n]), 'PX', 3_600_000)),
        },
      ],
      teardown: async () => {
        await cache.clear();
        await cache.close();
        await raw.del(...keys.map((key) => `bench:rawset:${key}`));
        raw.disconnect();
      },
    };
  },
  goals: [{ subject: 'tiercache set', against: 'ioredis SET PX+stringify', minRatio: 0.8 }],
};
