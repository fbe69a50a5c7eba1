import { describe, expect, it, vi } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { ConfigurationError, ValidationError } from '../../src/core/errors.js';
import { FillFence } from '../../src/core/fill-fence.js';
import { GraceBackoff } from '../../src/core/grace-backoff.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

/** A factory that runs until the test calls `finish`, counting its calls. */
function heldFactory<T>(): { factory: () => Promise<T>; finish: (value: T) => void; calls: () => number } {
  let calls = 0;
  const pending: ((value: T) => void)[] = [];
  return {
    factory: () => {
      calls++;
      return new Promise<T>((resolve) => pending.push(resolve));
    },
    finish: (value) => pending.splice(0).forEach((resolve) => resolve(value)),
    calls: () => calls,
  };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('issue 17 item 4: single-flight lasts as long as the factory (InMemoryCache)', () => {
  it('item 4: after a soft timeout answers stale, 20 more callers join the running factory', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ clock, logger: silentLogger });
    await cache.getOrSet('k', () => 'old', { ttl: 1, grace: 60 });
    clock.advance(1500);
    const held = heldFactory<string>();
    const options = { ttl: 60, grace: 60, timeout: '10ms' };
    expect(await cache.getOrSet('k', held.factory, options)).toBe('old');
    const more = await Promise.all(
      Array.from({ length: 20 }, () => cache.getOrSet('k', held.factory, options)),
    );
    expect(new Set(more)).toStrictEqual(new Set(['old']));
    expect(held.calls()).toBe(1);
    held.finish('new');
    await flush();
    expect(await cache.get('k')).toBe('new');
    expect(held.calls()).toBe(1);
  });

  it('item 4: after a hard timeout rejects, 20 more callers join the running factory', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    const held = heldFactory<string>();
    await expect(cache.getOrSet('k', held.factory, { hardTimeout: '10ms' })).rejects.toThrow(
      'did not finish',
    );
    const more = Promise.all(Array.from({ length: 20 }, () => cache.getOrSet('k', held.factory)));
    held.finish('computed');
    expect(new Set(await more)).toStrictEqual(new Set(['computed']));
    expect(held.calls()).toBe(1);
  });

  it('item 4: a hung factory is not joined by one more hung factory per timeout period', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    const held = heldFactory<string>();
    for (let period = 0; period < 5; period++) {
      await expect(cache.getOrSet('hung', held.factory, { hardTimeout: '5ms' })).rejects.toThrow();
    }
    expect(held.calls()).toBe(1);
  });
});

