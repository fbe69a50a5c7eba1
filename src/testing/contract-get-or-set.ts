import { expect, it } from 'vitest';
import type { CacheInterface } from '../core/types.js';
import { expectValidationError } from './contract-values.js';

/** Runs one test with a fresh cache (see `runCacheContractSuite`). */
export type WithCache = (test: (cache: CacheInterface) => Promise<void>) => () => Promise<void>;

/** The getOrSet (single-flight, errors, grace) and tag parts of the cache contract. */
export function runGetOrSetAndTagContract(
  withCache: WithCache,
  advanceTime: (ms: number) => Promise<void>,
): void {
  it(
    'computes a missing value once for concurrent getOrSet callers',
    withCache(async (cache) => {
      let calls = 0;
      const factory = async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { computed: true };
      };
      const results = await Promise.all(
        Array.from({ length: 25 }, () => cache.getOrSet('expensive', factory, 60)),
      );
      expect(calls).toBe(1);
      expect(results.every((r) => r.computed)).toBe(true);
      expect(await cache.getOrSet('expensive', factory)).toStrictEqual({ computed: true });
      expect(calls).toBe(1);
    }),
  );

  it(
    'does not cache a factory error or an undefined result',
    withCache(async (cache) => {
      await expect(cache.getOrSet('k', () => Promise.reject(new Error('upstream down')))).rejects.toThrow(
        'upstream down',
      );
      expect(await cache.exists('k')).toBe(false);
      expect(await cache.getOrSet('k', () => undefined)).toBeUndefined();
      expect(await cache.exists('k')).toBe(false);
      expect(await cache.getOrSet('k', () => 'fresh')).toBe('fresh');
      await expect(cache.getOrSet('k', 'nope' as never)).rejects.toThrow('factory must be a function');
    }),
  );

  it(
    'invalidates by tag: set, setMany and getOrSet entries, each key counted once',
    withCache(async (cache) => {
      await cache.set('t:1', 1, { tags: ['red', 'round'] });
      await cache.setMany([
        { key: 't:2', value: 2, tags: ['red'] },
        { key: 't:3', value: 3, tags: ['blue'] },
      ]);
      await cache.getOrSet('t:4', () => 4, { tags: ['round'] });
      await cache.set('t:5', 5);
      expect(await cache.invalidateTags(['red', 'round'])).toBe(3);
      expect(await cache.getMany(['t:1', 't:2', 't:3', 't:4', 't:5'])).toStrictEqual([
        undefined,
        undefined,
        3,
        undefined,
        5,
      ]);
      expect(await cache.invalidateTags(['red'])).toBe(0);
      expect(await cache.invalidateTags([])).toBe(0);
      await expectValidationError(
        cache.invalidateTags('red' as never),
        'tags must be an array of non-empty strings of at most 256 characters (64 tags at most)',
      );
    }),
  );

  it(
    'serves a stale value inside its grace period when the factory fails',
    withCache(async (cache) => {
      expect(await cache.getOrSet('g', () => 'v1', { ttl: '500ms', grace: 60 })).toBe('v1');
      await advanceTime(600);
      expect(await cache.get('g')).toBeUndefined();
      expect(
        await cache.getOrSet('g', () => Promise.reject(new Error('down')), { ttl: '500ms', grace: 60 }),
      ).toBe('v1');
      expect(await cache.getOrSet('g', () => 'v2', { ttl: 60 })).toBe('v2');
    }),
  );
}
