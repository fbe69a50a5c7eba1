import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LRUCache } from 'lru-cache';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';

export interface MemoryFigure {
  label: string;
  bytesPerEntry: number;
}

setFlagsFromString('--expose-gc');
/** A full collection, to read settled heap figures (the flag set at run time, so no node flag is needed). */
const collect = runInNewContext('gc') as () => void;

/** Heap plus typed-array memory, after a full collection. */
async function used(): Promise<number> {
  // A turn of the event loop first: clock-caching timers (lru-cache's ttlResolution) hold their cache
  // until they fire.
  await new Promise((resolve) => setTimeout(resolve, 20));
  collect();
  collect();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Bytes per entry of a full cache of `entries` small values, for each policy (and a bare lru-cache for
 * reference). The key strings exist before the first reading, so they are not counted: every cache holds
 * the same ones. Values are `true`, so the figure is the cache's own cost per entry.
 */
export async function memoryPerEntry(entries: number): Promise<MemoryFigure[]> {
  const keys = Array.from({ length: entries }, (_, i) => `key:${i}`);
  const figures: MemoryFigure[] = [];
  const measureOne = async (label: string, fill: () => Promise<unknown>) => {
    const before = await used();
    const held = await fill();
    const after = await used();
    figures.push({ label, bytesPerEntry: (after - before) / entries });
    return held; // alive until measured, garbage after
  };
  for (const policy of ['lru', 'tinylfu'] as const) {
    await measureOne(`tiercache ${policy}`, async () => {
      const cache = new InMemoryCache({ maxSize: entries, policy, defaultTtl: 0, hotKeys: false });
      for (const key of keys) await cache.set(key, true);
      return cache;
    });
  }
  await measureOne('lru-cache (bare, reference)', async () => {
    const cache = new LRUCache<string, boolean>({ max: entries });
    for (const key of keys) cache.set(key, true);
    return cache;
  });
  return figures;
}
