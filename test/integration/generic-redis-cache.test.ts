import { PEEK } from '../../src/core/capabilities.js';
import { execFileSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { eventually } from '../helpers/fleet.js';
import { describe, expect, it, vi } from 'vitest';
import { compilePattern, toRedisMatch } from '../../src/core/pattern.js';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { createRedisCache, hasRedis, sleep, uniquePrefix, useRedis } from '../helpers/redis.js';

describe.runIf(hasRedis)('contract over a real redis-server', () => {
  const redis = useRedis();
  runCacheContractSuite({
    name: 'GenericRedisCache with L1',
    create: (o) => createRedisCache(redis, o),
    advanceTime: sleep,
  });
  runCacheContractSuite({
    name: 'GenericRedisCache without L1',
    create: (o) => createRedisCache(redis, { ...o, enableMemoryCache: false }),
    advanceTime: sleep,
  });

  it('runs the contract against Redis itself, not an in-process fallback', async () => {
    const cache = await createRedisCache(redis, { enableMemoryCache: false });
    await cache.set('proof', 'in redis');
    expect(await redis.raw.exists(`${cache.keyPrefix}proof`)).toBe(1);
    expect((await cache.getStats()).redis).toBe('connected');
    await cache.clear();
    await cache.close();
  });
});

describe.runIf(hasRedis)('GenericRedisCache on a real redis-server', () => {
  const redis = useRedis();

  it('writes a versioned envelope and compresses values above the threshold', async () => {
    const cache = await createRedisCache(redis, { compressionThreshold: 100 });
    await cache.set('small', 'tiny');
    await cache.set('big', 'x'.repeat(10_000));
    const small = await redis.raw.getBuffer(`${cache.keyPrefix}small`);
    const big = await redis.raw.getBuffer(`${cache.keyPrefix}big`);
    expect([...small!.subarray(0, 4)]).toStrictEqual([0x01, 1, 0, 0]);
    expect(small!.subarray(4).toString()).toBe('"tiny"');
    expect(big![2]! & 0b1100).toBe(0b0100);
    expect(big!.length).toBeLessThan(200);
    expect(await cache.get('big')).toBe('x'.repeat(10_000));
    await cache.close();
  });

  it('issue 23: a decompression bomb planted in Redis reads as a miss with an error event, and large values round-trip off the event loop', async () => {
    const cache = await createRedisCache(redis);
    const errors: string[] = [];
    cache.on('error', (event) => errors.push(`${event.kind}: ${event.error.message}`));
    // 64 MiB + 1 KiB of zeros deflated into ~65 KB, behind a valid deflate envelope header.
    const bomb = Buffer.concat([
      Buffer.from([0x01, 1, 0b0100, 0]),
      deflateRawSync(Buffer.alloc(65 * 1024 * 1024)),
    ]);
    await redis.raw.set(`${cache.keyPrefix}bomb`, bomb);
    expect(await cache.get('bomb')).toBeUndefined();
    expect(errors).toStrictEqual(['decode: stored value could not be decompressed']);
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `row ${i}`, active: i % 2 === 0 }));
    await cache.set('large', rows);
    const stored = await redis.raw.getBuffer(`${cache.keyPrefix}large`);
    expect(stored![2]! & 0b1100).toBe(0b0100); // above the default threshold: compressed
    const reader = await createRedisCache(redis, { keyPrefix: cache.keyPrefix }); // inflates the Redis copy
    expect(await reader.get('large')).toStrictEqual(rows);
    await reader.close();
    await cache.close();
  });

  it('issue 23: commands reach Redis in call order, even behind a value compressed off the event loop', async () => {
    const cache = await createRedisCache(redis);
    const big = { rows: Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `row ${i}` })) };
    // Each pair is called in one tick: the second must not overtake the first on its way to Redis.
    await Promise.all([cache.set('big-then-delete', big), cache.delete('big-then-delete')]);
    expect(await redis.raw.exists(`${cache.keyPrefix}big-then-delete`)).toBe(0);
    await Promise.all([cache.set('big-then-small', big), cache.set('big-then-small', 'small')]);
    expect(await cache.get('big-then-small')).toBe('small');
    await Promise.all([cache.set('small-then-delete', 'v'), cache.delete('small-then-delete')]);
    expect(await redis.raw.exists(`${cache.keyPrefix}small-then-delete`)).toBe(0);
    await Promise.all([cache.set('big-then-clear', big), cache.clear()]);
    expect(await redis.raw.exists(`${cache.keyPrefix}big-then-clear`)).toBe(0);
    await cache.close();
  });

  it.each(['delete', 'set', 'invalidatePattern', 'invalidateTags', 'clear'] as const)(
    'issue 23: a %s made here while a large value read from Redis is still inflating keeps that value out of L1',
    async (operation) => {
      const writer = await createRedisCache(redis);
      const reader = await createRedisCache(redis, { keyPrefix: writer.keyPrefix });
      const big = {
        rows: Array.from({ length: 150_000 }, (_, i) => ({ id: i, name: `row ${(i * 7919) % 1_000_003}` })),
      };
      let heard = 0;
      reader.on('bus', () => heard++);
      await writer.set('big', big, { tags: ['t'] });
      await eventually(() => heard >= 2); // the bus's and client tracking's announcements of that set
      const read = reader.get('big'); // GET sent; its reply is inflated on the thread pool
      const change = {
        delete: () => reader.delete('big'),
        set: () => reader.set('big', 'new'),
        invalidatePattern: () => reader.invalidatePattern('big'),
        invalidateTags: () => reader.invalidateTags(['t']),
        clear: () => reader.clear(),
      }[operation];
      await Promise.all([read, change()]);
      // Never the old value; a miss is allowed (the set's copy too may yield to an announcement).
      expect(operation === 'set' ? [undefined, 'new'] : [undefined]).toContain(reader[PEEK]('big'));
      expect(await reader.get('big')).toBe(operation === 'set' ? 'new' : undefined);
      await Promise.all([reader.close(), writer.close()]);
    },
  );

  it('round-trips values of 1 byte to 5 MB, with deflate and brotli', async () => {
    for (const compressionAlgorithm of ['deflate', 'brotli'] as const) {
      const cache = await createRedisCache(redis, { compressionAlgorithm, enableMemoryCache: false });
      for (const size of [1, 999, 1000, 1001, 65_536, 5 * 1024 * 1024]) {
        const value = { size, body: Buffer.alloc(size, 7).toString('latin1') };
        await cache.set(`v${size}`, value);
        expect(await cache.get(`v${size}`)).toStrictEqual(value);
      }
      await cache.close();
    }
  });

  it('stores the TTL in Redis, and no expiry for TTL 0', async () => {
    const cache = await createRedisCache(redis);
    await cache.set('ttl', 1, '2h');
    await cache.set('forever', 1, 0);
    expect(await redis.raw.ttl(`${cache.keyPrefix}ttl`)).toBeGreaterThan(7190);
    expect(await redis.raw.ttl(`${cache.keyPrefix}forever`)).toBe(-1);
    await cache.close();
  });

  it('never lets an L1 copy outlive its Redis entry', async () => {
    const writer = await createRedisCache(redis, { enableMemoryCache: false });
    const reader = await createRedisCache(redis, { keyPrefix: writer.keyPrefix, defaultTtl: 3600 });
    await writer.set('k', 'short-lived', 1);
    expect(await reader.get('k')).toBe('short-lived'); // promoted into the reader's L1
    await sleep(1_100);
    expect(await reader.get('k')).toBeUndefined();
    await writer.close();
    await reader.close();
  });

  it('serves repeated reads from L1 and counts hits per tier', async () => {
    const cache = await createRedisCache(redis);
    const other = await createRedisCache(redis, { keyPrefix: cache.keyPrefix });
    // The write's announcements reach this cache first (else one could drop the copy just promoted):
    // two of them by default, the bus's and Redis client tracking's.
    let heard = 0;
    cache.on('bus', () => heard++);
    await other.set('k', { v: 1 });
    await eventually(() => heard >= 2);
    expect(await cache.get('k')).toStrictEqual({ v: 1 });
    expect(await cache.get('k')).toStrictEqual({ v: 1 });
    await cache.get('missing');
    const stats = await cache.getStats();
    expect(stats).toMatchObject({ hits: 2, misses: 1, redisHits: 1, l1Hits: 1, redis: 'connected' });
    expect(stats.l1?.activeEntries).toBe(1);
    await cache.close();
    await other.close();
  });

  it('clears and invalidates only keys under its own prefix', async () => {
    const cache = await createRedisCache(redis);
    const neighbour = await createRedisCache(redis);
    await redis.raw.set('foreign:user:1', 'keep');
    await cache.setMany([
      { key: 'user:1', value: 1 },
      { key: 'user:2', value: 2 },
    ]);
    await neighbour.set('user:1', 'neighbour');
    expect(await cache.invalidatePattern('user:*')).toBe(2);
    await cache.set('again', 1);
    await cache.clear();
    expect(await redis.raw.get('foreign:user:1')).toBe('keep');
    expect(await neighbour.get('user:1')).toBe('neighbour');
    expect(await redis.raw.exists(`${cache.keyPrefix}again`)).toBe(0);
    await redis.raw.del('foreign:user:1');
    await cache.close();
    await neighbour.close();
  });

  it('invalidates thousands of keys through SCAN batches', async () => {
    const cache = await createRedisCache(redis, { enableMemoryCache: false });
    await cache.setMany(
      Array.from({ length: 5000 }, (_, i) => ({ key: `bulk:${i % 2 ? 'odd' : 'even'}:${i}`, value: i })),
    );
    expect(await cache.invalidatePattern('bulk:odd:*')).toBe(2500);
    expect(await redis.raw.dbsize()).toBeGreaterThanOrEqual(2500);
    await cache.clear();
    await cache.close();
  });

  it('reads a corrupt or foreign value planted with redis-cli as a miss and announces it', async () => {
    const cache = await createRedisCache(redis, { enableMemoryCache: false });
    const errors: string[] = [];
    cache.on('error', (e) => errors.push(`${e.kind}:${e.key ?? ''}`));
    const cli = (...args: string[]) => execFileSync('redis-cli', ['-u', redis.url, ...args]);
    cli('SET', `${cache.keyPrefix}plain`, 'not an envelope');
    await redis.raw.set(`${cache.keyPrefix}truncated`, Buffer.from([0x01, 1, 0b0100, 0, 1, 2, 3]));
    await redis.raw.set(
      `${cache.keyPrefix}badjson`,
      Buffer.concat([Buffer.from([0x01, 1, 0, 0]), Buffer.from('{nope')]),
    );
    await redis.raw.set(`${cache.keyPrefix}version`, Buffer.from([0x01, 9, 0, 0, 0x31]));
    await redis.raw.set(`${cache.keyPrefix}encrypted`, Buffer.from([0x01, 1, 0b1_0000, 1, 0x31]));
    await redis.raw.set(
      `${cache.keyPrefix}badtag`,
      Buffer.concat([Buffer.from([0x01, 1, 1, 0]), Buffer.from('{"$tc":"zzz","v":1}')]),
    );
    const keys = ['plain', 'truncated', 'badjson', 'version', 'encrypted', 'badtag'];
    for (const key of keys) expect(await cache.get(key)).toBeUndefined();
    expect(await cache.getMany(keys)).toStrictEqual(keys.map(() => undefined));
    expect(errors.slice(0, keys.length)).toStrictEqual(keys.map((k) => `decode:${k}`));
    expect((await cache.getStats()).decodeErrors).toBe(keys.length * 2);
    await cache.close();
  });

  it('runs the original callbacks and survives a throwing one', async () => {
    const logger = { ...silentLogger, error: vi.fn() };
    const cache = await createRedisCache(redis, { logger });
    const seen: string[] = [];
    cache.registerCallback('set_success', (key, value) => seen.push(`set:${key}:${String(value)}`));
    cache.registerCallback('get_success', () => {
      throw new Error('callback bug');
    });
    cache.registerCallback('get_success', (key, value) => seen.push(`hit:${key}:${String(value)}`));
    cache.registerCallback('get_miss', (key) => seen.push(`miss:${key}`));
    cache.registerCallback('delete_success', (key) => seen.push(`del:${key}`));
    await cache.set('k', 'v');
    await cache.get('k');
    await cache.get('nope');
    await cache.delete('k');
    expect(seen).toStrictEqual(['set:k:v', 'hit:k:v', 'miss:nope', 'del:k']);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(() => cache.registerCallback('on_hit' as 'get_miss', () => undefined)).toThrow(
      'unknown callback event: on_hit (expected one of get_success, get_miss, set_success, delete_success)',
    );
    expect(() => cache.registerCallback('get_miss', 'x' as never)).toThrow('callback must be a function');
    await cache.close();
  });

  it('reports status figures for /internal/cache/status', async () => {
    const cache = await createRedisCache(redis, { memoryCacheSize: 10 });
    await cache.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    await cache.get('a');
    const server = await cache.getServerStatus();
    expect(server).toMatchObject({ status: 'connected', keys: 2 });
    expect(server.memoryUsedBytes).toBeGreaterThan(0);
    expect(server.connectedClients).toBeGreaterThanOrEqual(1);
    const stats = await cache.getStats();
    expect(stats.l1).toMatchObject({ activeEntries: 2, maxSize: 10, utilizationPercent: 20 });
    expect(stats).toMatchObject({ hits: 1, misses: 0, hitRate: 100, sets: 2 });
    const noL1 = await createRedisCache(redis, { enableMemoryCache: false });
    expect((await noL1.getStats()).l1).toBeUndefined();
    await cache.close();
    await noL1.close();
  });

  it('adopts a caller-owned client and leaves it open on close', async () => {
    const client = new Redis(redis.url);
    const cache = new GenericRedisCache({
      redisClient: client,
      keyPrefix: uniquePrefix(),
      logger: silentLogger,
    });
    expect(await cache.connect()).toBe(true);
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
    await cache.clear();
    await cache.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('matches keys in Redis exactly as the in-process matcher does', async () => {
    const prefix = uniquePrefix('parity');
    const keys = [
      'user:1',
      'user:12',
      'my:user:1',
      'a|b:c',
      'lit*x',
      'open[b',
      'x?y',
      'trail\\',
      'user:b',
      'ÿ',
    ];
    await Promise.all(keys.map((k) => redis.raw.set(prefix + k, '1')));
    const patterns = [
      '',
      'user',
      'user:*',
      'user:?',
      'user:[0-9]*',
      'user:[^1]*',
      '*:*',
      'lit\\*x',
      'open[',
      'x?y',
      'a|b',
      '[z-a]*',
      'trail\\',
    ];
    for (const pattern of patterns) {
      const [, found] = await redis.raw.scan('0', 'MATCH', toRedisMatch(prefix, pattern), 'COUNT', 1000);
      const inRedis = found.map((k) => k.slice(prefix.length)).sort();
      expect(inRedis, `pattern ${JSON.stringify(pattern)}`).toStrictEqual(
        keys.filter(compilePattern(pattern)).sort(),
      );
    }
    await redis.raw.del(...keys.map((k) => prefix + k));
  });
});

