import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { snapshotValue } from '../../src/core/values.js';

/**
 * Issue 23 (fast immutable writes, L1 memory per entry): an entry keeps four fields (its size lives in the
 * map), arrays of primitives are copied whole; none of it may weaken the copy-and-freeze guarantee.
 */
describe.each(['lru', 'tinylfu'] as const)('InMemoryCache entries (%s)', (policy) => {
  it('reports each entry size and the sum, as computed at the write', async () => {
    const cache = new InMemoryCache({ policy, hotKeys: false });
    const values = { a: { id: 1, tags: ['x', 'y'] }, b: 'text', c: [1, 2, 3], d: new Map([['k', 1]]) };
    for (const [key, value] of Object.entries(values)) await cache.set(key, value);
    let total = 0;
    for (const [key, value] of Object.entries(values)) {
      const expected = snapshotValue(value).bytes;
      total += expected;
      expect((await cache.inspect(key)).sizeBytes).toBe(expected);
      await cache.get(key); // reading (freezing) does not change the figure
      expect((await cache.inspect(key)).sizeBytes).toBe(expected);
    }
    expect((await cache.getStats()).memoryUsageBytes).toBe(total);
  });

  it('keeps a private, frozen copy of an array of primitives (copied whole)', async () => {
    const cache = new InMemoryCache({ policy });
    const tags = ['a', 'b'];
    const list = [1, 'two', true, null];
    await cache.set('doc', { tags, list });
    tags.push('c');
    list[0] = 99;
    const read = await cache.get<{ tags: string[]; list: unknown[] }>('doc');
    expect(read).toEqual({ tags: ['a', 'b'], list: [1, 'two', true, null] });
    expect(Object.isFrozen(read?.tags)).toBe(true);
    expect(() => read?.tags.push('d')).toThrow(TypeError);
    expect(tags).toEqual(['a', 'b', 'c']); // the caller's array is untouched, not frozen
    expect(Object.isFrozen(tags)).toBe(false);
  });

  it('copies an Array subclass as a plain array without running its constructor', async () => {
    const cache = new InMemoryCache({ policy });
    let constructed = 0;
    class Tracked extends Array<number> {
      constructor(...items: number[]) {
        super(...items);
        constructed++;
      }
    }
    const value = Tracked.from([1, 2, 3]);
    const before = constructed;
    await cache.set('k', value);
    const read = await cache.get<number[]>('k');
    expect(constructed).toBe(before);
    expect(Object.getPrototypeOf(read)).toBe(Array.prototype);
    expect(read).toEqual([1, 2, 3]);
  });

  it('mixed arrays: leading primitives and the objects after them are all copied', async () => {
    const cache = new InMemoryCache({ policy });
    const inner = { n: 1 };
    await cache.set('m', [1, 'a', inner, 2]);
    inner.n = 2;
    const read = await cache.get<unknown[]>('m');
    expect(read).toEqual([1, 'a', { n: 1 }, 2]);
    expect(Object.isFrozen(read?.[2])).toBe(true);
  });

  it('hands out a fresh copy of special values on every read, frozen plain values shared', async () => {
    const cache = new InMemoryCache({ policy });
    await cache.set('date', { at: new Date(0) });
    await cache.set('plain', { n: 1 });
    const [d1, d2] = [await cache.get('date'), await cache.get('date')];
    expect(d1).not.toBe(d2);
    expect(d1).toEqual(d2);
    const [p1, p2] = [await cache.get('plain'), await cache.get('plain')];
    expect(p1).toBe(p2);
    expect(Object.isFrozen(p1)).toBe(true);
  });
});

describe('InMemoryCache TTLs count from the write (review: no cached clock reading as the start)', () => {
  it('a write late in a long task keeps its whole TTL', async () => {
    const cache = new InMemoryCache({ policy: 'lru' });
    await cache.set('first', 1); // reads the clock early in this task
    const spinUntil = performance.now() + 600;
    while (performance.now() < spinUntil); // the same task keeps running for 600 ms
    await cache.set('late', 2, '500ms');
    expect(cache.getTtl('late')).toBe(1); // ~500 ms left (rounded up to whole seconds), not expired at birth
    expect(await cache.get('late')).toBe(2);
  });
});

type LruStatus = { key?: unknown; get?: unknown; set?: unknown };

/** The status objects lru-cache publishes on its metrics channel while `run` runs. */
async function lruStatuses(run: () => Promise<void>): Promise<LruStatus[]> {
  const statuses: LruStatus[] = [];
  const collect = (status: unknown): void => {
    statuses.push(status as LruStatus);
  };
  subscribe('lru-cache:metrics', collect);
  try {
    await run();
  } finally {
    unsubscribe('lru-cache:metrics', collect);
  }
  return statuses;
}

describe('InMemoryCache reads through lru-cache with one shared options object', () => {
  it("leaves lru-cache's metrics subscribers a status object of their own for each read", async () => {
    const cache = new InMemoryCache({ hotKeys: false });
    await cache.set('a', 1);
    await cache.set('b', 2);
    const statuses = await lruStatuses(async () => {
      await cache.get('a');
      await cache.get('b');
      await cache.get('missing');
    });
    const reads = statuses.filter((status) => 'get' in status);
    expect(reads.map((status) => [status.key, status.get])).toEqual([
      ['a', 'hit'],
      ['b', 'hit'],
      ['missing', 'miss'],
    ]);
  });

  it('and a status object of their own for each write (its options are shared too)', async () => {
    const cache = new InMemoryCache({ hotKeys: false });
    const statuses = await lruStatuses(async () => {
      await cache.set('a', 1);
      await cache.set('a', 2);
      await cache.set('b', 3);
    });
    const writes = statuses.filter((status) => 'set' in status);
    expect(writes.map((status) => [status.key, status.set])).toEqual([
      ['a', 'add'],
      ['a', 'replace'],
      ['b', 'add'],
    ]);
  });
});
