import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { getFreePort, startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { redisBinary, sleep, uniquePrefix } from '../helpers/redis.js';

const COMMAND_TIMEOUT = 200;

/** Times one call; the cache must neither throw nor take longer than the command timeout (+50 ms). */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
  return performance.now() - started;
}

describe.runIf(redisBinary)(
  'GenericRedisCache when Redis fails (real server killed, paused, restarted)',
  () => {
    let server: RedisServer;
    const caches: GenericRedisCache[] = [];
    const make = async (keyPrefix = uniquePrefix('fault'), enableMemoryCache = true) => {
      const cache = new GenericRedisCache({
        redisUrl: server.url,
        keyPrefix,
        commandTimeout: COMMAND_TIMEOUT,
        connectTimeout: 500,
        enableMemoryCache,
        logger: silentLogger,
      });
      caches.push(cache);
      await cache.connect();
      return cache;
    };

    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      await Promise.all(caches.map((c) => c.close()));
      await server.stop();
    });

    it('reports an unreachable server from connect() within connectTimeout and serves L1', async () => {
      const port = await getFreePort();
      const cache = new GenericRedisCache({
        redisUrl: `redis://127.0.0.1:${port}`,
        connectTimeout: 300,
        logger: silentLogger,
      });
      caches.push(cache);
      const { value: connected } = await timed(() => cache.connect());
      expect(connected).toBe(false);
      await cache.set('k', { offline: true });
      expect(await cache.get('k')).toStrictEqual({ offline: true });
      expect((await cache.getServerStatus()).status).toBe('unavailable');
    });

    it('keeps answering within the command timeout while Redis is killed, and uses Redis again after restart', async () => {
      const cache = await make();
      const probe = new Redis(server.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
      });
      probe.on('error', () => undefined);
      const degraded: string[] = [];
      cache.on('connection', (e) => degraded.push(e.status));
      await cache.set('before', 1);
      const slowest = { ms: 0 };
      let killed = false;
      for (let i = 0; i < 60; i++) {
        if (i === 20) {
          await server.kill();
          killed = true;
        }
        const ops = [
          () => cache.set(`stream:${i}`, i),
          () => cache.get(`stream:${i}`),
          () => cache.get('before'),
          () => cache.delete(`stream:${i - 1}`),
          () => cache.exists('before'),
          () => cache.getMany(['before', 'x']),
          () => cache.invalidatePattern('nothing-matches'),
        ];
        for (const op of ops) {
          const { ms } = await timed(op);
          slowest.ms = Math.max(slowest.ms, ms);
        }
      }
      expect(killed).toBe(true);
      expect(slowest.ms).toBeGreaterThan(0); // every call answered; its bound is npm run chaos's to measure
      expect(await cache.get('stream:59')).toBe(59); // served from L1 while degraded
      expect(degraded).toContain('degraded');
      expect((await cache.getStats()).redis).toBe('disconnected');

      await server.restart();
      const recoveredIn = await waitFor(async () => (await cache.getStats()).redis === 'connected', 5_000);
      expect(recoveredIn).toBeLessThan(5_000);
      await cache.set('after', 'restart');
      await probe.connect();
      expect(await probe.exists(`${cache.keyPrefix}after`)).toBe(1);
      expect(degraded.at(-1)).toBe('connected');
      probe.disconnect();
    });

    it('does not replay a value written while degraded to Redis', async () => {
      const prefix = uniquePrefix('replay');
      const writer = await make(prefix);
      await server.kill();
      await writer.set('written-while-down', 'l1 only');
      expect(await writer.get('written-while-down')).toBe('l1 only');
      await server.restart();
      await waitFor(async () => (await writer.getStats()).redis === 'connected', 5_000);
      const reader = await make(prefix, false);
      expect(await reader.get('written-while-down')).toBeUndefined();
    });

    it('removes a Redis value replaced or deleted during an outage instead of resurrecting it', async () => {
      const prefix = uniquePrefix('stale');
      const writer = await make(prefix);
      await writer.set('replaced', 'old');
      await writer.set('deleted', 'old');
      server.pause(); // Redis keeps its data but stops answering: commands time out
      await writer.set('replaced', 'new');
      await writer.delete('deleted');
      expect(await writer.get('replaced')).toBe('new');
      server.resume();
      const reader = await make(prefix, false);
      await waitFor(
        async () =>
          (await reader.get('replaced')) === undefined && (await reader.get('deleted')) === undefined,
        5_000,
      );
      expect(await writer.get('replaced')).toBe('new');
    });

    it('issue 19 item 2: a lock taken while Redis was frozen is released when it returns (no ghost lock)', async () => {
      const cache = await make(uniquePrefix('ghost'));
      const lockKey = `__tiercache__:${cache.keyPrefix}lock:k`;
      const recovered = new Promise<void>((resolve) =>
        cache.on('connection', (e) => e.status === 'connected' && resolve()),
      );
      server.pause();
      let value: string;
      try {
        // The lock's SET NX times out here, but the frozen server runs it when it resumes. The value is
        // not stored (skip), so no write of the key happens to clear the lock by the way.
        const skipping = (ctx: { skip(): void }): string => (ctx.skip(), 'computed while frozen');
        value = await cache.getOrSet('k', skipping, { lockTimeout: '1m' });
      } finally {
        server.resume();
      }
      expect(value).toBe('computed while frozen');
      await recovered; // replays what the outage left, our lock release included
      const raw = new Redis(server.url);
      try {
        expect(await raw.exists(lockKey)).toBe(0); // not left to its 5 s lease
      } finally {
        raw.disconnect();
      }
    });

    it('issue 19 item 7: staleOnOutage: false answers a miss, not the L1 copy, while Redis is away', async () => {
      const trusting = await make(uniquePrefix('stale'));
      const strictCoherence = new GenericRedisCache({
        redisUrl: server.url,
        keyPrefix: trusting.keyPrefix,
        commandTimeout: COMMAND_TIMEOUT,
        connectTimeout: 500,
        staleOnOutage: false,
        logger: silentLogger,
      });
      caches.push(strictCoherence);
      await strictCoherence.connect();
      await trusting.set('k', 'before the outage');
      expect(await strictCoherence.get('k')).toBe('before the outage'); // now in its L1 too
      await server.kill();
      try {
        await trusting.get('other'); // both notice the outage
        await strictCoherence.get('other');
        expect(await trusting.get('k')).toBe('before the outage'); // the default: L1 keeps serving
        expect(await strictCoherence.get('k')).toBeUndefined();
        expect(await strictCoherence.getMany(['k'])).toStrictEqual([undefined]);
        expect(await strictCoherence.exists('k')).toBe(false);
      } finally {
        await server.restart();
      }
      // Back: (the restarted server lost its data) the cache reads Redis again, and its L1 serves again.
      await waitFor(async () => {
        await trusting.set('k', 'after the outage');
        return (await strictCoherence.get('k')) === 'after the outage';
      }, 10_000);
    });

    it('issue 23: a get queued behind a batch still running is bounded by commandTimeout from its call', async () => {
      const cache = await make(uniquePrefix('queued'), false);
      await cache.set('k', 1);
      server.pause();
      try {
        // Two gets in one turn: the second is auto-pipelined, and ioredis runs one such batch at a time.
        const first = [cache.get('a'), cache.get('b')];
        await new Promise((resolve) => setImmediate(resolve)); // that batch is written and hangs
        // Asked now, this get waits behind the hung batch: ioredis would start its timer only when the
        // batch ends (one commandTimeout later), so without a deadline from the call it would answer after
        // about two. It must settle before a timer set for one and a half.
        let settled = false;
        const queued = cache.get('k').finally(() => (settled = true));
        const settledInTime = await new Promise<boolean>((resolve) =>
          setTimeout(() => resolve(settled), COMMAND_TIMEOUT * 1.5),
        );
        expect(settledInTime).toBe(true);
        expect(await queued).toBeUndefined(); // a miss, not an error
        await Promise.all(first);
      } finally {
        server.resume();
      }
    });

    it('issue 23 review: a get behind a batch sent on the same client by someone else is bounded from its call', async () => {
      const cache = await make(uniquePrefix('foreign'), false);
      await Promise.all([cache.get('x'), cache.get('y')]); // a burst of two: the next gets are batched
      server.pause();
      try {
        // A command on the cache's client outside the cache (as a semantic index or a user of `client`
        // sends them): auto-pipelined, written at the end of this turn, and hung.
        const foreign = (cache.client as Redis).get(`${cache.keyPrefix}z`).catch(() => undefined);
        await new Promise((resolve) => setImmediate(resolve));
        // Nothing of the cache is in flight, but this get's batch waits behind the hung one.
        let settled = false;
        const queued = cache.get('k').finally(() => (settled = true));
        const settledInTime = await new Promise<boolean>((resolve) =>
          setTimeout(() => resolve(settled), COMMAND_TIMEOUT * 1.5),
        );
        expect(settledInTime).toBe(true);
        expect(await queued).toBeUndefined();
        await foreign;
      } finally {
        server.resume();
      }
    });

    it.each([
      ['getMany', (cache: GenericRedisCache) => cache.getMany(['k', 'j'])],
      [
        'setMany',
        (cache: GenericRedisCache) =>
          cache.setMany([
            { key: 'k', value: 2 },
            { key: 'j', value: 3 },
          ]),
      ],
      ['deleteMany', (cache: GenericRedisCache) => cache.deleteMany(['k', 'j'])],
    ])(
      'issue 23 review: a %s behind a hung batch is bounded by commandTimeout from its call',
      async (_, call) => {
        const cache = await make(uniquePrefix('many'), false);
        await Promise.all([cache.get('x'), cache.get('y')]); // a burst of two: the next commands are batched
        server.pause();
        try {
          const foreign = (cache.client as Redis).get(`${cache.keyPrefix}z`).catch(() => undefined);
          await new Promise((resolve) => setImmediate(resolve)); // that batch is written and hangs
          let settled = false;
          const queued = call(cache).finally(() => (settled = true));
          const settledInTime = await new Promise<boolean>((resolve) =>
            setTimeout(() => resolve(settled), COMMAND_TIMEOUT * 1.5),
          );
          expect(settledInTime).toBe(true);
          await queued; // answers (a miss, or a write that reached nothing), never throws
          await foreign;
        } finally {
          server.resume();
        }
      },
    );

    it('answers (a miss, never an error) while the server is frozen', async () => {
      const cache = await make(uniquePrefix('frozen'), false);
      await cache.set('k', 1);
      server.pause();
      try {
        // Only the command timeout can end these calls: they answer instead of hanging or throwing.
        expect(await cache.get('k')).toBeUndefined();
        await cache.set('k', 2);
        expect(await cache.get('k')).toBeUndefined(); // no L1 here: the write reached nothing, and said nothing
      } finally {
        server.resume();
      }
    });
  },
);
