import { describe, expect, it } from 'vitest';
import type { EvictionEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

describe('issue 18: grace copies are invisible to every read, as to get', () => {
  it('exists, keys, getTtl, size and the stats do not see a grace copy past its TTL', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ clock, logger: silentLogger });
    await cache.getOrSet('k', () => 'v', { ttl: 10, grace: 60 });
    await cache.set('plain', 1);
    expect(cache.getTtl('k')).toBe(10); // fresh for 10 s, whatever grace keeps it for
    clock.advance(11_000);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.exists('k')).toBe(false);
    expect(cache.keys()).toStrictEqual(['plain']);
    expect(cache.getTtl('k')).toBeUndefined();
    expect(cache.size).toBe(1);
    expect((await cache.getStats()).activeEntries).toBe(1);
    expect(await cache.countMatching('')).toBe(1);
    // ... yet getOrSet still serves it when the factory fails, and invalidation removes it.
    expect(await cache.getOrSet('k', () => Promise.reject(new Error('down')), { ttl: 10, grace: 60 })).toBe(
      'v',
    );
    expect(await cache.invalidatePattern('k')).toBe(1);
    await expect(cache.getOrSet('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
  });
});

describe('issue 18: an entry too big for maxBytes is reported and leaves nothing behind', () => {
  it('rejects it with an evict event (reason reject), counts it, and drops the key’s old value and tags', async () => {
    const cache = new InMemoryCache({ maxBytes: 100, logger: silentLogger });
    const events: EvictionEvent[] = [];
    cache.on('evict', (e) => events.push(e));
    await cache.set('k', 'small', { tags: ['t'] });
    await cache.set('k', 'x'.repeat(500), { tags: ['t', 'big'] });
    expect(await cache.get('k')).toBeUndefined(); // never the overwritten 'small'
    expect(events).toStrictEqual([{ key: 'k', tier: 'memory', reason: 'reject' }]);
    expect((await cache.getStats()).rejections).toBe(1);
    await cache.set('other', 'tiny', { tags: ['big'] });
    expect(await cache.invalidateTags(['t', 'big'])).toBe(1); // only 'other': nothing indexed for 'k'
    expect(cache.keys()).toStrictEqual([]);
  });
});
