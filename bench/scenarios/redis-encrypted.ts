import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { BenchCase, Scenario } from '../harness.js';
import { kilobyteObject, keysOf } from './data.js';

const KEYS = 1000;
const IN_FLIGHT = 50;

/** Encrypted get and set of 1 KB through Redis (L1 off, 50 in flight) against the same without encryption. */
export const redisEncrypted: Scenario = {
  name: 'redis-encrypted-50-in-flight',
  description:
    'AES-256-GCM encrypted get/set of 1 KB through Redis (L1 off), 50 in flight, against the same unencrypted',
  needsRedis: true,
  async setup({ redisUrl }) {
    const keys = keysOf('doc', KEYS);
    const values = keys.map((_, i) => kilobyteObject(i));
    const common = { redisUrl, enableMemoryCache: false, logger: silentLogger };
    const plain = new GenericRedisCache({ ...common, keyPrefix: 'bench:plain:' });
    const sealed = new GenericRedisCache({
      ...common,
      keyPrefix: 'bench:sealed:',
      encryptionKey: randomBytes(32).toString('base64'),
    });
    await Promise.all([plain.connect(), sealed.connect()]);
    await plain.setMany(keys.map((key, i) => ({ key, value: values[i] })));
    await sealed.setMany(keys.map((key, i) => ({ key, value: values[i] })));
    let i = 0;
    const burst = (op: (n: number) => Promise<unknown>) => () =>
      Promise.all(Array.from({ length: IN_FLIGHT }, () => op(i++ % KEYS)));
    const cases: BenchCase[] = [
      { label: 'encrypted get', opsPerCall: IN_FLIGHT, run: burst((n) => sealed.get(keys[n] as string)) },
      { label: 'plain get', opsPerCall: IN_FLIGHT, run: burst((n) => plain.get(keys[n] as string)) },
      {
        label: 'encrypted set',
        opsPerCall: IN_FLIGHT,
        run: burst((n) => sealed.set(keys[n] as string, values[n], 3600)),
      },
      {
        label: 'plain set',
        opsPerCall: IN_FLIGHT,
        run: burst((n) => plain.set(keys[n] as string, values[n], 3600)),
      },
    ];
    return {
      cases,
      teardown: async () => {
        for (const cache of [plain, sealed]) {
          await cache.clear();
          await cache.close();
        }
      },
    };
  },
  goals: [
    { subject: 'encrypted get', against: 'plain get', minRatio: 0.85 },
    { subject: 'encrypted set', against: 'plain set', minRatio: 0.85 },
  ],
};
