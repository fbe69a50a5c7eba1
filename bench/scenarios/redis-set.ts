import { Redis } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { Scenario } from '../harness.js';
import { hundredKilobytes, kilobyteObject, keysOf } from './data.js';
import { createBento } from './peers.js';

/**
 * What Redis holds for one value: tiercache's stored form (envelope, compressed when it pays) against the
 * plain JSON, and the ratio (issue 23: "Redis bytes stored and the compression ratio in the table").
 */
export async function storedBytesNote(client: Redis, storedKey: string, value: object): Promise<string[]> {
  const stored = await client.strlen(storedKey);
  const plain = Buffer.byteLength(JSON.stringify(value));
  return [
    `Redis bytes per value: ${stored.toLocaleString('en-US')} stored by tiercache for ${plain.toLocaleString('en-US')} bytes of JSON (ratio ${(stored / plain).toFixed(3)}).`,
  ];
}

const KEYS = 1000;
const IN_FLIGHT = 50;

function setScenario(label: string, valueOf: (i: number) => object, minRatio: number): Scenario {
  return {
    name: `redis-set-${label}-50-in-flight`,
    description: `set of ${label} values with a TTL, 50 in flight on one connection (defaults: L1 on, compression above 16 KiB)`,
    needsRedis: true,
    limit: 'ioredis SET PX+stringify',
    async setup({ redisUrl }) {
      const keys = keysOf('doc', KEYS);
      const values = keys.map((_, i) => valueOf(i));
      const cache = new GenericRedisCache({
        redisUrl,
        keyPrefix: 'bench:set:',
        logger: silentLogger,
      });
      await cache.connect();
      const raw = new Redis(redisUrl as string, { enableAutoPipelining: true });
      const raw5 = new Redis5(redisUrl as string, { enableAutoPipelining: true });
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
            label: 'ioredis 5 SET PX+stringify',
            opsPerCall: IN_FLIGHT,
            run: burst((n) =>
              raw5.set(`bench:rawset:${keys[n]}`, JSON.stringify(values[n]), 'PX', 3_600_000),
            ),
          },
          {
            label: 'bentocache (memory + Redis)',
            opsPerCall: IN_FLIGHT,
            run: burst((n) =>
              bento.use('tiered').set({ key: keys[n] as string, value: values[n], ttl: '1h' }),
            ),
          },
        ],
        notes: () => storedBytesNote(raw, `bench:set:${keys[0]}`, values[0] as object),
        teardown: async () => {
          await cache.clear();
          await cache.close();
          await raw.del(...keys.map((key) => `bench:rawset:${key}`));
          raw.disconnect();
          raw5.disconnect();
          await bento.use('tiered').clear();
          await bento.disconnectAll();
        },
      };
    },
    goals: [{ subject: 'tiercache set', against: 'ioredis SET PX+stringify', minRatio }],
  };
}

export const redisSet50InFlight = setScenario('1KB', kilobyteObject, 0.85);
export const redisSet100KB = setScenario('100KB', hundredKilobytes, 0.8);
