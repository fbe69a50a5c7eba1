import { LRUCache } from 'lru-cache';
import { TinyLfuCache, type TinyLfuOptions } from './tinylfu/tinylfu-cache.js';

/**
 * How the in-process tier chooses what to evict when full: `'lru'` the least recently used entry
 * (lru-cache); `'tinylfu'` W-TinyLFU, which admits a new entry into the main space only if it was used
 * more often recently than the entry it would replace (docs/performance.md, "Eviction policy").
 */
export type MemoryCachePolicy = 'lru' | 'tinylfu';

/** The policies, as option definitions and messages list them. */
export const MEMORY_CACHE_POLICIES: readonly MemoryCachePolicy[] = ['lru', 'tinylfu'];

/** The part of lru-cache's API that `MemoryStore` uses; `TinyLfuCache` offers the same. */
export interface EntryMap<V> {
  /**
   * The value (undefined when missing or expired, the expired entry dropped); a use of the key. `options`
   * is lru-cache's (it writes `status` back into it); TinyLfuCache takes none.
   */
  get(key: string, options?: { status?: undefined }): V | undefined;
  /** The value (undefined when missing or expired); not a use. */
  peek(key: string): V | undefined;
  /**
   * `ttl` in ms, 0 = none; `size` the entry's (a positive integer: every write gives it, there is no
   * size function); `start` the clock reading the TTL counts from.
   */
  set(key: string, value: V, options: { ttl: number; size: number; start: number }): unknown;
  delete(key: string): boolean;
  clear(): void;
  /** Unexpired keys. */
  keys(): Iterable<string>;
  /** Unexpired entries. */
  entries(): Iterable<[string, V]>;
  getRemainingTTL(key: string): number;
  /** The size the entry was written with (undefined when absent). */
  info(key: string): { size?: number } | undefined;
  purgeStale(): boolean;
  /** Entries held, expired ones not yet dropped included. */
  readonly size: number;
  readonly calculatedSize: number;
}

/** The map's bounds and hooks (the same for both policies), and the policy. */
export interface EntryMapOptions<V> extends Omit<TinyLfuOptions<V>, 'sizeCalculation'> {
  policy: MemoryCachePolicy;
}

/** The bounded map behind a `MemoryStore`, by policy. */
export function createEntryMap<V extends object>(options: EntryMapOptions<V>): EntryMap<V> {
  const { policy, max, maxSize, clock, ttlResolution, dispose } = options;
  if (policy === 'tinylfu') {
    return new TinyLfuCache<V>({ max, maxSize, clock, ttlResolution, dispose });
  }
  return new LRUCache<string, V>({
    max,
    // Sizes are tracked even without a byte bound: `calculatedSize` is the stats' memory figure.
    ...(maxSize === undefined ? { maxEntrySize: Number.MAX_SAFE_INTEGER } : { maxSize }),
    perf: clock,
    ttlResolution,
    dispose: (value, key, reason) => {
      if (reason !== 'fetch') dispose(value, key, reason);
    },
  });
}
