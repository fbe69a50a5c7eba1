import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { FrequencySketch, MAX_COUNT } from '../../src/memory/tinylfu/frequency-sketch.js';
import { Doorkeeper } from '../../src/memory/tinylfu/doorkeeper.js';
import { hashKey } from '../../src/memory/tinylfu/key-hash.js';
import { TinyLfuCache, type DisposeReason } from '../../src/memory/tinylfu/tinylfu-cache.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

const hashes = (count: number, prefix = 'k') =>
  Array.from({ length: count }, (_, i) => hashKey(`${prefix}${i}`));

function seen(sketch: FrequencySketch, hash: number, times: number): void {
  for (let i = 0; i < times; i++) sketch.increment(hash);
}

/** A TinyLfuCache of numbers, its dispose calls recorded. */
function tinylfu(max: number, options: { maxSize?: number; clock?: ManualClock } = {}) {
  const disposed: [string, DisposeReason][] = [];
  const cache = new TinyLfuCache<number>({
    max,
    maxSize: options.maxSize,
    sizeCalculation: (value) => value,
    clock: options.clock ?? new ManualClock(),
    ttlResolution: 0,
    dispose: (_, key, reason) => disposed.push([key, reason]),
  });
  return { cache, disposed };
}

/** Reads `key` `times` times through get (a hit each time it is there). */
function hit(cache: TinyLfuCache<number>, key: string, times: number): void {
  for (let i = 0; i < times; i++) cache.get(key);
}

describe('the frequency sketch (4-bit count-min, doorkeeper, aging)', () => {
  it('counts a key from its second sighting on; the first only passes the doorkeeper', () => {
    const sketch = new FrequencySketch(1000);
    const [a, b] = hashes(2);
    expect(sketch.frequency(a!)).toBe(0);
    sketch.increment(a!);
    expect(sketch.frequency(a!)).toBe(1);
    seen(sketch, a!, 4);
    expect(sketch.frequency(a!)).toBe(5);
    expect(sketch.frequency(b!)).toBe(0);
  });

  it('saturates each counter at 15 (16 with the doorkeeper bit)', () => {
    const sketch = new FrequencySketch(1000);
    const [a] = hashes(1);
    seen(sketch, a!, 100);
    expect(sketch.frequency(a!)).toBe(MAX_COUNT + 1);
  });

  it('halves every count and clears the doorkeeper after 10 × capacity counter increments', () => {
    const sketch = new FrequencySketch(10);
    expect(sketch.sampleSize).toBe(100);
    const [first, ...others] = hashes(7);
    seen(sketch, first!, 16); // 15 increments: saturated (16 with the doorkeeper's bit)
    for (const h of others.slice(0, 5)) seen(sketch, h, 16);
    expect(sketch.frequency(first!)).toBe(16);
    seen(sketch, others[5]!, 16); // passes 100 increments: every count halved, the doorkeeper cleared
    expect(sketch.frequency(first!)).toBe(7);
  });

  it('does not let a saturated key nor one-off keys hasten the aging', () => {
    const sketch = new FrequencySketch(10);
    const [hot, warm] = hashes(2);
    seen(sketch, warm!, 4);
    seen(sketch, hot!, 1000); // 15 increments, the rest change nothing
    for (const h of hashes(200, 'once')) sketch.increment(h); // stopped by the doorkeeper
    expect(sketch.frequency(warm!)).toBe(4);
  });

  it('estimates a thousand keys of a small sketch within a few counts (collisions only add)', () => {
    const sketch = new FrequencySketch(1000);
    const keys = hashes(1000);
    keys.forEach((h, i) => seen(sketch, h, 1 + (i % 5)));
    const errors = keys.map((h, i) => sketch.frequency(h) - (1 + (i % 5)));
    expect(Math.min(...errors)).toBe(0);
    expect(errors.filter((e) => e > 1).length).toBeLessThan(50);
  });

  it('the doorkeeper remembers what it was told until cleared', () => {
    const doorkeeper = new Doorkeeper(1024);
    const [a, b] = hashes(2);
    expect(doorkeeper.add(a!)).toBe(false);
    expect(doorkeeper.add(a!)).toBe(true);
    expect(doorkeeper.has(a!)).toBe(true);
    expect(doorkeeper.has(b!)).toBe(false);
    doorkeeper.clear();
    expect(doorkeeper.has(a!)).toBe(false);
  });

  it('is sized from the capacity, a cache of 1 included', () => {
    expect(new FrequencySketch(1).bytes).toBeGreaterThan(0);
    expect(new FrequencySketch(1_000_000).bytes).toBeGreaterThan(new FrequencySketch(1000).bytes * 500);
  });
});