describe('issue 17 item 7: fenced fills in one process (InMemoryCache)', () => {
  it.each([
    ['delete', (c: InMemoryCache) => c.delete('fill')],
    ['deleteMany', (c: InMemoryCache) => c.deleteMany(['fill'])],
    ['invalidatePattern', (c: InMemoryCache) => c.invalidatePattern('fi*')],
    ['invalidateTags', (c: InMemoryCache) => c.invalidateTags(['t'])],
    ['clear', (c: InMemoryCache) => c.clear()],
    ['set', (c: InMemoryCache) => c.set('fill', 'written meanwhile')],
  ])('item 7: %s during a slow factory is not undone by the factory result', async (name, overtake) => {
    const cache = new InMemoryCache({ logger: silentLogger });
    const held = heldFactory<string>();
    const filling = cache.getOrSet('fill', held.factory, { tags: ['t'] });
    await flush();
    await overtake(cache);
    held.finish('computed before');
    expect(await filling).toBe('computed before');
    expect(await cache.get('fill')).toBe(name === 'set' ? 'written meanwhile' : undefined);
  });

  it('item 7: a caller arriving after a delete starts a new factory instead of joining the overtaken one', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    const held = heldFactory<string>();
    const early = cache.getOrSet('k', held.factory);
    await flush();
    await cache.delete('k');
    const late = cache.getOrSet('k', held.factory);
    await flush();
    expect(held.calls()).toBe(2);
    held.finish('whatever each computed');
    expect(await early).toBe('whatever each computed');
    expect(await late).toBe('whatever each computed');
    expect(await cache.get('k')).toBe('whatever each computed'); // the late fill, started after the delete
  });

  it('item 7: a tag invalidation fences only fills stored under that tag', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    const red = heldFactory<string>();
    const blue = heldFactory<string>();
    const filling = [
      cache.getOrSet('r', red.factory, { tags: ['red'] }),
      cache.getOrSet('b', blue.factory, { tags: ['blue'] }),
    ];
    await flush();
    await cache.invalidateTags(['red']);
    red.finish('r');
    blue.finish('b');
    await Promise.all(filling);
    expect(await cache.getMany(['r', 'b'])).toStrictEqual([undefined, 'b']);
  });

  it('keeps the fence bounded by the fills in flight', async () => {
    const fence = new FillFence();
    const tickets = Array.from({ length: 1000 }, (_, i) => fence.open(`k${i}`));
    expect(fence.size).toBe(1000);
    fence.revokeTags(['t']);
    for (const ticket of tickets) fence.close(ticket);
    expect(fence.size).toBe(0);
    const stale = fence.open('k');
    const fresh = fence.open('k'); // a newer fill of the same key replaces the older ticket
    fence.close(stale);
    expect(fence.size).toBe(1);
    fence.close(fresh);
    expect(fence.size).toBe(0);
  });

  it('revokes every ticket of a key, one or several, and forgets each once closed', () => {
    const revoked: string[] = [];
    const fence = new FillFence((key) => revoked.push(key));
    const [a, b, c] = [fence.open('k'), fence.open('k'), fence.open('k')];
    const other = fence.open('other');
    fence.close(b);
    fence.close(b); // closing twice changes nothing
    expect(fence.size).toBe(3);
    fence.revokeKey('k');
    expect([a.revoked, c.revoked, other.revoked]).toEqual([true, true, false]);
    fence.revokeTags(['t']);
    expect([...(a.revokedTags ?? [])]).toEqual(['t']);
    expect(fence.admits(other, ['t'])).toBe(false);
    expect(fence.admits(other, ['u'])).toBe(true);
    for (const ticket of [a, c, other]) fence.close(ticket);
    expect(fence.size).toBe(0);
    fence.revokeKey('k'); // nothing open: nobody is told
    expect(revoked).toEqual(['k', 'k', 'other']);
  });
});

describe('getOrSet factory context', () => {
  it('skip() answers the value without storing it; setTtl() and setTags() change how it is stored', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ clock, logger: silentLogger });
    expect(
      await cache.getOrSet('skipped', (ctx) => {
        ctx.skip();
        return 'not cached';
      }),
    ).toBe('not cached');
    expect(await cache.exists('skipped')).toBe(false);
    await cache.getOrSet(
      'short',
      (ctx) => {
        ctx.setTtl('2s');
        ctx.setTags(['late']);
        return 'v';
      },
      { ttl: 3600 },
    );
    expect(cache.getTtl('short')).toBe(2);
    expect(await cache.invalidateTags(['late'])).toBe(1);
    await expect(
      cache.getOrSet('bad', (ctx) => {
        ctx.setTtl(-1);
        return 1;
      }),
    ).rejects.toThrow(ValidationError);
  });

  it('hands the factory the stale value inside its grace period', async () => {
    const clock = new ManualClock();
    const cache = new InMemoryCache({ clock, logger: silentLogger });
    await cache.getOrSet('k', () => 1, { ttl: 1, grace: 60 });
    clock.advance(1500);
    const seen = vi.fn((ctx: { staleValue: number | undefined }) => (ctx.staleValue ?? 0) + 1);
    expect(await cache.getOrSet('k', seen, { ttl: 1, grace: 60 })).toBe(2);
    expect(seen).toHaveBeenCalledOnce();
  });
});

describe('graceBackoff bookkeeping', () => {
  it('remembers at most its limit of failed keys, forgetting the oldest first', () => {
    let now = 0;
    const backoff = new GraceBackoff(() => now, 3);
    for (const key of ['a', 'b', 'c', 'd']) backoff.failed(key, 1000);
    expect(backoff.size).toBe(3);
    expect(backoff.active('a')).toBe(false);
    expect(backoff.active('d')).toBe(true);
    now = 1000;
    expect(backoff.active('d')).toBe(false);
    expect(backoff.size).toBe(2);
    backoff.failed('x', 0); // no backoff asked: nothing remembered
    backoff.succeeded('b');
    expect(backoff.size).toBe(1);
  });
});

