import { LRUCache } from 'lru-cache';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import type { MemoryCachePolicy } from '../../src/memory/memory-policy.js';
import { beladyHits } from './belady.js';
import type { Trace } from './traces.js';

/** The columns of the hit-ratio table. */
export const COLUMNS = ['lru-cache', 'tiercache lru', 'tiercache tinylfu', 'Bélády (optimum)'] as const;
export type Column = (typeof COLUMNS)[number];

/** Key strings, built once for every id a trace uses (a cache sees strings, as in a service). */
export function keyNames(count: number): string[] {
  return Array.from({ length: count }, (_, id) => `key:${id}`);
}

/** Hits of a read-through cache on the counted requests: get, and on a miss, set. */
async function tiercacheHits(trace: Trace, names: string[], capacity: number, policy: MemoryCachePolicy) {
  const cache = new InMemoryCache({ maxSize: capacity, policy, defaultTtl: 0, hotKeys: false });
  let hits = 0;
  for (const id of trace.keys) {
    const key = names[id]!;
    if ((await cache.get(key)) !== undefined) {
      if (id < trace.keySpace) hits++;
    } else await cache.set(key, id);
  }
  await cache.close();
  return hits;
}

function lruCacheHits(trace: Trace, names: string[], capacity: number): number {
  const cache = new LRUCache<string, number>({ max: capacity });
  let hits = 0;
  for (const id of trace.keys) {
    const key = names[id]!;
    if (cache.get(key) !== undefined) {
      if (id < trace.keySpace) hits++;
    } else cache.set(key, id);
  }
  return hits;
}

/** Requests that count in the hit ratio (scan keys do not). */
export function countedRequests(trace: Trace): number {
  let counted = 0;
  for (const id of trace.keys) if (id < trace.keySpace) counted++;
  return counted;
}

/** The hit ratio (0–1) of each column on a trace, for one cache size. */
export async function hitRatios(
  trace: Trace,
  names: string[],
  capacity: number,
): Promise<Record<Column, number>> {
  const counted = countedRequests(trace);
  return {
    'lru-cache': lruCacheHits(trace, names, capacity) / counted,
    'tiercache lru': (await tiercacheHits(trace, names, capacity, 'lru')) / counted,
    'tiercache tinylfu': (await tiercacheHits(trace, names, capacity, 'tinylfu')) / counted,
    'Bélády (optimum)': beladyHits(trace, capacity) / counted,
  };
}