describe('W-TinyLFU admission and eviction', () => {
  it('keeps a hot set through a scan of one-off keys ten times its size', () => {
    const { cache } = tinylfu(100);
    for (let i = 0; i < 100; i++) cache.set(`hot${i}`, 1);
    for (let round = 0; round < 3; round++) for (let i = 0; i < 100; i++) cache.get(`hot${i}`);
    for (let i = 0; i < 1000; i++) if (cache.get(`scan${i}`) === undefined) cache.set(`scan${i}`, 1);
    const kept = Array.from({ length: 100 }, (_, i) => cache.peek(`hot${i}`)).filter((v) => v !== undefined);
    expect(kept.length).toBeGreaterThanOrEqual(95); // an LRU of 100 keeps none
    expect(cache.size).toBe(100);
  });

  it('admits a newcomer used more often than the entry it would replace', () => {
    const { cache, disposed } = tinylfu(3); // window 1, main 2
    for (const key of ['a', 'b', 'c']) cache.set(key, 1);
    hit(cache, 'x', 0);
    cache.set('x', 1);
    hit(cache, 'x', 3); // x is used while in the window
    cache.set('y', 1); // x leaves the window and meets probation's oldest, a (used once)
    expect(cache.peek('x')).toBe(1);
    expect(disposed).toContainEqual(['a', 'evict']);
  });

  it('rejects a newcomer no more popular than the victim (ties go to the victim)', () => {
    const { cache, disposed } = tinylfu(3);
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, 1);
    // c left the window for a full main space and lost to a: equal counts.
    expect(disposed).toStrictEqual([['c', 'evict']]);
    expect([...cache.keys()].sort()).toStrictEqual(['a', 'b', 'd']);
  });

  it('promotes a key hit in probation, and lists keys window, protected, probation', () => {
    const { cache } = tinylfu(5); // window 1, protected 3, probation the rest
    for (const key of ['a', 'b', 'c', 'd', 'e']) cache.set(key, 1);
    hit(cache, 'b', 2); // b: probation → protected
    expect([...cache.keys()]).toStrictEqual(['e', 'b', 'd', 'c', 'a']);
  });

  it('holds its capacity through many more writes and deletes, reusing the slots it freed', () => {
    const { cache } = tinylfu(1000);
    for (let i = 0; i < 5000; i++) cache.set(`k${i}`, 1);
    expect(cache.size).toBe(1000);
    for (let i = 0; i < 5000; i += 2) cache.delete(`k${i}`);
    for (let i = 0; i < 5000; i++) cache.set(`again${i}`, 1);
    expect(cache.size).toBe(1000);
    expect(cache.calculatedSize).toBe(1000);
    expect([...cache.entries()].length).toBe(1000);
  });

  it('works with a capacity of 1: the latest write is kept', () => {
    const { cache, disposed } = tinylfu(1);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('b')).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(disposed).toStrictEqual([['a', 'evict']]);
  });

  it('never evicts another entry on an overwrite that keeps the size', () => {
    const { cache, disposed } = tinylfu(2);
    cache.set('a', 1);
    cache.set('b', 1);
    cache.set('a', 1);
    expect(cache.size).toBe(2);
    expect(disposed).toStrictEqual([]);
  });

  it('reports a replaced value (reason set), a delete and a clear', () => {
    const { cache, disposed } = tinylfu(10);
    cache.set('a', 1);
    cache.set('a', 2);
    cache.set('b', 1);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    cache.clear();
    expect(disposed).toStrictEqual([
      ['a', 'set'],
      ['a', 'delete'],
      ['b', 'delete'],
    ]);
    expect(cache.size).toBe(0);
  });
});

