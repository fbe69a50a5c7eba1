import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { Scenario } from '../harness.js';
import { kilobyteObject, keysOf } from './data.js';
import { createBento } from './peers.js';

const KEYS = 1000;
const IN_FLIGHT = 50;

function setScenario(label: string, valueOf: (i: number) => object, compressionThreshold: number): Scenario {
  return {
    name: `redis-set-${label}-50-in-flight`,
    description: `set of ${label} values with a TTL, 50 in flight on one connection (L1 on, compression threshold ${compressionThreshold} bytes)`,
    needsRedis: true,
    limit: 'ioredis SET PX+stringify',
    async setup({ redisUrl }) {
      const keys = keysOf('doc', KEYS);
      const values = keys.map((_, i) => valueOf(i));
      const cache = new GenericRedisCache({
        redisUrl,
        keyPrefix: 'bench:set:',
        compressionThreshold,
        logger: silentLogger,
      });
      await cache.connect();
      const raw = new Redis(redisUrl as string, { enableAutoPipelining: true });
      const bento = createBento(redisUrl, KEYS);
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
          {
            label: 'bentocache (memory + Redis)',
            opsPerCall: IN_FLIGHT,
            run: burst((n) =>
              bento.use('tiered').set({ key: keys[n] as string, value: values[n], ttl: '1h' }),
            ),
          },
        ],
        teardown: async () => {
          await cache.clear();
          await cache.close();
          await raw.del(...keys.map((key) => `bench:rawset:${key}`));
          raw.disconnect();
          await bento.use('tiered').clear();
          await bento.disconnectAll();
        },
      };
    },
    goals:
      label === '1KB'
        ? [{ subject: 'tiercache set', against: 'ioredis SET PX+stringify', minRatio: 0.8 }]
        : [],
  };
}

/** A ~100 KB JSON value of compressible text, as API responses are. */
const hundredKilobytes = (i: number) => ({
  id: i,
  items: Array.from({ length: 1000 }, (_, n) => ({ n, text: `item ${n} of document ${i} `.padEnd(80, '.') })),
});

export const redisSet50InFlight = setScenario('1KB', kilobyteObject, 4096);
export const redisSet100KB = setScenario('100KB', hundredKilobytes, 1000);
