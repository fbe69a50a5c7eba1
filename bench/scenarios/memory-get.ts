import { LRUCache } from 'lru-cache';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import type { Scenario } from '../harness.js';
import { keysOf, smallObject } from './data.js';

const KEYS = 10_000;
const BATCH = 1000;

export const memoryGetHit: Scenario = {
  name: 'memory-get-hit',
  description: 'InMemoryCache get hit, 10k keys, small object, sequential awaits',
  needsRedis: false,
  async setup() {
    const keys = keysOf('user', KEYS);
    const cache = new InMemoryCache({ maxSize: KEYS });
    const lru = new LRUCache<string, object>({ max: KEYS });
    for (const [i, key] of keys.entries()) {
      await cache.set(key, smallObject(i));
      lru.set(key, smallObject(i));
    }
    const asyncLruGet = async (key: string) => lru.get(key);
    let i = 0;
    return {
      cases: [
        {
          label: 'tiercache InMemoryCache',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++) await cache.get(keys[i++ % KEYS] as string);
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
      teardown: () => cache.close(),
    };
  },
  goals: [{ subject: 'tiercache InMemoryCache', against: 'async lru-cache', minRatio: 0.5 }],
};
