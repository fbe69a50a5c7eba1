import { describe, expect, it, vi } from 'vitest';
import { FactoryTimeoutError, ValidationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import {
  CircuitBreaker,
  resolveBreakerOptions,
  type BreakerStatus,
} from '../../src/redis/circuit-breaker.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function memoryCache(clock = new ManualClock()): { cache: InMemoryCache; clock: ManualClock } {
  return { cache: new InMemoryCache({ clock, logger: silentLogger }), clock };
}

describe('getOrSet grace and timeouts (InMemoryCache)', () => {
  it('serves the stale value while the factory fails inside the grace period, then fresh after recovery', async () => {
    const { cache, clock } = memoryCache();
    expect(await cache.getOrSet('k', () => 'v1', { ttl: 10, grace: 60 })).toBe('v1');
    clock.advance(11_000);
    expect(await cache.get('k')).toBeUndefined(); // past its TTL it is a miss for plain reads
    const failing = vi.fn(() => Promise.reject(new Error('upstream down')));
    expect(await cache.getOrSet('k', failing, { ttl: 10, grace: 60 })).toBe('v1');
    expect(failing).toHaveBeenCalledOnce();
    clock.advance(10_000); // past graceBackoff: the factory is tried again
    expect(await cache.getOrSet('k', () => 'v2', { ttl: 10, grace: 60 })).toBe('v2');
    expect(await cache.get('k')).toBe('v2');
  });

  it('does not retry a failed factory during graceBackoff: the stale value answers meanwhile', async () => {
    const { cache, clock } = memoryCache();
    await cache.getOrSet('k', () => 'v1', { ttl: 10, grace: 60 });
    clock.advance(11_000);
    const failing = vi.fn(() => Promise.reject(new Error('upstream down')));
    const options = { ttl: 10, grace: 60, graceBackoff: '5s' };
    expect(await cache.getOrSet('k', failing, options)).toBe('v1');
    const healthy = vi.fn(() => 'v2');
    expect(await cache.getOrSet('k', healthy, options)).toBe('v1');
    clock.advance(4000);
    expect(await cache.getOrSet('k', healthy, options)).toBe('v1');
    expect(healthy).not.toHaveBeenCalled();
    clock.advance(1000);
    expect(await cache.getOrSet('k', healthy, options)).toBe('v2');
    expect(healthy).toHaveBeenCalledOnce();
    expect(failing).toHaveBeenCalledOnce();
  });

  it('retries at once after a failure when graceBackoff is 0', async () => {
    const { cache, clock } = memoryCache();
    await cache.getOrSet('k', () => 'v1', { ttl: 10, grace: 60 });
    clock.advance(11_000);
    const options = { ttl: 10, grace: 60, graceBackoff: 0 };
    expect(await cache.getOrSet('k', () => Promise.reject(new Error('down')), options)).toBe('v1');
    expect(await cache.getOrSet('k', () => 'v2', options)).toBe('v2');
  });

  it('propagates the factory error once the grace period is over', async () => {
    const { cache, clock } = memoryCache();
    await cache.getOrSet('k', () => 'v1', { ttl: 10, grace: 5 });
    clock.advance(16_000);
    await expect(
      cache.getOrSet('k', () => Promise.reject(new Error('still down')), { grace: 5 }),
    ).rejects.toThrow('still down');
  });

  it('propagates the factory error when the entry was written without grace', async () => {
    const { cache, clock } = memoryCache();
    await cache.getOrSet('k', () => 'v1', { ttl: 10 });
    clock.advance(11_000);
    await expect(cache.getOrSet('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
  });

  it('answers stale past the soft timeout and stores the late result in the background', async () => {
    const { cache, clock } = memoryCache();
    await cache.getOrSet('k', () => 'old', { ttl: 10, grace: 60 });
    clock.advance(11_000);
    let finish: (v: string) => void = () => undefined;
    const slow = new Promise<string>((resolve) => (finish = resolve));
    expect(await cache.getOrSet('k', () => slow, { ttl: 10, grace: 60, timeout: '20ms' })).toBe('old');
    finish('new');
    await vi.waitFor(async () => expect(await cache.get('k')).toBe('new'));
  });

  it('rejects with FactoryTimeoutError past the hard timeout and still stores the late value', async () => {
    const { cache } = memoryCache();
    let finish: (v: string) => void = () => undefined;
    const late = new Promise<string>((resolve) => (finish = resolve));
    const error = await cache.getOrSet('k', () => late, { hardTimeout: '20ms' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FactoryTimeoutError);
    expect((error as FactoryTimeoutError).message).toMatch(/did not finish within 20 ms/);
    finish('late'); // the factory finishes only after the caller gave up
    await vi.waitFor(async () => expect(await cache.get('k')).toBe('late'));
  });

  it('lets a factory that finishes before the timeouts answer normally', async () => {
    const { cache } = memoryCache();
    expect(await cache.getOrSet('k', () => 'quick', { timeout: '1s', hardTimeout: '2s' })).toBe('quick');
  });

  it('runs one factory for 100 concurrent callers', async () => {
    const { cache } = memoryCache();
    const factory = vi.fn(async () => {
      await sleep(10);
      return { n: 1 };
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => cache.getOrSet('k', factory)));
    expect(factory).toHaveBeenCalledOnce();
    expect(new Set(results.map((r) => JSON.stringify(r)))).toStrictEqual(new Set(['{"n":1}']));
  });

  it.each([
    [{ grace: -1 }, 'grace must be non-negative'],
    [{ timeout: '2s', hardTimeout: '1s' }, 'timeout must not exceed hardTimeout'],
    [{ timeout: 'soon' }, 'timeout must be a non-negative duration'],
    [{ hardTimeout: -5 }, 'hardTimeout must be a non-negative duration'],
    [{ lockTimeout: Number.NaN }, 'lockTimeout must be a non-negative duration'],
    [{ tags: ['ok', ''] }, 'tags must be an array of non-empty strings'],
    [{ retries: 3 }, 'unknown getOrSet option: retries'],
  ])('rejects bad options %o with a ValidationError naming the option', async (options, message) => {
    const { cache } = memoryCache();
    const error = await cache.getOrSet('k', () => 1, options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(message);
  });
});

describe('TTL jitter', () => {
  it('spreads TTLs within ±jitter and is deterministic under an injected random source', async () => {
    const clock = new ManualClock();
    const draws = [0, 0.5, 0.999_999];
    const cache = new InMemoryCache({ clock, ttlJitter: 0.1, random: () => draws.shift() ?? 0.5 });
    await cache.set('low', 1, 100);
    await cache.set('mid', 1, 100);
    await cache.set('high', 1, 100);
    expect(cache.getTtl('low')).toBe(90);
    expect(cache.getTtl('mid')).toBe(100);
    expect(cache.getTtl('high')).toBe(110);
  });

  it('keeps 1,000 jittered TTLs inside the bounds and actually spread', async () => {
    const cache = new InMemoryCache({ maxSize: 2000, ttlJitter: 0.2 });
    for (let i = 0; i < 1000; i++) await cache.set(`k${i}`, i, 1000);
    const ttls = Array.from({ length: 1000 }, (_, i) => cache.getTtl(`k${i}`) as number);
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(1200);
    expect(new Set(ttls).size).toBeGreaterThan(100);
  });

  it('leaves TTL 0 (no expiry) alone', async () => {
    const cache = new InMemoryCache({ ttlJitter: 0.5 });
    await cache.set('forever', 1, 0);
    expect(cache.getTtl('forever')).toBeUndefined();
  });

  it.each([-0.1, 1.5, Number.NaN, '0.1'])('rejects ttlJitter %s', (ttlJitter) => {
    expect(() => new InMemoryCache({ ttlJitter: ttlJitter as number })).toThrow(
      'ttlJitter must be a number between 0 and 1',
    );
    expect(() => new GenericRedisCache({ ttlJitter: ttlJitter as number })).toThrow(ValidationError);
  });

  it('rejects a random source that is not a function', () => {
    expect(() => new InMemoryCache({ random: 0.3 as never })).toThrow('random must be a function');
  });
});

describe('tags (InMemoryCache)', () => {
  it('invalidates 10,000 tagged keys and leaves the others', async () => {
    const cache = new InMemoryCache({ maxSize: 20_000 });
    await cache.setMany(
      Array.from({ length: 10_000 }, (_, i) => ({ key: `p${i}`, value: i, tags: ['products'] })),
    );
    await cache.set('user:1', 'ann', { tags: ['users'] });
    await cache.set('plain', 'x');
    const events: number[] = [];
    cache.on('invalidate', (e) => e.type === 'tags' && events.push(e.keysInvalidated));
    expect(await cache.invalidateTags(['products'])).toBe(10_000);
    expect(cache.size).toBe(2);
    expect(events).toStrictEqual([10_000]);
    expect(await cache.invalidateTags(['products'])).toBe(0);
  });

  it('forgets a tag when the key is rewritten without it, deleted or evicted', async () => {
    const cache = new InMemoryCache({ maxSize: 2 });
    await cache.set('a', 1, { tags: ['t'] });
    await cache.set('a', 2); // rewritten untagged
    await cache.set('b', 1, { tags: ['t'] });
    await cache.delete('b');
    await cache.set('b', 3); // untagged again
    expect(await cache.invalidateTags(['t'])).toBe(0);
    expect(await cache.get('a')).toBe(2);
    expect(await cache.get('b')).toBe(3);
  });

  it('removes a key carrying several of the tags once', async () => {
    const cache = new InMemoryCache();
    await cache.set('both', 1, { tags: ['x', 'y'] });
    await cache.getOrSet('computed', () => 2, { tags: ['y'] });
    expect(await cache.invalidateTags(['x', 'y'])).toBe(2);
  });

  it('rejects tags that are not a list of non-empty strings', async () => {
    const cache = new InMemoryCache();
    await expect(cache.set('k', 1, { tags: 'x' as never })).rejects.toThrow('tags must be an array');
    await expect(cache.invalidateTags([42] as never)).rejects.toThrow(ValidationError);
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, half-opens after the reset timeout, closes on success', () => {
    let now = 0;
    const changes: BreakerStatus[] = [];
    const breaker = new CircuitBreaker(
      { failureThreshold: 3, resetTimeout: 1000 },
      (s) => changes.push(s),
      () => now,
    );
    breaker.failure();
    breaker.failure();
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.status).toStrictEqual({ state: 'open', failures: 3, opens: 1 });
    expect(breaker.allow()).toBe(false);
    now = 1000;
    expect(breaker.allow()).toBe(true); // the one trial
    expect(breaker.status.state).toBe('half-open');
    expect(breaker.allow()).toBe(false); // others wait for it
    breaker.failure();
    expect(breaker.status).toMatchObject({ state: 'open', opens: 2 });
    now = 2500;
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.status).toStrictEqual({ state: 'closed', failures: 0, opens: 2 });
    expect(changes.map((c) => c.state)).toStrictEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    breaker.trip();
    expect(breaker.status).toMatchObject({ state: 'open', opens: 3 });
    breaker.trip(); // already open: no second event
    expect(changes).toHaveLength(6);
  });

  it('validates its options', () => {
    expect(resolveBreakerOptions(false)).toBeUndefined();
    expect(resolveBreakerOptions({ failureThreshold: 2 })).toStrictEqual({
      failureThreshold: 2,
      resetTimeout: 2000,
    });
    expect(() => resolveBreakerOptions({ failureThreshold: 0 })).toThrow('circuitBreaker.failureThreshold');
    expect(() => resolveBreakerOptions({ resetTimeout: 1.5 })).toThrow('circuitBreaker.resetTimeout');
    expect(() => resolveBreakerOptions('on' as never)).toThrow('circuitBreaker must be an object or false');
  });

  it('rejects a malformed bus option on GenericRedisCache', () => {
    expect(() => new GenericRedisCache({ bus: 'yes' as never })).toThrow('bus must be a boolean');
    expect(() => new GenericRedisCache({ bus: { channel: '' } })).toThrow(
      'bus.channel must be a non-empty string',
    );
  });
});
