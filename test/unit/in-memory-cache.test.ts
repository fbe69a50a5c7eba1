import { silentLogger } from '../../src/core/logger.js';
import { PEEK, canPeek } from '../../src/core/capabilities.js';
import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { expectValidationError, runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

const contractClock = new ManualClock();
runCacheContractSuite({
  name: 'InMemoryCache',
  create: async (options) => new InMemoryCache({ ...options, clock: contractClock }),
  advanceTime: async (ms) => contractClock.advance(ms),
});

describe('InMemoryCache LRU (original guide)', () => {
  it('evicts the least recently used key when a fourth key arrives in a cache of 3', async () => {
    const cache = new InMemoryCache({ maxSize: 3, defaultTtl: 3600 });
    await cache.set('key1', 'value1');
    await cache.set('key2', 'value2');
    await cache.set('key3', 'value3');
    await cache.set('key4', 'value4');
    expect(await cache.get('key1')).toBeUndefined();
    expect(await cache.get('key4')).toBe('value4');
    expect(cache.size).toBe(3);
  });

  it('keeps the 5 most recent of 10 keys under memory pressure', async () => {
    const cache = new InMemoryCache({ maxSize: 5, defaultTtl: 3600 });
    for (let i = 0; i < 10; i++) await cache.set(`key_${i}`, `value_${i}`);
    const present = [];
    for (let i = 0; i < 10; i++) if (await cache.exists(`key_${i}`)) present.push(i);
    expect(present).toStrictEqual([5, 6, 7, 8, 9]);
    expect((await cache.getStats()).evictions).toBe(5);
  });

  it('refreshes recency on get but not on exists', async () => {
    const cache = new InMemoryCache({ maxSize: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.get('a');
    await cache.set('c', 3);
    expect(cache.keys().sort()).toStrictEqual(['a', 'c']);
    await cache.exists('a');
    await cache.set('d', 4);
    expect(cache.keys().sort()).toStrictEqual(['c', 'd']);
  });

  it('never evicts another key when overwriting an existing one', async () => {
    const cache = new InMemoryCache({ maxSize: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('a', 'again');
    expect(await cache.getMany(['a', 'b'])).toStrictEqual(['again', 2]);
    expect((await cache.getStats()).evictions).toBe(0);
  });

  it('bounds the estimated bytes held when maxBytes is set', async () => {
    const cache = new InMemoryCache({ maxSize: 1000, maxBytes: 10_000 });
    for (let i = 0; i < 50; i++) await cache.set(`k${i}`, 'x'.repeat(1000));
    const stats = await cache.getStats();
    expect(stats.memoryUsageBytes).toBeLessThanOrEqual(10_000);
    expect(stats.activeEntries).toBeLessThan(50);
    expect(await cache.get('k49')).toBe('x'.repeat(1000));
  });
});

describe('InMemoryCache TTL with an injected clock', () => {
  it('reports seconds left, and nothing for missing or non-expiring keys', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ clock, defaultTtl: '10m' });
    await cache.set('k', 1);
    await cache.set('forever', 1, 0);
    expect(cache.getTtl('k')).toBe(600);
    clock.advance(100_500);
    expect(cache.getTtl('k')).toBe(500);
    expect(cache.getTtl('forever')).toBeUndefined();
    expect(cache.getTtl('missing')).toBeUndefined();
  });

  it('drops expired entries lazily and counts them as expirations', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ clock });
    await cache.set('short', 1, 5);
    await cache.set('long', 1, 50);
    clock.advance(6_000);
    expect(cache.keys()).toStrictEqual(['long']);
    expect(await cache.get('short')).toBeUndefined();
    expect(cache.size).toBe(1);
    const stats = await cache.getStats();
    expect(stats).toMatchObject({ activeEntries: 1, expirations: 1, misses: 1 });
  });
});

