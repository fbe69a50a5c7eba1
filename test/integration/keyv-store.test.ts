import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import { createCache } from 'cache-manager';
import Keyv from 'keyv';
import * as vitest from 'vitest';
import { describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { ValidationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { TiercacheKeyvStore } from '../../src/keyv/keyv-store.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { useKeyvRedisStore } from '../helpers/keyv.js';
import { hasRedis, uniquePrefix, useRedis } from '../helpers/redis.js';

describe('Keyv compliance suite over InMemoryCache', () => {
  const cache = new InMemoryCache({ maxSize: 10_000 });
  keyvTestSuite(vitest, Keyv, () => new TiercacheKeyvStore(cache));
  keyvIteratorTests(vitest, Keyv, () => new TiercacheKeyvStore(cache));
});

describe.runIf(hasRedis)('Keyv compliance suite over GenericRedisCache (real redis-server)', () => {
  const redis = useRedis();
  const { store, cache } = useKeyvRedisStore(redis, 'keyv');
  keyvTestSuite(vitest, Keyv, store);
  keyvIteratorTests(vitest, Keyv, store);

  it('issue 19 item 5: a Keyv store over a cache nobody connected writes to Redis (lazy connect)', async () => {
    const unconnected = new GenericRedisCache({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('keyvlazy'),
      logger: silentLogger,
      commandTimeout: '5s', // a loaded machine can stall a command past the 500 ms default
    });
    const keyv = new Keyv({ store: new TiercacheKeyvStore(unconnected), namespace: 'n' });
    await keyv.set('k', 'v');
    expect(await redis.raw.exists(`${unconnected.keyPrefix}n:k`)).toBe(1);
    await unconnected.close();
  });

  it('keeps Keyv values in Redis under the cache prefix and the Keyv namespace', async () => {
    const keyv = new Keyv({ store: store(), namespace: 'users' });
    await keyv.set('1', { name: 'Ada' }, 60_000);
    const redisKey = `${cache().keyPrefix}users:1`;
    expect(await redis.raw.exists(redisKey)).toBe(1);
    const ttl = await redis.raw.ttl(redisKey);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await keyv.get('1')).toStrictEqual({ name: 'Ada' });
  });
});

describe('Keyv and cache-manager examples', () => {
  it('new Keyv({ store }) works over a tiercache cache', async () => {
    const keyv = new Keyv({ store: new TiercacheKeyvStore(new InMemoryCache()) });
    await keyv.set('greeting', 'hello', 1000);
    expect(await keyv.get('greeting')).toBe('hello');
    expect(await keyv.has('greeting')).toBe(true);
    expect(await keyv.delete('greeting')).toBe(true);
  });

  it('cache-manager wrap computes once and serves the cached value', async () => {
    const cache = createCache({ stores: [new Keyv({ store: new TiercacheKeyvStore(new InMemoryCache()) })] });
    let calls = 0;
    const load = async () => {
      calls++;
      return { id: 42, name: 'answer' };
    };
    expect(await cache.wrap('thing:42', load, 60_000)).toStrictEqual({ id: 42, name: 'answer' });
    expect(await cache.wrap('thing:42', load, 60_000)).toStrictEqual({ id: 42, name: 'answer' });
    expect(calls).toBe(1);
    expect(await cache.get('thing:42')).toStrictEqual({ id: 42, name: 'answer' });
  });

  it('rounds a millisecond TTL up to whole seconds, never down to "no expiry"', async () => {
    const inner = new InMemoryCache();
    const store = new TiercacheKeyvStore(inner);
    await store.set('a', 'v', 1);
    await store.set('b', 'v', 1500);
    expect(inner.getTtl('a')).toBe(1);
    expect(inner.getTtl('b')).toBe(2);
  });

  it('surfaces invalid TTLs and keys through Keyv error events as ValidationErrors', async () => {
    const keyv = new Keyv({ store: new TiercacheKeyvStore(new InMemoryCache()) });
    const errors: unknown[] = [];
    keyv.on('error', (error: unknown) => errors.push(error));
    expect(await keyv.set('k', 'v', -5)).toBe(false);
    expect(await keyv.get('x'.repeat(2000))).toBeUndefined();
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e instanceof ValidationError)).toBe(true);
    expect((errors[0] as Error).message).toBe('ttl must be a non-negative number of milliseconds');
    expect((errors[1] as Error).message).toBe('key must be a non-empty string of at most 1024 bytes');
  });

  it('works over an AI cache, iterator included', async () => {
    const keyv = new Keyv({
      store: new TiercacheKeyvStore(new AIResponseCache({ cache: new InMemoryCache() })),
      namespace: 'ai',
    });
    await keyv.set('q1', 'answer one');
    await keyv.set('q2', 'answer two');
    const seen: [string, unknown][] = [];
    for await (const entry of keyv.iterator!(undefined)) seen.push(entry as [string, unknown]);
    expect(seen.sort()).toStrictEqual([
      ['q1', 'answer one'],
      ['q2', 'answer two'],
    ]);
  });

  it('rejects something that is not a tiercache cache', () => {
    expect(() => new TiercacheKeyvStore({} as never)).toThrow('TiercacheKeyvStore needs a tiercache cache');
  });
});
