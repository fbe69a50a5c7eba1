import { describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../src/core/errors.js';
import type { ErrorEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheEventEmitter } from '../../src/core/events.js';
import { RemoteTier } from '../../src/redis/remote-tier.js';
import { Redis } from 'ioredis';
import { useFleet } from '../helpers/fleet.js';
import { hasRedis, redisBinary, useRedis } from '../helpers/redis.js';

const redis = useRedis();
const { cache } = useFleet(redis);

describe.skipIf(!hasRedis)('issue 19 item 4: only connection-level failures degrade the tier', () => {
  it('item 4: reading a key of the wrong type 20 times is 20 misses with error events, not an open breaker', async () => {
    const c = await cache();
    const errors: ErrorEvent[] = [];
    c.on('error', (e) => errors.push(e));
    await redis.raw.rpush(`${c.keyPrefix}list`, 'a');
    for (let i = 0; i < 20; i++) expect(await c.get('list')).toBeUndefined();
    expect(errors).toHaveLength(20);
    expect(errors[0]?.error.message).toMatch(/^WRONGTYPE/);
    const stats = await c.getStats();
    expect(stats.redis).toBe('connected');
    expect(stats.breaker.state).toBe('closed');
    await c.set('other', 'reaches Redis');
    expect(await redis.raw.exists(`${c.keyPrefix}other`)).toBe(1);
  });

  it.runIf(redisBinary)(
    'item 4: a write Redis refuses (OOM) is reported and not kept in L1 either',
    async () => {
      const c = await cache();
      const peer = await cache({ keyPrefix: c.keyPrefix });
      await c.set('k', 'v1');
      expect(await peer.get('k')).toBe('v1');
      const errors: ErrorEvent[] = [];
      c.on('error', (e) => errors.push(e));
      await redis.raw.config('SET', 'maxmemory', '1');
      try {
        await c.set('k', 'v2');
      } finally {
        await redis.raw.config('SET', 'maxmemory', '0');
      }
      expect(errors.map((e) => e.error.message)).toStrictEqual([expect.stringMatching(/^OOM/)]);
      expect(await c.get('k')).toBe('v1'); // what Redis and every peer have: never the refused v2
      expect(await peer.get('k')).toBe('v1');
      expect((await c.getStats()).redis).toBe('connected');
    },
  );

  it('item 4: strict: true throws Redis failures instead of answering a miss', async () => {
    const c = await cache({ strict: true });
    await redis.raw.rpush(`${c.keyPrefix}list`, 'a');
    await expect(c.get('list')).rejects.toBeInstanceOf(InfrastructureError);
    await expect(c.get('list')).rejects.toThrow(/redis get failed: WRONGTYPE/);
    await c.set('fine', 1);
    expect(await c.get('fine')).toBe(1);
  });

  it('item 4: a programming error in a command is thrown, not taken for an outage', async () => {
    const client = new Redis(redis.url, { lazyConnect: true });
    const remote = new RemoteTier(client, new CacheEventEmitter(() => undefined), silentLogger, {
      breaker: { failureThreshold: 1, resetTimeout: 60_000 },
    });
    await expect(
      remote.run('bug', () => {
        throw new TypeError('not a function');
      }),
    ).rejects.toBeInstanceOf(TypeError);
    expect(remote.breaker.state).toBe('closed');
    expect(await remote.run('ping', (r) => r.ping())).toBe('PONG');
    remote.detach();
    client.disconnect();
  });
});