describe.runIf(hasRedis)('GenericRedisCache[PEEK]', () => {
  const redis = useRedis();
  it('serves L1 hits synchronously with the same accounting as get, and nothing else', async () => {
    const cache = await createRedisCache(redis);
    const noL1 = await createRedisCache(redis, { enableMemoryCache: false, keyPrefix: cache.keyPrefix });
    const hits: string[] = [];
    cache.registerCallback('get_success', (key) => hits.push(key));
    await cache.set('k', 'v');
    expect(cache[PEEK]('k')).toBe('v');
    expect(cache[PEEK]('absent')).toBeUndefined();
    expect(noL1[PEEK]('k')).toBeUndefined();
    expect(await cache.getStats()).toMatchObject({ hits: 1, l1Hits: 1, misses: 0 });
    expect(hits).toStrictEqual(['k']);
    await cache.clear();
    await cache.close();
    await noL1.close();
  });

  it('issue 18: exists sees no grace copy past its TTL, in L1 or in Redis, yet getOrSet still serves it', async () => {
    const cache = await createRedisCache(redis);
    const noL1 = await createRedisCache(redis, { keyPrefix: cache.keyPrefix, enableMemoryCache: false });
    await cache.getOrSet('g', () => 'v', { ttl: 1, grace: 60 });
    await cache.set('plain', 1);
    expect(await cache.exists('g')).toBe(true);
    expect(await noL1.exists('g')).toBe(true);
    expect(await noL1.exists('plain')).toBe(true);
    await redis.raw.set(`${cache.keyPrefix}foreign`, 'not an envelope');
    expect(await noL1.exists('foreign')).toBe(false); // get reads it as a miss; so does exists
    // Until its TTL passes for both (the L1 copy's clock started a moment after the Redis envelope's).
    while ((await noL1.get('g')) !== undefined || (await cache.get('g')) !== undefined) await sleep(20);
    expect(await cache.exists('g')).toBe(false);
    expect(await noL1.exists('g')).toBe(false);
    expect(await redis.raw.exists(`${cache.keyPrefix}g`)).toBe(1); // kept for grace
    const failing = () => Promise.reject(new Error('down'));
    expect(await noL1.getOrSet('g', failing, { ttl: 1, grace: 60, graceBackoff: 0 })).toBe('v');
    await cache.close();
    await noL1.close();
  });
});
