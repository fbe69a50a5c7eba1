import { Command, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../src/core/errors.js';
import { CacheEventEmitter, type ErrorEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import type { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { RemoteTier } from '../../src/redis/remote-tier.js';
import { startRedisServer } from '../../src/testing/redis-server.js';
import { WriteBatch, type BatchEntry, type WriteOutcome } from '../../src/redis/write-batch.js';
import { eventually, useFleet } from '../helpers/fleet.js';
import { hasRedis, redisBinary, uniquePrefix, useRedis } from '../helpers/redis.js';

const redis = useRedis();
const { cache, worker } = useFleet(redis);

const lockKey = (prefix: string, key: string): string => `__tiercache__:${prefix}lock:${key}`;
const keysOf = (count: number, label = 'k'): string[] =>
  Array.from({ length: count }, (_, i) => `${label}:${i}`);

/** The keys of every bus message on the cache's channel, in the order they arrive. */
async function listen(
  c: GenericRedisCache,
): Promise<{ messages: string[][]; texts: string[]; stop: () => void }> {
  const subscriber = new Redis(redis.url);
  const messages: string[][] = [];
  const texts: string[] = [];
  subscriber.on('message', (_channel: string, text: string) => {
    texts.push(text);
    messages.push((JSON.parse(text) as { k?: string[] }).k ?? []);
  });
  await subscriber.subscribe(c.busChannel as string);
  return { messages, texts, stop: () => subscriber.disconnect() };
}

/** A Redis user allowed what `rules` say (ACL SETUSER), as a URL to connect with. */
async function aclUser(label: string, rules: string[]): Promise<string> {
  const user = `${label}-${Math.random().toString(36).slice(2, 8)}`;
  await redis.raw.call('ACL', 'SETUSER', user, 'on', '>secret', ...rules);
  const url = new URL(redis.url);
  url.username = user;
  url.password = 'secret';
  return url.toString();
}

/** Concurrent sets, so the remote tier batches (it did so in the last busy period). */
async function busy(c: GenericRedisCache): Promise<void> {
  await Promise.all(keysOf(10, 'warm').map((key) => c.set(key, 1)));
}

describe.skipIf(!hasRedis)(
  'issue 23: plain sets share one pipeline (lock DELs, SETs, one announcement)',
  () => {
    it('issue 23: 50 concurrent sets are announced by one bus message naming them all, not 50 messages', async () => {
      const c = await cache();
      await busy(c);
      const bus = await listen(c);
      try {
        const keys = keysOf(50);
        await Promise.all(keys.map((key, i) => c.set(key, { i })));
        await eventually(() => new Set(bus.messages.flat()).size === 50);
        // One message; two if an idle probe ended the busy period just before (the first set goes alone).
        expect(bus.messages.length).toBeLessThanOrEqual(2);
        expect(new Set(bus.messages.flat())).toStrictEqual(new Set(keys));
        for (const [i, key] of keys.entries())
          expect(await redis.raw.get(`${c.keyPrefix}${key}`)).toContain(`{"i":${i}}`);
      } finally {
        bus.stop();
      }
    });

    it('issue 23: when set() resolves, its announcement has been published (a later PUBLISH arrives after it)', async () => {
      const c = await cache();
      await busy(c);
      const bus = await listen(c);
      try {
        const keys = keysOf(20);
        await Promise.all(keys.map((key) => c.set(key, 'v')));
        // Published right after the sets resolved: peers must have had every key announced before it.
        await redis.raw.publish(c.busChannel as string, JSON.stringify({ o: 'marker', t: 0 }));
        await eventually(() => bus.texts.some((t) => t.includes('"marker"')));
        const beforeMarker = bus.texts.slice(
          0,
          bus.texts.findIndex((t) => t.includes('"marker"')),
        );
        const announced = beforeMarker.flatMap((t) => (JSON.parse(t) as { k?: string[] }).k ?? []);
        expect(new Set(announced)).toStrictEqual(new Set(keys));
      } finally {
        bus.stop();
      }
    });

    it('issue 23: a set and a delete or a second set called in the same tick land in call order', async () => {
      const c = await cache();
      const peer = await cache({ keyPrefix: c.keyPrefix });
      await busy(c);
      const setThenDelete = [c.set('gone', 'v'), c.delete('gone')];
      const setTwice = [c.set('twice', 'first'), c.set('twice', 'second')];
      const deleteThenSet = [c.delete('back'), c.set('back', 'v')];
      await Promise.all([...setThenDelete, ...setTwice, ...deleteThenSet]);
      expect(await redis.raw.exists(`${c.keyPrefix}gone`)).toBe(0);
      expect(await c.get('gone')).toBeUndefined();
      expect(await c.get('twice')).toBe('second');
      expect(await peer.get('twice')).toBe('second');
      expect(await c.get('back')).toBe('v');
      expect(await peer.get('back')).toBe('v');
      // An invalidation called after a set in the same tick removes what the set wrote.
      await Promise.all([c.set('pat:1', 'v'), c.invalidatePattern('pat:*')]);
      expect(await redis.raw.exists(`${c.keyPrefix}pat:1`)).toBe(0);
      expect(await peer.get('pat:1')).toBeUndefined();
    });

    it('issue 23: sets called just before close() are still sent', async () => {
      const c = await cache();
      await busy(c);
      const sets = keysOf(5).map((key) => c.set(key, 'before close'));
      await c.close();
      await Promise.all(sets); // their replies may be lost with the connection: that is not an error
      for (const key of keysOf(5))
        await eventually(
          async () => (await redis.raw.get(`${c.keyPrefix}${key}`))?.includes('before close') === true,
        );
    });

    it('issue 23: a fill lock taken between the lock DEL and the SET is removed again by the set', async () => {
      const c = await cache();
      const client = c.client;
      const lock = lockKey(c.keyPrefix, 'raced');
      // Another instance's fill takes the lock right after this set's lock DEL ran and before its SET
      // (emulated on the same connection, so the order on the server is exact): it then read the value
      // before the SET, so its fenced store must find the lock gone.
      const send = client.sendCommand.bind(client);
      let injected = false;
      client.sendCommand = ((command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
        const args = command.args.map(String);
        if (!injected && command.name === 'set' && args[0] === `${c.keyPrefix}raced`) {
          injected = true;
          void send(new Command('set', [lock, 'fill-token', 'PX', 60_000, 'NX']));
        }
        return send(command, stream);
      }) as typeof client.sendCommand;
      try {
        await c.set('raced', 'written');
      } finally {
        client.sendCommand = send;
      }
      expect(injected).toBe(true);
      expect(await redis.raw.exists(lock)).toBe(0);
      expect(await redis.raw.get(`${c.keyPrefix}raced`)).toContain('written');
    });

    it('issue 23: a fill in another process is fenced by a set sent in a batch with others', async () => {
      const prefix = uniquePrefix('batchfence');
      const counterKey = `counter:${prefix}`;
      const filler = await worker(prefix);
      const other = await cache({ keyPrefix: prefix });
      await busy(other);
      const releaseKey = `release:${prefix}`;
      const filling = filler.call('getOrSet', 'k', { counterKey, releaseKey, value: 'computed before' });
      await eventually(async () => (await redis.raw.get(counterKey)) === '1');
      await Promise.all([other.set('k', 'written meanwhile'), ...keysOf(20).map((key) => other.set(key, 1))]);
      await redis.raw.set(releaseKey, 1, 'EX', 60); // the factory ends only after the sets
      expect(await filling).toBe('computed before');
      expect(await filler.call('get', 'k')).toBe('written meanwhile');
      expect(await other.get('k')).toBe('written meanwhile');
      expect(await redis.raw.get(`${prefix}k`)).toContain('written meanwhile');
    });

    it('issue 23: behind commands ioredis still holds, a batch joins its auto-pipeline in call order', async () => {
      const client = new Redis(redis.url, { enableAutoPipelining: true });
      const remote = new RemoteTier(client, new CacheEventEmitter(() => undefined), silentLogger);
      const outcomes: WriteOutcome[] = [];
      const batch = new WriteBatch<BatchEntry>(
        remote,
        (_, outcome) => outcomes.push(outcome),
        () => undefined,
      );
      const key = `${uniquePrefix('queued')}k`;
      try {
        await client.ping();
        const earlier = client.set(key, 'earlier'); // queued for ioredis's next batch, not sent yet
        expect(client.autoPipelineQueueSize).toBeGreaterThan(0);
        batch.add({ write: { key: 'k', redisKey: key, lockKey: `${key}:lock`, payload: 'later', ttlMs: 0 } });
        await earlier;
        await eventually(() => outcomes.length === 1);
        expect(outcomes).toStrictEqual([true]);
        expect(await redis.raw.get(key)).toBe('later');
      } finally {
        remote.detach();
        client.disconnect();
      }
    });
  },
);

describe.skipIf(!hasRedis)('issue 23: failures of batched and unbatched writes', () => {
  it.runIf(redisBinary)(
    'issue 23: strict: a batch Redis does not answer rejects each of its sets',
    async () => {
      const c = await cache({ strict: true, commandTimeout: 200 });
      const lone = await cache({ strict: true, commandTimeout: 200 }); // not batching: sent at once
      await busy(c);
      redis.server?.pause(); // keeps its sockets, answers nothing: the batch times out
      try {
        const results = await Promise.allSettled(keysOf(3).map((key) => c.set(key, 1)));
        expect(results.map((r) => r.status)).toStrictEqual(['rejected', 'rejected', 'rejected']);
        for (const r of results)
          expect((r as PromiseRejectedResult).reason).toBeInstanceOf(InfrastructureError);
        // Bounded by the batch's own deadline (ioredis's per-command timers are not set for it).
        const started = performance.now();
        await expect(lone.set('k', 1)).rejects.toThrow(/redis set failed: Command timed out after 200 ms/);
        expect(performance.now() - started).toBeLessThan(2000);
      } finally {
        redis.server?.resume();
      }
      await eventually(async () => (await c.getStats()).redis === 'connected');
      await eventually(async () => (await lone.getStats()).redis === 'connected');
    },
  );

  it.runIf(redisBinary)(
    'issue 23: tagged sets and setMany (sent apart from the batch) refused by Redis (OOM) are not kept',
    async () => {
      const c = await cache();
      await c.setMany([{ key: 'many', value: 'v1' }]);
      await c.set('tagged', 'v1', { tags: ['t'] });
      await redis.raw.config('SET', 'maxmemory', '1');
      try {
        await c.set('tagged', 'v2', { tags: ['t'] });
        await c.setMany([
          { key: 'many', value: 'v2' },
          { key: 'other', value: 'v2' },
        ]);
      } finally {
        await redis.raw.config('SET', 'maxmemory', '0');
      }
      // Part of such a pipeline may have landed (a value without its tag): the keys go, a miss is all.
      for (const key of ['tagged', 'many', 'other']) {
        expect(await c.get(key)).toBeUndefined();
        await eventually(async () => (await redis.raw.exists(`${c.keyPrefix}${key}`)) === 0);
      }
    },
  );
});

describe.runIf(redisBinary)('issue 23: a batch refused in part (ACL) fails only the refused sets', () => {
  it('issue 23: a set refused inside a batch is reported and not kept; the others are stored', async () => {
    const prefix = uniquePrefix('acl');
    // Read-only on `ro:`, full access elsewhere in the prefix and on tiercache's own keys and channels.
    const url = await aclUser('batch', [
      '+@all',
      '&*',
      `%RW~${prefix}rw:*`,
      `%R~${prefix}ro:*`,
      `%RW~__tiercache__:${prefix}*`,
    ]);
    for (const strict of [false, true]) {
      const c = await cache({ redisUrl: url, keyPrefix: prefix, strict });
      const errors: ErrorEvent[] = [];
      c.on('error', (e) => errors.push(e));
      await Promise.all(keysOf(5, 'rw').map((key) => c.set(key, 0)));
      const results = await Promise.allSettled([
        c.set('rw:a', 'stored'),
        c.set('ro:a', 'refused'),
        c.set('rw:b', 'stored'),
      ]);
      expect(results.map((r) => r.status)).toStrictEqual(
        strict ? ['fulfilled', 'rejected', 'fulfilled'] : ['fulfilled', 'fulfilled', 'fulfilled'],
      );
      if (strict) expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(InfrastructureError);
      expect(errors.map((e) => `${e.operation}: ${e.error.message.slice(0, 6)}`)).toStrictEqual([
        'set: NOPERM',
      ]);
      expect(await c.get('ro:a')).toBeUndefined(); // not kept in L1 either
      expect(await c.get('rw:a')).toBe('stored');
      expect(await c.get('rw:b')).toBe('stored');
    }
  });

  it('issue 23 review: a lock refused inside a batch fails only its own set', async () => {
    const prefix = uniquePrefix('acllock');
    // Full access, except the fill locks of `ro:` keys, which can be read but not deleted.
    const url = await aclUser('lock', [
      '+@all',
      '&*',
      `%RW~${prefix}*`,
      `%RW~__tiercache__:${prefix}bus*`,
      `%RW~__tiercache__:${prefix}epoch`,
      `%RW~__tiercache__:${prefix}lock:rw:*`,
      `%R~__tiercache__:${prefix}lock:ro:*`,
    ]);
    for (const strict of [false, true]) {
      const c = await cache({ redisUrl: url, keyPrefix: prefix, strict, coherence: 'bus' });
      const errors: ErrorEvent[] = [];
      c.on('error', (e) => errors.push(e));
      await Promise.all(keysOf(5, 'rw').map((key) => c.set(key, 0)));
      const results = await Promise.allSettled([
        c.set('rw:a', 'stored'),
        c.set('ro:a', 'fence open'),
        c.set('rw:b', 'stored'),
      ]);
      expect(results.map((r) => r.status)).toStrictEqual(
        strict ? ['fulfilled', 'rejected', 'fulfilled'] : ['fulfilled', 'fulfilled', 'fulfilled'],
      );
      expect(errors.map((e) => `${e.operation}: ${e.error.message.slice(0, 6)}`)).toStrictEqual([
        'set: NOPERM',
      ]);
      expect(await c.get('rw:a')).toBe('stored');
      expect(await c.get('rw:b')).toBe('stored');
    }
  });

  it('issue 23: a refused announcement is reported by the time set() resolves, and never thrown', async () => {
    const prefix = uniquePrefix('aclpub');
    const url = await aclUser('nopub', ['+@all', '-publish', 'allchannels', 'allkeys']);
    const c = await cache({ redisUrl: url, keyPrefix: prefix, strict: true });
    const errors: ErrorEvent[] = [];
    c.on('error', (e) => errors.push(e));
    await c.set('k', 'stored');
    expect(await redis.raw.get(`${prefix}k`)).toContain('stored');
    expect(errors.map((e) => e.operation)).toStrictEqual(['publish']);
  });
});

describe.skipIf(!hasRedis)('issue 23 review: writes that are not batched keep their call order', () => {
  it.each([
    [
      'a tagged set, then a delete',
      async (c: GenericRedisCache) => Promise.all([c.set('x', 'old', { tags: ['t'] }), c.delete('x')]),
      undefined,
    ],
    [
      'a setMany, then a delete',
      async (c: GenericRedisCache) => Promise.all([c.setMany([{ key: 'x', value: 'old' }]), c.delete('x')]),
      undefined,
    ],
    [
      'a tagged set, then a plain set',
      async (c: GenericRedisCache) => Promise.all([c.set('x', 'old', { tags: ['t'] }), c.set('x', 'new')]),
      'new',
    ],
    [
      'a setMany, then a plain set',
      async (c: GenericRedisCache) =>
        Promise.all([c.setMany([{ key: 'x', value: 'old' }]), c.set('x', 'new')]),
      'new',
    ],
  ])(
    '%s in the same tick leaves the later write, here, in Redis and in a peer',
    async (_, writes, expected) => {
      const prefix = uniquePrefix('order');
      const [writer, peer] = [await cache({ keyPrefix: prefix }), await cache({ keyPrefix: prefix })];
      await busy(writer);
      await writes(writer);
      const stored = await redis.raw.get(`${prefix}x`);
      if (expected === undefined) expect(stored).toBeNull();
      else expect(stored?.endsWith(JSON.stringify(expected))).toBe(true);
      expect(await writer.get('x')).toBe(expected);
      expect(await peer.get('x')).toBe(expected);
    },
  );
});

describe.skipIf(!hasRedis)('issue 23 review: close() sends every set called before it', () => {
  it('a large value still being compressed off the event loop reaches Redis before the connection goes', async () => {
    const prefix = uniquePrefix('close');
    const c = await cache({ keyPrefix: prefix });
    await c.set('big', 'old');
    const large = { text: 'x'.repeat(64 * 1024) };
    const pending = c.set('big', large);
    await c.close();
    await pending;
    const peer = await cache({ keyPrefix: prefix });
    expect(await peer.get('big')).toStrictEqual(large);
  });
});

describe.runIf(redisBinary)(
  "issue 23 review: an adopted client is bounded by the cache's commandTimeout",
  () => {
    it('a strict set on an adopted client without a timeout of its own fails once Redis stops answering', async () => {
      const server = await startRedisServer();
      const client = new Redis(server.url);
      const c = await cache({ redisClient: client, redisUrl: undefined, commandTimeout: 200, strict: true });
      try {
        await Promise.all(keysOf(5).map((key) => c.set(key, 1)));
        server.pause();
        await expect(Promise.all([c.set('a', 1), c.set('b', 2)])).rejects.toThrow(InfrastructureError);
      } finally {
        server.resume();
        client.disconnect();
        await server.stop();
      }
    });
  },
);
