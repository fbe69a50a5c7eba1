import { describe, expect, it } from 'vitest';
import type { CacheInterface, Duration } from '../core/types.js';
import { runGetOrSetAndTagContract } from './contract-get-or-set.js';
import { expectValidationError, ROUND_TRIP_VALUES } from './contract-values.js';

export { expectValidationError, ROUND_TRIP_VALUES };

export interface ContractSuiteOptions {
  /** Shown in test names, e.g. `'InMemoryCache'`. */
  name: string;
  /** Builds a fresh, empty, ready cache for one test. It is closed after the test. */
  create: (options: { defaultTtl?: Duration }) => Promise<CacheInterface>;
  /** Lets `ms` milliseconds pass for TTL tests: advance a manual clock, or really wait (Redis). */
  advanceTime: (ms: number) => Promise<void>;
}

/**
 * The behaviours every cache must have (DESIGN §2, SPEC §2), including the original system's memory
 * tests. Run it against your own cache to check it fulfils the contract.
 */
export function runCacheContractSuite(options: ContractSuiteOptions): void {
  const { name, advanceTime } = options;
  const withCache =
    (test: (cache: CacheInterface) => Promise<void>, settings: { defaultTtl?: Duration } = {}) =>
    async () => {
      const cache = await options.create(settings);
      try {
        await test(cache);
      } finally {
        await cache.clear();
        await cache.close();
      }
    };

  describe(`${name} fulfils the cache contract`, () => {
    it(
      'stores, reads and deletes a value',
      withCache(async (cache) => {
        await cache.set('test_key', 'test_value');
        expect(await cache.get('test_key')).toBe('test_value');
        expect(await cache.delete('test_key')).toBe(true);
        expect(await cache.get('test_key')).toBeUndefined();
        expect(await cache.delete('test_key')).toBe(false);
      }),
    );

    it(
      'returns undefined for a key never written',
      withCache(async (cache) => {
        expect(await cache.get('never-written')).toBeUndefined();
        expect(await cache.exists('never-written')).toBe(false);
      }),
    );

    it(
      'treats null as a stored value, not a miss',
      withCache(async (cache) => {
        await cache.set('nothing', null);
        expect(await cache.get('nothing')).toBeNull();
        expect(await cache.exists('nothing')).toBe(true);
      }),
    );

    for (const [label, value] of Object.entries(ROUND_TRIP_VALUES)) {
      it(
        `round-trips a ${label}`,
        withCache(async (cache) => {
          await cache.set('value', value);
          expect(await cache.get('value')).toStrictEqual(value);
        }),
      );
    }

    it(
      'keeps its copy when the caller mutates the object it stored',
      withCache(async (cache) => {
        const original = { list: [1, 2], nested: { n: 1 } };
        await cache.set('obj', original);
        original.list.push(3);
        original.nested.n = 99;
        expect(await cache.get('obj')).toStrictEqual({ list: [1, 2], nested: { n: 1 } });
      }),
    );

    it(
      'keeps its copy when the caller tries to mutate a value it read',
      withCache(async (cache) => {
        await cache.set('obj', { list: [1, 2], when: new Date(5), map: new Map([['k', 1]]) });
        const first = await cache.get<{ list: number[]; when: Date; map: Map<string, number> }>('obj');
        try {
          first?.list.push(3);
        } catch {
          // frozen values refuse the mutation; either way the cache must not change
        }
        first?.when.setTime(0);
        first?.map.set('k', 2);
        expect(await cache.get('obj')).toStrictEqual({
          list: [1, 2],
          when: new Date(5),
          map: new Map([['k', 1]]),
        });
      }),
    );

    it(
      'expires a value after its TTL',
      withCache(async (cache) => {
        await cache.set('ttl_test', 'value', '500ms');
        expect(await cache.get('ttl_test')).toBe('value');
        await advanceTime(600);
        expect(await cache.get('ttl_test')).toBeUndefined();
        expect(await cache.exists('ttl_test')).toBe(false);
      }),
    );

    it(
      'applies defaultTtl when set is given no TTL',
      withCache(
        async (cache) => {
          await cache.set('short', 'value');
          await advanceTime(600);
          expect(await cache.get('short')).toBeUndefined();
        },
        { defaultTtl: '500ms' },
      ),
    );

    it(
      'keeps a value with TTL 0 (no expiry) past the default TTL',
      withCache(
        async (cache) => {
          await cache.set('forever', 'value', 0);
          await cache.set('forever-options', 'value', { ttl: 0 });
          await advanceTime(600);
          expect(await cache.get('forever')).toBe('value');
          expect(await cache.get('forever-options')).toBe('value');
        },
        { defaultTtl: '500ms' },
      ),
    );

    it(
      'accepts TTLs with units',
      withCache(async (cache) => {
        await cache.set('a', 1, '2h');
        await cache.set('b', 2, { ttl: '7d' });
        expect(await cache.getMany(['a', 'b'])).toStrictEqual([1, 2]);
      }),
    );

    it(
      'rejects invalid TTLs with the SPEC messages',
      withCache(async (cache) => {
        const cases: [unknown, string][] = [
          [-1, 'ttl must be non-negative (0 means no expiration)'],
          [1.5, 'ttl must be an integer'],
          [Number.NaN, 'ttl must be an integer'],
          [Number.POSITIVE_INFINITY, 'ttl must be an integer'],
          ['3600', 'ttl must be an integer'],
          ['10 minutes', 'ttl must be an integer'],
          [31_536_001, 'ttl must not exceed 365 days (31,536,000 seconds)'],
          ['366d', 'ttl must not exceed 365 days (31,536,000 seconds)'],
        ];
        for (const [ttl, message] of cases) {
          await expectValidationError(cache.set('k', 'v', ttl as number), message);
        }
        expect(await cache.exists('k')).toBe(false);
      }),
    );

    it(
      'rejects invalid keys with the SPEC message',
      withCache(async (cache) => {
        const message = 'key must be a non-empty string of at most 1024 bytes';
        for (const key of ['', 'é'.repeat(513), 42, undefined]) {
          await expectValidationError(cache.set(key as string, 'v'), message);
          await expectValidationError(cache.get(key as string), message);
          await expectValidationError(cache.delete(key as string), message);
          await expectValidationError(cache.exists(key as string), message);
        }
        await cache.set('é'.repeat(512), 'fits in 1024 bytes');
        expect(await cache.get('é'.repeat(512))).toBe('fits in 1024 bytes');
      }),
    );

    it(
      'rejects values that cannot be stored, naming the offending path',
      withCache(async (cache) => {
        const circular: Record<string, unknown> = { a: 1 };
        circular.self = circular;
        class OnlyMethods {
          greet(): string {
            return 'hi';
          }
        }
        const cases: [unknown, string][] = [
          [undefined, 'value is undefined'],
          [{ a: { b: () => 1 } }, 'value.a.b is a function'],
          [{ s: Symbol('x') }, 'value.s is a symbol'],
          [circular, 'value.self is a circular reference'],
          [[1, undefined], 'value[1] is undefined'],
          [{ deep: new OnlyMethods() }, 'value.deep is a class instance with no data (only methods)'],
        ];
        for (const [value, message] of cases) {
          await expectValidationError(cache.set('bad', value), message);
        }
        expect(await cache.exists('bad')).toBe(false);
      }),
    );

    it(
      'overwrites a key in place',
      withCache(async (cache) => {
        await cache.set('k', 'first');
        await cache.set('k', 'second');
        expect(await cache.get('k')).toBe('second');
      }),
    );

    it(
      'clears every key it holds',
      withCache(async (cache) => {
        await cache.setMany([
          { key: 'a', value: 1 },
          { key: 'b', value: 2 },
        ]);
        await cache.clear();
        expect(await cache.getMany(['a', 'b'])).toStrictEqual([undefined, undefined]);
      }),
    );

    it(
      'reads, writes and deletes in batches',
      withCache(async (cache) => {
        await cache.setMany([
          { key: 'a', value: 1 },
          { key: 'b', value: { two: 2 } },
          { key: 'c', value: 3, ttl: '500ms' },
        ]);
        expect(await cache.getMany(['a', 'missing', 'b', 'c'])).toStrictEqual([1, undefined, { two: 2 }, 3]);
        await advanceTime(600);
        expect(await cache.getMany(['c'])).toStrictEqual([undefined]);
        expect(await cache.deleteMany(['a', 'b', 'missing'])).toBe(2);
        expect(await cache.getMany(['a', 'b'])).toStrictEqual([undefined, undefined]);
        expect(await cache.getMany([])).toStrictEqual([]);
      }),
    );

    it(
      'rejects malformed batch arguments',
      withCache(async (cache) => {
        await expect(cache.getMany('a' as unknown as string[])).rejects.toThrow(
          'keys must be an array of strings',
        );
        await expect(cache.setMany([{ key: '', value: 1 }])).rejects.toThrow(
          'key must be a non-empty string',
        );
        await expect(cache.setMany([{ key: 'a', value: 1, ttl: -5 }])).rejects.toThrow(
          'ttl must be non-negative',
        );
        await expect(cache.setMany({} as never)).rejects.toThrow('entries must be an array');
        await expect(cache.deleteMany([''])).rejects.toThrow('key must be a non-empty string');
      }),
    );

    it(
      'invalidates by substring, glob and empty pattern (SPEC §9)',
      withCache(async (cache) => {
        const keys = [
          'user:1:profile',
          'user:2:profile',
          'user:10:orders',
          'session:abc',
          'ai_cache:op:summarize|txt:x',
        ];
        const load = () => cache.setMany(keys.map((key) => ({ key, value: key })));
        await load();
        expect(await cache.invalidatePattern('profile')).toBe(2);
        expect(await cache.exists('user:10:orders')).toBe(true);
        expect(await cache.invalidatePattern('user:?:*')).toBe(0);
        await load();
        expect(await cache.invalidatePattern('user:?:*')).toBe(2);
        expect(await cache.invalidatePattern('user:[0-9][0-9]:*')).toBe(1);
        expect(await cache.invalidatePattern('op:summarize|')).toBe(1);
        expect(await cache.getMany(keys)).toStrictEqual([
          undefined,
          undefined,
          undefined,
          'session:abc',
          undefined,
        ]);
        expect(await cache.invalidatePattern('')).toBe(1);
        expect(await cache.exists('session:abc')).toBe(false);
      }),
    );

    it(
      'rejects patterns longer than 1024 characters',
      withCache(async (cache) => {
        await expectValidationError(
          cache.invalidatePattern('x'.repeat(1025)),
          'pattern must be a string of at most 1024 characters',
        );
        expect(await cache.invalidatePattern('x'.repeat(1024))).toBe(0);
      }),
    );

    runGetOrSetAndTagContract(withCache, advanceTime);

    it(
      'runs concurrent sets and gets without errors',
      withCache(async (cache) => {
        const tasks: Promise<unknown>[] = [];
        for (let i = 0; i < 10; i++) {
          tasks.push(cache.set(`concurrent_${i}`, `value_${i}`).then(() => `set_${i}`));
          tasks.push(cache.get(`concurrent_${i}`));
        }
        const results = await Promise.allSettled(tasks);
        expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
        for (let i = 0; i < 10; i++) expect(await cache.get(`concurrent_${i}`)).toBe(`value_${i}`);
      }),
    );

    it(
      'counts hits and misses of get only',
      withCache(async (cache) => {
        await cache.set('k', 1);
        await cache.get('k');
        await cache.get('k');
        await cache.get('nope');
        await cache.exists('k');
        const stats = await cache.getStats();
        expect(stats).toMatchObject({ hits: 2, misses: 1 });
        expect(stats.hitRate).toBeCloseTo(66.67, 1);
      }),
    );

    it(
      'announces get and set operations, timing writes',
      withCache(async (cache) => {
        const events: { operation: string; outcome: string; durationMs: number | undefined }[] = [];
        const off = cache.on('operation', (event) => events.push(event));
        await cache.set('k', 1);
        await cache.get('k');
        await cache.get('nope');
        off(); // in-process gets are announced in batches; unsubscribing delivers the pending ones
        await cache.get('k');
        expect(events.map((e) => `${e.operation}:${e.outcome}`)).toStrictEqual([
          'set:success',
          'get:hit',
          'get:miss',
        ]);
        expect(events[0]?.durationMs).toBeGreaterThanOrEqual(0);
        expect(events.every((e) => e.durationMs === undefined || e.durationMs >= 0)).toBe(true);
      }),
    );
  });
}
