import { LRUCache } from 'lru-cache';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import type { BenchCase, Scenario } from '../harness.js';
import { keysOf, plainDeepCopy, sequential, smallObject } from './data.js';
import { createBento, createMemoryPeers } from './peers.js';

const KEYS = 10_000;
const BATCH = 1000;

async function memoryPeers(keys: string[], value: (i: number) => object) {
  const tiercache = new InMemoryCache({ maxSize: KEYS });
  const map = new Map<string, object>();
  const lru = new LRUCache<string, object>({ max: KEYS });
  const lruCopy = new LRUCache<string, object>({ max: KEYS });
  const bento = createBento(undefined, KEYS);
  const { cacheable, cacheManager } = createMemoryPeers();
  for (const [i, key] of keys.entries()) {
    await tiercache.set(key, value(i));
    map.set(key, value(i));
    lru.set(key, value(i));
    lruCopy.set(key, value(i));
    await bento.set({ key, value: value(i) });
    await cacheable.set(key, value(i));
    await cacheManager.set(key, value(i));
  }
  return { tiercache, map, lru, lruCopy, bento, cacheable, cacheManager };
}

export const memoryGetHit: Scenario = {
  name: 'memory-get-hit',
  description: 'in-memory get hit, 10k keys, small object, sequential awaits',
  needsRedis: false,
  limit: 'Map (async)',
  async setup() {
    const keys = keysOf('user', KEYS);
    const p = await memoryPeers(keys, smallObject);
    const cases: BenchCase[] = [
      {
        label: 'tiercache InMemoryCache',
        opsPerCall: BATCH,
        run: sequential(keys, (k) => p.tiercache.get(k)),
      },
      { label: 'Map (async)', opsPerCall: BATCH, run: sequential(keys, async (k) => p.map.get(k)) },
      { label: 'async lru-cache', opsPerCall: BATCH, run: sequential(keys, async (k) => p.lru.get(k)) },
      {
        label: 'bentocache (memory)',
        opsPerCall: BATCH,
        run: sequential(keys, (k) => p.bento.get({ key: k })),
      },
      { label: 'cacheable', opsPerCall: BATCH, run: sequential(keys, (k) => p.cacheable.get(k)) },
      { label: 'cache-manager', opsPerCall: BATCH, run: sequential(keys, (k) => p.cacheManager.get(k)) },
    ];
    return { cases, teardown: async () => p.bento.disconnectAll() };
  },
  goals: [
    // Issue 23: the get stays at 0.7× while writes get cheaper.
    { subject: 'tiercache InMemoryCache', against: 'async lru-cache', minRatio: 0.7 },
    { subject: 'tiercache InMemoryCache', against: 'bentocache (memory)', minRatio: 10 },
  ],
};

export const memorySet: Scenario = {
  name: 'memory-set',
  description: 'in-memory set, 10k keys, small object, sequential awaits',
  needsRedis: false,
  limit: 'Map (async)',
  async setup() {
    const keys = keysOf('user', KEYS);
    const p = await memoryPeers(keys.slice(0, 1), smallObject);
    const values = keys.map((_, i) => smallObject(i));
    const cases: BenchCase[] = [
      {
        label: 'tiercache InMemoryCache',
        opsPerCall: BATCH,
        run: sequential(keys, (k, i) => p.tiercache.set(k, values[i % KEYS])),
      },
      {
        label: 'Map (async)',
        opsPerCall: BATCH,
        run: sequential(keys, async (k, i) => p.map.set(k, values[i % KEYS] as object)),
      },
      {
        label: 'async lru-cache',
        opsPerCall: BATCH,
        run: sequential(keys, async (k, i) => p.lru.set(k, values[i % KEYS])),
      },
      {
        // The floor of a cache that keeps its own copy (so a caller's later change can't reach it): the
        // copy is allocated per write and lives on, which the garbage collector pays for.
        label: 'async lru-cache + deep copy',
        opsPerCall: BATCH,
        run: sequential(keys, async (k, i) => p.lruCopy.set(k, plainDeepCopy(values[i % KEYS]) as object)),
      },
      {
        label: 'bentocache (memory)',
        opsPerCall: BATCH,
        run: sequential(keys, (k, i) => p.bento.set({ key: k, value: values[i % KEYS] })),
      },
      {
        label: 'cacheable',
        opsPerCall: BATCH,
        run: sequential(keys, (k, i) => p.cacheable.set(k, values[i % KEYS])),
      },
      {
        label: 'cache-manager',
        opsPerCall: BATCH,
        run: sequential(keys, (k, i) => p.cacheManager.set(k, values[i % KEYS])),
      },
    ];
    return { cases, teardown: async () => p.bento.disconnectAll() };
  },
  goals: [{ subject: 'tiercache InMemoryCache', against: 'async lru-cache', minRatio: 0.5 }],
};
