import { describe, expect, it } from 'vitest';
import type { EvictionEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
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

describe('issue 18: durations follow one rule by kind', () => {
  it('reads a bare number as milliseconds for waits: timeout 50 answers stale after 50 ms, not 50 s', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ clock, logger: silentLogger });
    await cache.getOrSet('k', () => 'old', { ttl: 1, grace: 60 });
    clock.advance(1500);
    const never = (): Promise<string> => new Promise(() => undefined);
    expect(await cache.getOrSet('k', never, { ttl: 1, grace: 60, timeout: 50 })).toBe('old');
  });

  it('refuses a bare wait of 1–9 as a likely mistake, suggesting the string forms', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    await expect(cache.getOrSet('k', () => 1, { hardTimeout: 5 })).rejects.toThrow(
      "hardTimeout: 5 would be 5 ms (a bare number is milliseconds for waits); write '5s' for seconds, or '5ms' to mean it",
    );
    await expect(cache.getOrSet('k', () => 1, { hardTimeout: '5ms' })).resolves.toBe(1);
    expect(() => new GenericRedisCache({ commandTimeout: 2, logger: silentLogger })).toThrow("write '2s'");
    expect(
      () => new GenericRedisCache({ circuitBreaker: { resetTimeout: 3 }, logger: silentLogger }),
    ).toThrow("write '3s'");
  });

  it('takes every wait as a string with a unit', () => {
    const cache = new GenericRedisCache({
      commandTimeout: '250ms',
      connectTimeout: '2s',
      circuitBreaker: { resetTimeout: '1.5s' },
      logger: silentLogger,
    });
    expect(cache).toBeInstanceOf(GenericRedisCache);
    void cache.close();
  });

  it('reads a bare number as seconds for lifetimes, and takes sub-second lifetimes as strings', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ clock, defaultTtl: '750ms', logger: silentLogger });
    await cache.set('default', 1);
    await cache.set('short', 1, '250ms');
    await cache.set('seconds', 1, 2);
    clock.advance(300);
    expect(await cache.getMany(['default', 'short', 'seconds'])).toStrictEqual([1, undefined, 1]);
    clock.advance(500);
    expect(await cache.getMany(['default', 'seconds'])).toStrictEqual([undefined, 1]);
    await expect(cache.set('k', 1, 1.5)).rejects.toThrow('ttl must be an integer');
  });
});