describe('InMemoryCache stats and events', () => {
  it('reports the SPEC §3 stats and keeps counters across clear()', async () => {
    const cache = new InMemoryCache({ maxSize: 4, defaultTtl: 120 });
    await cache.set('a', { n: 1 });
    await cache.get('a');
    await cache.get('b');
    await cache.clear();
    expect(await cache.getStats()).toStrictEqual({
      totalEntries: 0,
      activeEntries: 0,
      maxSize: 4,
      utilizationPercent: 0,
      defaultTtl: 120,
      hits: 1,
      misses: 1,
      hitRate: 50,
      evictions: 0,
      expirations: 0,
      rejections: 0,
      memoryUsageBytes: 0,
    });
    await cache.set('a', 1);
    expect((await cache.getStats()).utilizationPercent).toBe(25);
  });

  it('announces evictions and invalidations', async () => {
    const cache = new InMemoryCache({ maxSize: 1 });
    const evictions: string[] = [];
    const invalidations: string[] = [];
    cache.on('evict', (e) => evictions.push(`${e.key}:${e.reason}:${e.tier}`));
    cache.on('invalidate', (e) =>
      invalidations.push(`${e.type}:${e.pattern}:${e.keysInvalidated}:${e.context ?? ''}`),
    );
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.invalidatePattern('b', 'user update');
    await cache.set('c', 3);
    await cache.clear();
    expect(evictions).toStrictEqual(['a:evict:memory']);
    expect(invalidations).toStrictEqual(['pattern:b:1:user update', 'clear::1:']);
  });

  it('reports a throwing listener once and keeps serving', async () => {
    const warn = vi.fn();
    const logger: Logger = { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() };
    const cache = new InMemoryCache({ logger });
    cache.on('operation', () => {
      throw new Error('broken listener');
    });
    await cache.set('a', 1);
    expect(await cache.get('a')).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('issue 23: the private copy taken at set is frozen by its first read, and the caller keeps a mutable original', async () => {
    const cache = new InMemoryCache();
    const original = { list: [1, 2], nested: { n: 1 } };
    await cache.set('k', original);
    original.list.push(3); // the caller's object stays theirs, and mutable
    original.nested.n = 2;
    const read = await cache.get<typeof original>('k');
    expect(read).toStrictEqual({ list: [1, 2], nested: { n: 1 } });
    expect([Object.isFrozen(read), Object.isFrozen(read?.list), Object.isFrozen(read?.nested)]).toStrictEqual(
      [true, true, true],
    );
    expect(Object.isFrozen(original)).toBe(false);
  });

  it('hands out the same frozen object for plain values and fresh copies for special types', async () => {
    const cache = new InMemoryCache();
    await cache.set('plain', { a: [1] });
    await cache.set('special', { when: new Date(1) });
    const first = await cache.get<{ a: number[] }>('plain');
    expect(Object.isFrozen(first)).toBe(true);
    expect(await cache.get('plain')).toBe(first);
    expect(() => first?.a.push(2)).toThrow(TypeError);
    expect(await cache.get('special')).not.toBe(await cache.get('special'));
  });
});

describe('InMemoryCache options', () => {
  it.each([0, -1, 1.5, 10_000_001, '10'])('rejects maxSize %s', (maxSize) => {
    expect(() => new InMemoryCache({ maxSize: maxSize as number })).toThrow(
      /^maxSize must be a positive integer$/,
    );
  });

  it('rejects a bad defaultTtl, maxBytes, clock or an unknown option', () => {
    expect(() => new InMemoryCache({ defaultTtl: -1 })).toThrow(
      'defaultTtl must be non-negative (0 means no expiration)',
    );
    expect(() => new InMemoryCache({ maxBytes: 0 })).toThrow('maxBytes must be a positive integer');
    expect(() => new InMemoryCache({ clock: {} as never })).toThrow(
      'clock must be an object with a now() method',
    );
    expect(() => new InMemoryCache({ maxsize: 3 } as never)).toThrow('unknown option: maxsize');
    expect(() => new InMemoryCache(null as never)).toThrow('options must be a plain object');
  });

  it('exposes maxSize and defaultTtl read-only', () => {
    const cache = new InMemoryCache({ maxSize: 7, defaultTtl: '2h' });
    expect(cache.maxSize).toBe(7);
    expect(cache.defaultTtl).toBe(7200);
  });

  it('validates keys of getTtl', async () => {
    const cache = new InMemoryCache();
    expect(() => cache.getTtl('')).toThrow(ValidationError);
    await expectValidationError(
      cache.getOrSet('', () => 1),
      'key must be a non-empty string of at most 1024 bytes',
    );
  });
});

describe('InMemoryCache[PEEK] (synchronous hits for composing caches)', () => {
  it('returns a hit counted and announced at once, and leaves a miss uncounted', async () => {
    const cache = new InMemoryCache();
    const outcomes: string[] = [];
    cache.on('operation', (e) => outcomes.push(`${e.operation}:${e.outcome}`));
    await cache.set('k', { v: 1 });
    expect(cache[PEEK]('k')).toStrictEqual({ v: 1 });
    expect(cache[PEEK]('missing')).toBeUndefined();
    expect(await cache.getStats()).toMatchObject({ hits: 1, misses: 0 });
    expect(outcomes).toStrictEqual(['set:success', 'get:hit']);
    expect(canPeek(cache)).toBe(true);
    expect(Object.keys(cache)).not.toContain('peek');
  });

  it('steps aside while a tracer listens, so traced gets stay complete', async () => {
    const { subscribe, unsubscribe } = await import('node:diagnostics_channel');
    const cache = new InMemoryCache();
    await cache.set('k', 1);
    const listener = () => undefined;
    subscribe('tracing:tiercache:get:start', listener);
    try {
      expect(cache[PEEK]('k')).toBeUndefined();
    } finally {
      unsubscribe('tracing:tiercache:get:start', listener);
    }
    expect(cache[PEEK]('k')).toBe(1);
  });
});

describe('issue 18: registerCallback is a layer over entry events', () => {
  it('fires the original callbacks from entry events, keeps going past a throwing one, and unsubscribes', async () => {
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (o: unknown) => errors.push(o) };
    const cache = new InMemoryCache({ logger });
    const seen: string[] = [];
    const entries: string[] = [];
    cache.on('entry', (e) => entries.push(`${e.action}:${e.key}`));
    const off = cache.registerCallback('get_success', (key, value) =>
      seen.push(`hit:${key}:${String(value)}`),
    );
    cache.registerCallback('get_success', () => {
      throw new Error('boom');
    });
    cache.registerCallback('get_miss', (key) => seen.push(`miss:${key}`));
    cache.registerCallback('set_success', (key, value) => seen.push(`set:${key}:${String(value)}`));
    cache.registerCallback('delete_success', (key) => seen.push(`del:${key}`));
    await cache.set('k', 1);
    await cache.get('k');
    await cache.get('k');
    await cache.get('absent');
    await cache.delete('k');
    await cache.delete('k'); // not there: no delete_success
    off();
    await cache.get('absent');
    expect(seen).toStrictEqual(['set:k:1', 'hit:k:1', 'hit:k:1', 'miss:absent', 'del:k', 'miss:absent']);
    expect(entries).toStrictEqual(['set:k', 'hit:k', 'hit:k', 'miss:absent', 'delete:k', 'miss:absent']);
    expect(errors).toHaveLength(2); // logged each time it threw
    expect(() => cache.registerCallback('on_hit' as 'get_miss', () => undefined)).toThrow(
      'unknown callback event: on_hit',
    );
  });
});

describe('issue 20: getOrSet on an InMemoryCache is seen like a get', () => {
  it('announces its hits and misses (operation and entry events) and feeds hot keys', async () => {
    const cache = new InMemoryCache({ hotKeys: { sampleRate: 1 } });
    const seen: string[] = [];
    cache.on('operation', (e) => (e.operation === 'get' ? seen.push(`op:${e.outcome}`) : undefined));
    cache.on('entry', (e) => seen.push(`entry:${e.action}`));
    await cache.getOrSet('k', async () => 1);
    await cache.getOrSet('k', async () => 1);
    expect(seen).toStrictEqual(['op:miss', 'entry:miss', 'op:hit', 'entry:hit']);
    expect(await cache.getStats()).toMatchObject({ hits: 1, misses: 1 });
    expect(cache.getHotKeys()[0]).toMatchObject({ key: 'k' });
  });
});