describe('W-TinyLFU TTL and sizes', () => {
  it('expires lazily: peek hides it, get drops it (reason expire), purgeStale drops the rest', () => {
    const clock = new ManualClock();
    const { cache, disposed } = tinylfu(10, { clock });
    cache.set('short', 1, { ttl: 1000 });
    cache.set('other', 1, { ttl: 1000 });
    cache.set('forever', 1);
    expect(cache.getRemainingTTL('short')).toBe(1000);
    expect(cache.getRemainingTTL('forever')).toBe(Number.POSITIVE_INFINITY);
    expect(cache.getRemainingTTL('missing')).toBe(0);
    clock.advance(1000);
    expect(cache.get('short')).toBe(1); // like lru-cache: expired only past its TTL
    clock.advance(1);
    expect(cache.peek('short')).toBeUndefined();
    expect([...cache.keys()]).toStrictEqual(['forever']);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.purgeStale()).toBe(true);
    expect(disposed).toStrictEqual([
      ['short', 'expire'],
      ['other', 'expire'],
    ]);
    expect(cache.size).toBe(1);
  });

  it('admits a candidate over an expired victim whatever their counts', () => {
    const clock = new ManualClock();
    const { cache } = tinylfu(3, { clock });
    cache.set('a', 1, { ttl: 10 });
    hit(cache, 'a', 5);
    cache.set('b', 1);
    cache.set('c', 1);
    clock.advance(20);
    cache.set('d', 1); // c meets a: expired, a loses
    expect(cache.peek('c')).toBe(1);
    expect(cache.size).toBe(3);
  });

  it('bounds the summed sizes, refuses an entry bigger than maxSize, and never evicts the entry written', () => {
    const { cache, disposed } = tinylfu(100, { maxSize: 10 });
    for (let i = 0; i < 20; i++) cache.set(`k${i}`, 3);
    expect(cache.calculatedSize).toBeLessThanOrEqual(10);
    expect(cache.get('k19')).toBe(3);
    cache.set('k19', 11); // too big: refused, and the old value goes
    expect(cache.peek('k19')).toBeUndefined();
    expect(disposed).toContainEqual(['k19', 'set']);
    cache.set('big', 10);
    expect(cache.get('big')).toBe(10);
    expect(cache.calculatedSize).toBe(10);
  });

  it('evicts a candidate that is also the only victim when sizes overflow from a cold start', () => {
    const { cache, disposed } = tinylfu(100, { maxSize: 10 });
    cache.set('a', 6);
    cache.set('b', 6);
    expect(disposed).toStrictEqual([['a', 'evict']]);
    expect(cache.get('b')).toBe(6);
  });

  it('takes from protected when probation is empty and an overwrite outgrows maxSize', () => {
    const { cache, disposed } = tinylfu(2, { maxSize: 10 }); // window 1, protected holds a after its hit
    cache.set('a', 3);
    cache.set('b', 3);
    cache.get('a');
    cache.set('b', 8);
    expect(disposed).toStrictEqual([
      ['b', 'set'],
      ['a', 'evict'],
    ]);
    expect(cache.calculatedSize).toBe(8);
  });

  it('evicts to make room when an overwrite grows an entry', () => {
    const { cache } = tinylfu(100, { maxSize: 10 });
    for (const key of ['a', 'b', 'c']) cache.set(key, 3);
    cache.set('a', 7);
    expect(cache.peek('a')).toBe(7);
    expect(cache.calculatedSize).toBeLessThanOrEqual(10);
  });
});

describe("InMemoryCache with policy: 'tinylfu'", () => {
  it('bounds the estimated bytes held when maxBytes is set, keeping the latest write', async () => {
    const cache = new InMemoryCache({ policy: 'tinylfu', maxSize: 1000, maxBytes: 10_000 });
    for (let i = 0; i < 50; i++) await cache.set(`k${i}`, 'x'.repeat(1000));
    const stats = await cache.getStats();
    expect(stats.memoryUsageBytes).toBeLessThanOrEqual(10_000);
    expect(stats.activeEntries).toBeLessThan(50);
    expect(stats.evictions).toBe(50 - stats.totalEntries);
    expect(await cache.get('k49')).toBe('x'.repeat(1000));
  });

  it('keeps TTLs, grace copies and tags as under lru', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ policy: 'tinylfu', clock, maxSize: 10, logger: silentLogger });
    await cache.set('t', 1, { ttl: 10, tags: ['g'] });
    await cache.getOrSet('s', () => 'v', { ttl: '1s', grace: '1m' });
    expect(cache.getTtl('t')).toBe(10);
    clock.advance(2_000);
    expect(
      await cache.getOrSet('s', () => Promise.reject(new Error('down')), { ttl: '1s', grace: '1m' }),
    ).toBe('v');
    expect(await cache.invalidateTags(['g'])).toBe(1);
    expect(await cache.get('t')).toBeUndefined();
  });

  it('evicts past maxSize with evict events, a cache of 1 included', async () => {
    const cache = new InMemoryCache({ policy: 'tinylfu', maxSize: 1 });
    const evicted: string[] = [];
    cache.on('evict', (e) => evicted.push(`${e.key}:${e.reason}`));
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(cache.keys()).toStrictEqual(['b']);
    expect(evicted).toStrictEqual(['a:evict']);
    expect((await cache.getStats()).evictions).toBe(1);
  });

  it('refuses a policy it does not know, naming the allowed ones', () => {
    expect(() => new InMemoryCache({ policy: 'lfu' as never })).toThrow(ValidationError);
    expect(() => new InMemoryCache({ policy: 'lfu' as never })).toThrow("policy must be 'lru' or 'tinylfu'");
  });
});