describe('issue 17 item 5: AIResponseCache.getOrCompute runs on the cache’s getOrSet', () => {
  it('item 5: a caller whose read missed just before another flight stored reads the value instead of computing', async () => {
    const inner = new InMemoryCache({ logger: silentLogger });
    const ai = new AIResponseCache({ cache: inner });
    const request = { operation: 'summarize', text: 'doc' };
    const key = ai.buildKey('doc', 'summarize');
    const compute = vi.fn(() => 'summary');
    // The first caller's read misses; the value lands before its flight starts (another flight stored it).
    const originalGetOrSet = inner.getOrSet.bind(inner);
    vi.spyOn(inner, 'getOrSet').mockImplementationOnce(async (k, factory, options) => {
      await inner.set(key, { $tcai: 1, v: 'stored by another flight', ms: 5 });
      return originalGetOrSet(k, factory, options);
    });
    expect(await ai.getOrCompute(request, compute)).toBe('stored by another flight');
    expect(compute).not.toHaveBeenCalled();
  });

  it('item 5: uses the composed cache’s single-flight and skips storing what must not be cached', async () => {
    const inner = new InMemoryCache({ logger: silentLogger });
    const getOrSet = vi.spyOn(inner, 'getOrSet');
    const ai = new AIResponseCache({ cache: inner });
    const empty = vi.fn(() => '');
    expect(await ai.getOrCompute({ operation: 'qa', text: 'x' }, empty)).toBe('');
    expect(getOrSet).toHaveBeenCalledOnce();
    expect(await ai.getOrCompute({ operation: 'qa', text: 'x' }, empty)).toBe('');
    expect(empty).toHaveBeenCalledTimes(2);
    expect(inner.size).toBe(0);
  });
});

describe('issue 17 item 2: every door accepts the coherence settings', () => {
  const factory = (): CacheFactory => new CacheFactory({ logger: silentLogger });
  const unreachable = { redisUrl: 'redis://127.0.0.1:1', connectTimeout: 50 };

  it('item 2: the factory accepts bus, coherence, ttlJitter, circuitBreaker and every cache option', async () => {
    for (const extra of [
      { bus: true },
      { coherence: 'bus' as const },
      { coherence: 'none' as const, memoryCacheTtl: '5s' },
      { ttlJitter: 0.1 },
      { circuitBreaker: false as const },
      { circuitBreaker: { failureThreshold: 3, resetTimeout: 1000 } },
    ]) {
      const cache = await factory().forWebApp({ ...unreachable, ...extra });
      await cache.close();
    }
    const ai = await factory().forAIApp({ ...unreachable, coherence: 'auto' });
    await ai.close();
  });

  it("item 2: refuses coherence 'none' without an L1 TTL cap, saying what to set", async () => {
    await expect(factory().forWebApp({ ...unreachable, coherence: 'none' })).rejects.toThrow(
      /coherence 'none' \(or bus: false\) needs memoryCacheTtl/,
    );
    expect(() => new GenericRedisCache({ bus: false, logger: silentLogger })).toThrow(/needs memoryCacheTtl/);
    expect(() => new GenericRedisCache({ coherence: 'bus', bus: false, logger: silentLogger })).toThrow(
      /contradicts/,
    );
    expect(() => new GenericRedisCache({ coherence: 'x' as never, logger: silentLogger })).toThrow(
      "coherence must be one of 'auto', 'bus', 'tracking', 'none'",
    );
  });

  it('item 2: CACHE_CUSTOM_CONFIG carries coherence and says where code-only options belong', async () => {
    const env = { CACHE_PRESET: 'simple', CACHE_REDIS_URL: 'redis://127.0.0.1:1' };
    await expect(
      factory().fromEnvironment({ ...env, CACHE_CUSTOM_CONFIG: '{"coherence":"none"}' }),
    ).rejects.toThrow(/needs memoryCacheTtl/);
    await expect(factory().fromEnvironment({ ...env, CACHE_CUSTOM_CONFIG: '{"logger":{}}' })).rejects.toThrow(
      ConfigurationError,
    );
    await expect(factory().fromEnvironment({ ...env, CACHE_CUSTOM_CONFIG: '{"logger":{}}' })).rejects.toThrow(
      'CACHE_CUSTOM_CONFIG cannot set logger: a logger is passed in code',
    );
  });
});
