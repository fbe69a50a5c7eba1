import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { PEEK } from '../../src/core/capabilities.js';
import { silentLogger } from '../../src/core/logger.js';
import { OwnScriptWrites } from '../../src/redis/own-script-writes.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { CoherenceStatus } from '../../src/redis/generic-redis-cache.js';
import { startRedisServer } from '../../src/testing/redis-server.js';
import { eventually, useFleet } from '../helpers/fleet.js';
import { redisBinary, uniquePrefix, useRedis } from '../helpers/redis.js';
import type { CacheWorker } from '../helpers/workers.js';

/** A value as another service would write it: not a tiercache envelope, so a cache that re-reads misses. */
const FOREIGN = 'written by another service';

async function trackingActive(worker: CacheWorker): Promise<boolean> {
  return (await worker.call<CoherenceStatus>('coherence')).active === 'tracking';
}

describe.runIf(redisBinary)(
  'issue 21: Redis client tracking keeps L1 coherent with writes from any client',
  () => {
    const redis = useRedis();
    const fleet = useFleet(redis);

    it.each(['broadcast', 'default'] as const)(
      '%s mode: SET, DEL, EXPIRE and FLUSHDB from redis-cli drop the key (or everything) from every instance',
      async (mode) => {
        const prefix = uniquePrefix(`track-${mode}`);
        const options = { coherence: 'tracking', tracking: { mode } };
        const workers = [await fleet.worker(prefix, options), await fleet.worker(prefix, options)];
        for (const worker of workers) await eventually(() => trackingActive(worker), 10_000);
        const warm = async (key: string, value: unknown): Promise<void> => {
          await workers[0]?.call('set', key, value);
          for (const worker of workers) {
            await eventually(async () => (await worker.call('get', key)) === value);
            await eventually(async () =>
              (await worker.call<{ tiers: string[] }>('inspect', key)).tiers.includes('l1'),
            );
          }
        };
        const everyoneMisses = async (key: string): Promise<void> => {
          for (const worker of workers)
            await eventually(async () => (await worker.call('get', key)) === undefined);
        };
        await warm('a', 1);
        await redis.raw.set(`${prefix}a`, FOREIGN); // an outside write: tiercache never published it
        await everyoneMisses('a');
        await warm('b', 2);
        await redis.raw.del(`${prefix}b`);
        await everyoneMisses('b');
        await warm('c', 3);
        await redis.raw.pexpire(`${prefix}c`, 1); // expires at once
        await everyoneMisses('c');
        await warm('d', 4);
        await warm('e', 5);
        await redis.raw.flushdb();
        await everyoneMisses('d');
        await everyoneMisses('e');
      },
      60_000,
    );

    it('re-arms after the redirect connection alone is killed, clearing L1 (invalidations may have been lost)', async () => {
      const prefix = uniquePrefix('track-kill');
      const cache = await fleet.cache({ keyPrefix: prefix, coherence: 'tracking' });
      await eventually(() => cache.coherenceStatus.active === 'tracking', 10_000);
      await cache.set('k', 'v1');
      expect(await cache.get('k')).toBe('v1');
      const clients = String(await redis.raw.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
      const ids = clients
        .split('\n')
        .filter((line) => line.includes('name=tiercache-tracking-'))
        .map((line) => /id=(\d+)/.exec(line)?.[1] as string);
      let resyncs = 0;
      cache.on('bus', (e) => (e.type === 'resynced' ? resyncs++ : undefined));
      for (const id of ids) await redis.raw.call('CLIENT', 'KILL', 'ID', id);
      // While it is down an outside write is not announced; re-arming clears L1, so it is never served.
      await redis.raw.set(`${prefix}k`, FOREIGN);
      await eventually(() => resyncs > 0, 10_000);
      expect(await cache.get('k')).toBeUndefined();
      expect(cache.coherenceStatus.active).toBe('tracking');
    });

    it('after a frozen and then a killed Redis, under load, no read serves a value older than the last write', async () => {
      const server = await startRedisServer();
      const raw = new Redis(server.url, { maxRetriesPerRequest: 1 });
      const prefix = uniquePrefix('track-faults');
      const cache = new GenericRedisCache({
        redisUrl: server.url,
        keyPrefix: prefix,
        coherence: 'tracking',
        logger: silentLogger,
        commandTimeout: '200ms',
        probeInterval: '100ms',
      });
      try {
        await cache.connect();
        await eventually(() => cache.coherenceStatus.active === 'tracking', 10_000);
        let stop = false;
        const load = (async () => {
          while (!stop) {
            await cache.get(`k${Math.floor(Math.random() * 20)}`);
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        for (const fault of ['freeze', 'kill'] as const) {
          for (let i = 0; i < 20; i++) await cache.set(`k${i}`, `before-${fault}`);
          if (fault === 'freeze') {
            server.pause();
            await eventually(async () => (await cache.getStats()).redis !== 'connected', 10_000);
            server.resume();
          } else {
            await server.kill();
            await server.restart();
          }
          await eventually(async () => (await cache.getStats()).redis === 'connected', 20_000);
          await eventually(() => cache.coherenceStatus.tracking?.state === 'active', 20_000);
          // Outside writes after recovery: every read that follows their propagation sees them.
          for (let i = 0; i < 20; i++) await raw.set(`${prefix}k${i}`, FOREIGN);
          for (let i = 0; i < 20; i++) await eventually(async () => (await cache.get(`k${i}`)) === undefined);
        }
        stop = true;
        await load;
      } finally {
        raw.disconnect();
        await cache.close();
        await server.stop();
      }
    }, 90_000);

    it.each([
      ['tracking', 'warn'],
      ['auto', 'info'],
    ] as const)(
      "coherence '%s' falls back to the bus where the server refuses CLIENT TRACKING, and says so (%s)",
      async (coherence, level) => {
        const server = await startRedisServer({ args: ['--rename-command', 'CLIENT', 'CLIENT_RENAMED'] });
        const logs: Record<'warn' | 'info', string[]> = { warn: [], info: [] };
        const logger = {
          ...silentLogger,
          warn: (_: object, message: string) => logs.warn.push(message),
          info: (_: object, message: string) => logs.info.push(message),
        };
        const cache = new GenericRedisCache({
          redisUrl: server.url,
          coherence,
          logger,
          commandTimeout: '5s',
        });
        try {
          await cache.connect();
          await eventually(() => cache.coherenceStatus.tracking?.state === 'unsupported', 10_000);
          expect(cache.coherence).toBe('bus');
          expect(cache.coherenceStatus).toMatchObject({
            requested: coherence,
            active: 'bus',
            tracking: { mode: 'broadcast', state: 'unsupported', reason: expect.stringContaining('refused') },
          });
          const unavailable = (line: string): boolean => line.includes('client tracking unavailable');
          expect(logs[level].some(unavailable)).toBe(true);
          // Asked for by name, its absence is a warning; chosen by 'auto', a note.
          if (level === 'info') expect(logs.warn.some(unavailable)).toBe(false);
          await cache.set('k', 1);
          expect(await cache.get('k')).toBe(1); // still a working cache
        } finally {
          await cache.close();
          await server.stop();
        }
      },
    );

    it('default options: a fill comes back to L1 after Redis echoes its script write, and an outside write still drops it', async () => {
      const prefix = uniquePrefix('track-fill');
      const cache = await fleet.cache({ keyPrefix: prefix });
      await cache.connect();
      expect(cache.coherenceStatus).toMatchObject({ requested: 'auto', active: 'tracking' });
      let echoes = 0;
      cache.on('bus', (event) => {
        if (event.type === 'received') echoes++;
      });
      // A fill is stored by a script (fenced by its lease), which NOLOOP does not cover: Redis tells this
      // instance of its own write, the copy leaves L1, and is read back from Redis.
      expect(await cache.getOrSet('fill', async () => 'v1')).toBe('v1');
      await eventually(() => echoes > 0);
      await eventually(() => cache[PEEK]('fill') === 'v1');
      const outside = new Redis(redis.url);
      try {
        await outside.set(`${prefix}fill`, FOREIGN);
        await eventually(() => cache[PEEK]('fill') === undefined);
        expect(await cache.get('fill')).toBeUndefined(); // not an envelope: a miss, never 'v1'
      } finally {
        outside.disconnect();
      }
    });

    it('an adopted redisClient keeps the bus under coherence auto (tracking needs connections of its own)', async () => {
      const client = new Redis(redis.url);
      const cache = new GenericRedisCache({ redisClient: client, keyPrefix: uniquePrefix('adopted') });
      try {
        await cache.connect();
        expect(cache.coherenceStatus).toEqual({ requested: 'auto', active: 'bus' });
      } finally {
        await cache.close();
        client.disconnect();
      }
    });
  },
);

describe('issue 21: the record of own script writes is bounded', () => {
  it('forgets the oldest keys past its limit, and counts repeated writes of one key', () => {
    const writes = new OwnScriptWrites(3);
    for (const key of ['a', 'b', 'c', 'd']) writes.expect(key);
    expect(writes.size).toBe(3);
    expect(writes.take('a')).toBe(false); // pushed out: its echo evicts, and nothing is read back
    writes.expect('b');
    expect([writes.take('b'), writes.take('b'), writes.take('b')]).toEqual([true, true, false]);
    writes.cancel('c');
    expect(writes.take('c')).toBe(false);
    writes.clear();
    expect(writes.size).toBe(0);
  });
});

describe('issue 21: only a definite refusal turns tracking off; anything else is retried', () => {
  it('tells a refusal from a transient failure', async () => {
    const { isRefusal } = await import('../../src/redis/tracking.js');
    expect(isRefusal(new Error("ERR unknown command 'CLIENT', with args beginning with: "))).toBe(true);
    expect(isRefusal(new Error("ERR unknown subcommand 'TRACKING'. Try CLIENT HELP."))).toBe(true);
    expect(
      isRefusal(new Error('NOPERM User default has no permissions to run the client|tracking command')),
    ).toBe(true);
    // A redirect connection gone between finding its id and arming, a slow command: retried, not refused.
    expect(isRefusal(new Error('ERR The client ID you want redirect to does not exist'))).toBe(false);
    expect(isRefusal(new Error('Command timed out'))).toBe(false);
    expect(isRefusal(new Error('tracking connection not found in CLIENT LIST'))).toBe(false);
  });
});
