import { describe, expect, it, vi } from 'vitest';
import { LockTimeoutError } from '../../src/core/errors.js';
import type { RedisCacheStats } from '../../src/redis/generic-redis-cache.js';
import { hasRedis, sleep, uniquePrefix, useRedis } from '../helpers/redis.js';
import type { CacheWorker } from '../helpers/workers.js';
import { heldFactory } from '../helpers/held-factory.js';
import { eventually, useFleet } from '../helpers/fleet.js';

const redis = useRedis();
const { cache, worker } = useFleet(redis);

const lockKey = (prefix: string, key: string): string => `__tiercache__:${prefix}lock:${key}`;

describe.skipIf(!hasRedis)('issue 17: never stale or wrong across instances (real redis-server)', () => {
  describe('item 1: coherent by default', () => {
    it('item 1: two processes with default options never keep serving a value set, deleted or invalidated on the other', async () => {
      const prefix = uniquePrefix('coh2');
      const [a, b] = await Promise.all([worker(prefix), worker(prefix)]);
      await a.call('set', 'k', 'v1');
      expect(await b.call('get', 'k')).toBe('v1'); // warm in b's L1
      await a.call('set', 'k', 'v2');
      await eventually(async () => (await b.call('get', 'k')) === 'v2');
      await a.call('delete', 'k');
      await eventually(async () => (await b.call('get', 'k')) === undefined);
      await a.call('set', 'user:1', 'u1');
      await a.call('set', 'tagged', 't', { tags: ['team'] });
      expect(await b.call('get', 'user:1')).toBe('u1');
      expect(await b.call('get', 'tagged')).toBe('t');
      await a.call('invalidatePattern', 'user:*');
      await a.call('invalidateTags', ['team']);
      await eventually(async () => (await b.call('get', 'user:1')) === undefined);
      await eventually(async () => (await b.call('get', 'tagged')) === undefined);
    });

    it('item 1: four processes with default options all see each change', async () => {
      const prefix = uniquePrefix('coh4');
      const fleet = await Promise.all([1, 2, 3, 4].map(() => worker(prefix)));
      const [writer, ...readers] = fleet as [CacheWorker, ...CacheWorker[]];
      for (let version = 1; version <= 3; version++) {
        await writer.call('set', 'shared', version);
        for (const reader of readers) {
          await eventually(async () => (await reader.call('get', 'shared')) === version);
        }
      }
      await writer.call('clear');
      for (const reader of readers)
        await eventually(async () => (await reader.call('get', 'shared')) === undefined);
    });

    it('item 1: a default cache with L1 reports client tracking (beside the bus) as its coherence mode', async () => {
      const c = await cache();
      await c.connect(); // tracking is armed once connected
      expect(c.coherence).toBe('tracking');
      expect(c.coherenceStatus).toMatchObject({ requested: 'auto', active: 'tracking' });
      expect(c.busChannel).toBe(`__tiercache__:${c.keyPrefix}bus`);
      expect((await cache({ enableMemoryCache: false })).coherence).toBe('off');
      expect((await cache({ coherence: 'none', memoryCacheTtl: '5s' })).busChannel).toBeUndefined();
    });

    it("item 1: coherence 'none' caps L1 copies at memoryCacheTtl", async () => {
      const a = await cache({ coherence: 'none', memoryCacheTtl: 1 });
      const b = await cache({ keyPrefix: a.keyPrefix, coherence: 'none', memoryCacheTtl: 1 });
      await a.set('k', 'v1', 3600);
      expect(await b.get('k')).toBe('v1');
      await a.set('k', 'v2', 3600);
      expect(await b.get('k')).toBe('v1'); // no bus: stale, but only until the cap
      await eventually(async () => (await b.get('k')) === 'v2', 3000);
    });
  });

  describe('item 3: peer starts do not clear peers', () => {
    it('item 3: a third instance connecting does not empty the others’ L1 (their L1 hits keep rising)', async () => {
      const prefix = uniquePrefix('rolling');
      // bus: true is the default now; it is explicit so this test means the same on older code.
      const [a, b] = await Promise.all([worker(prefix, { bus: true }), worker(prefix, { bus: true })]);
      await a.call('set', 'hot', 'v');
      expect(await b.call('get', 'hot')).toBe('v');
      const before = await b.call<RedisCacheStats>('stats');
      const third = await worker(prefix, { bus: true }); // a rolling deploy starts a new instance
      await third.call('set', 'marker', 1); // its first publish reaches b only after any clear it sent
      await eventually(async () => (await b.call('get', 'marker')) === 1);
      expect(await b.call('get', 'hot')).toBe('v');
      expect(await a.call('get', 'hot')).toBe('v');
      const after = await b.call<RedisCacheStats>('stats');
      expect(after.l1Hits).toBe(before.l1Hits + 1);
      expect(after.redisHits).toBe(before.redisHits + 1); // only 'marker' came from Redis
      const events = await b.call<{ type: string; keys: number }[]>('busEvents');
      expect(events.filter((e) => e.type === 'received').every((e) => e.keys <= 1)).toBe(true);
    });

    it('item 3: an instance whose connection drops and returns without changes does not clear its peers', async () => {
      const prefix = uniquePrefix('blip');
      const peer = await worker(prefix, { bus: true });
      const local = await cache({ keyPrefix: prefix, bus: true });
      await local.set('hot', 'v');
      // The write's message must have reached the peer before the connection drops: a publish lost in the
      // drop rightly makes the instance tell its peers to clear (they may have missed it).
      await eventually(async () => (await peer.call<{ type: string }[]>('busEvents')).length > 0);
      expect(await peer.call('get', 'hot')).toBe('v');
      const recovered = new Promise<void>((resolve) =>
        local.on('connection', (e) => e.status === 'connected' && resolve()),
      );
      const id = await local.client.client('ID');
      await redis.raw.client('KILL', 'ID', String(id));
      await local.get('other'); // notices the outage
      await recovered;
      await local.set('marker', 1);
      await eventually(async () => (await peer.call('get', 'marker')) === 1);
      const before = await peer.call<RedisCacheStats>('stats');
      expect(await peer.call('get', 'hot')).toBe('v');
      expect((await peer.call<RedisCacheStats>('stats')).l1Hits).toBe(before.l1Hits + 1);
    });
  });

  describe('items 4 and 6: single-flight for the factory’s whole life', () => {
    it('item 4: after a soft timeout answers, 20 more callers join the running factory (1 call)', async () => {
      const c = await cache();
      await c.getOrSet('soft', () => 'old', { ttl: 1, grace: 60 });
      await eventually(async () => (await c.get('soft')) === undefined, 3000);
      const slow = heldFactory<string>();
      const options = { ttl: 60, grace: 60, timeout: '50ms' };
      expect(await c.getOrSet('soft', slow.factory, options)).toBe('old');
      const more = await Promise.all(
        Array.from({ length: 20 }, () => c.getOrSet('soft', slow.factory, options)),
      );
      expect(new Set(more)).toStrictEqual(new Set(['old']));
      await eventually(() => slow.running); // the soft timeout can fire while the lock is still being taken
      slow.release('new');
      await eventually(async () => (await c.get('soft')) === 'new');
      expect(slow.calls).toBe(1);
    });

    it('item 4: after a hard timeout rejects, 20 more callers join the running factory (1 call)', async () => {
      const c = await cache();
      const slow = heldFactory<string>();
      await expect(c.getOrSet('hard', slow.factory, { hardTimeout: '50ms' })).rejects.toThrow(
        'did not finish',
      );
      const more = Promise.all(Array.from({ length: 20 }, () => c.getOrSet('hard', slow.factory)));
      await eventually(() => slow.running);
      slow.release('computed');
      expect(new Set(await more)).toStrictEqual(new Set(['computed']));
      expect(slow.calls).toBe(1);
    });

    it('item 6: a factory slower than its lock lease still runs once across processes (the lease is renewed)', async () => {
      const prefix = uniquePrefix('lease');
      const counterKey = `counter:${prefix}`;
      const [owner, waiter] = await Promise.all([worker(prefix), worker(prefix)]);
      // lockTimeout 1 s → a 500 ms lease, renewed every ~170 ms: without renewal it would expire four
      // times during the factory (a lease short enough to lapse on a stall of a loaded machine is not).
      const running = owner.call(
        'getOrSet',
        'k',
        { counterKey, delayMs: 2200, value: 'once' },
        { lockTimeout: '1s' },
      );
      await eventually(async () => (await redis.raw.get(counterKey)) === '1');
      const waited = await waiter.call(
        'getOrSet',
        'k',
        { counterKey, delayMs: 0, value: 'twice' },
        { lockTimeout: '5s' },
      );
      expect(waited).toBe('once');
      expect(await running).toBe('once');
      expect(await redis.raw.get(counterKey)).toBe('1');
    });

    it('item 6: a waiter past lockTimeout gets the stale value or LockTimeoutError, never a second factory', async () => {
      const a = await cache();
      const b = await cache({ keyPrefix: a.keyPrefix });
      const owner = heldFactory<string>(); // busy until the test says so, however slow the machine
      const running = a.getOrSet('k', owner.factory, { lockTimeout: '5s' });
      await eventually(() => owner.running);
      const second = vi.fn(() => 'second');
      await expect(b.getOrSet('k', second, { lockTimeout: '100ms' })).rejects.toBeInstanceOf(
        LockTimeoutError,
      );
      expect(second).not.toHaveBeenCalled();
      owner.release('owner');
      expect(await running).toBe('owner');
    });

    it('item 6: waiters are woken when the owner releases without storing (skip), not left to poll', async () => {
      const a = await cache();
      const b = await cache({ keyPrefix: a.keyPrefix });
      const running = a.getOrSet(
        'skip',
        async (ctx) => {
          await sleep(300);
          ctx.skip();
          return 'not stored';
        },
        { lockTimeout: '5s' },
      );
      await eventually(async () => (await redis.raw.exists(lockKey(a.keyPrefix, 'skip'))) === 1);
      const waited = b.getOrSet('skip', () => 'b computed', { lockTimeout: '5s' });
      expect(await running).toBe('not stored');
      expect(await waited).toBe('b computed');
      expect(await redis.raw.exists(`${a.keyPrefix}skip`)).toBe(1);
    });
  });

  describe('item 5: AI getOrCompute on getOrSet', () => {
    it('item 5: 3 processes × getOrCompute of the same request make 1 compute', async () => {
      const prefix = uniquePrefix('ai3');
      const counterKey = `counter:${prefix}`;
      const fleet = await Promise.all([1, 2, 3].map(() => worker(prefix)));
      const results = await Promise.all(
        fleet.map((w) =>
          w.call<string[]>('aiGetOrComputeMany', 5, 'the same long document', {
            counterKey,
            delayMs: 300,
            value: 'one summary',
          }),
        ),
      );
      expect(new Set(results.flat())).toStrictEqual(new Set(['one summary']));
      expect(await redis.raw.get(counterKey)).toBe('1');
    });
  });

  describe('item 7: fenced fills', () => {
    it('item 7: a delete, pattern or tag invalidation during a slow factory in this process is never undone by it', async () => {
      const c = await cache();
      for (const invalidate of [
        () => c.delete('fill'),
        () => c.invalidatePattern('fil*'),
        () => c.invalidateTags(['fills']),
        () => c.clear(),
      ]) {
        const slow = heldFactory<string>();
        const filling = c.getOrSet('fill', slow.factory, { tags: ['fills'] });
        await eventually(() => slow.running);
        expect(await redis.raw.exists(lockKey(c.keyPrefix, 'fill'))).toBe(1);
        await invalidate();
        slow.release('before invalidation');
        expect(await filling).toBe('before invalidation'); // the callers of the fill get its answer
        expect(await c.get('fill')).toBeUndefined();
        expect(await redis.raw.exists(`${c.keyPrefix}fill`)).toBe(0);
      }
    });

    it('item 7: an invalidation from another process during a slow factory is never undone by it', async () => {
      const prefix = uniquePrefix('fence');
      const counterKey = `counter:${prefix}`;
      const filler = await worker(prefix);
      const other = await cache({ keyPrefix: prefix });
      for (const [key, invalidate] of [
        ['del', () => other.delete('del')],
        ['pat:1', () => other.invalidatePattern('pat:*')],
        ['tag', () => other.invalidateTags(['t'])],
      ] as const) {
        await redis.raw.del(counterKey);
        const releaseKey = `release:${prefix}:${key}`;
        const filling = filler.call(
          'getOrSet',
          key,
          { counterKey, releaseKey, value: 'stale upstream' },
          { tags: ['t'] },
        );
        await eventually(async () => (await redis.raw.get(counterKey)) === '1');
        await invalidate();
        await redis.raw.set(releaseKey, 1, 'EX', 60); // the factory ends only after the invalidation
        expect(await filling).toBe('stale upstream');
        expect(await redis.raw.exists(`${prefix}${key}`)).toBe(0);
        expect(await filler.call('get', key)).toBeUndefined();
        expect(await other.get(key)).toBeUndefined();
      }
    });

    it('item 7: a set during a slow factory is never overwritten by its older result (one process)', async () => {
      const c = await cache();
      const peer = await cache({ keyPrefix: c.keyPrefix });
      const filled = await c.getOrSet('k', async () => {
        await c.set('k', 'written meanwhile');
        return 'computed before';
      });
      expect(filled).toBe('computed before');
      expect(await c.get('k')).toBe('written meanwhile');
      expect(await peer.get('k')).toBe('written meanwhile');
    });

    it('item 7: a set from another process during a slow factory is never overwritten by its result', async () => {
      const prefix = uniquePrefix('fenceset');
      const counterKey = `counter:${prefix}`;
      const filler = await worker(prefix);
      const other = await cache({ keyPrefix: prefix });
      const releaseKey = `release:${prefix}`;
      const filling = filler.call('getOrSet', 'k', { counterKey, releaseKey, value: 'computed before' });
      await eventually(async () => (await redis.raw.get(counterKey)) === '1');
      await other.set('k', 'written meanwhile');
      await redis.raw.set(releaseKey, 1, 'EX', 60); // the factory ends only after the set
      expect(await filling).toBe('computed before');
      expect(await filler.call('get', 'k')).toBe('written meanwhile');
      expect(await other.get('k')).toBe('written meanwhile');
    });

    it('item 6: a hung factory holds the lock no longer than its hardTimeout; then another instance computes', async () => {
      const a = await cache();
      const b = await cache({ keyPrefix: a.keyPrefix });
      const hung = a.getOrSet('k', () => new Promise<string>(() => undefined), {
        hardTimeout: '300ms',
        lockTimeout: '1s',
      });
      await expect(hung).rejects.toThrow('did not finish');
      expect(await b.getOrSet('k', () => 'b computed', { lockTimeout: '5s' })).toBe('b computed');
    });

    it('item 7: a fill with no invalidation meanwhile is stored as usual', async () => {
      const c = await cache();
      expect(await c.getOrSet('plain', () => sleep(50).then(() => 'v'), { tags: ['x'] })).toBe('v');
      expect(await redis.raw.exists(`${c.keyPrefix}plain`)).toBe(1);
      expect(await redis.raw.exists(lockKey(c.keyPrefix, 'plain'))).toBe(0);
      expect(await redis.raw.smembers(`__tiercache__:${c.keyPrefix}tag:x`)).toStrictEqual(['plain']);
    });
  });
});
