import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reconnectDelay } from '../../src/redis/connection.js';
import { createRedisCache, redisBinary, sleep, useRedis } from '../helpers/redis.js';
import { eventually } from '../helpers/fleet.js';

/**
 * ioredis ends a connection for good when its connector is disconnected while a reconnect is under way.
 * A Sentinel failover does that (the failover detector disconnects on "+switch-master", which can arrive
 * in the middle of the reconnect after the old master died): the bus or tracking connection stayed down
 * and L1 kept serving values other instances had changed (sentinel.test.ts, about 1 failover in 5). Here
 * the same ioredis path is forced on a standalone server, on each connection the cache owns.
 */
describe.runIf(redisBinary)('connections ioredis ends by itself are connected again', () => {
  const redis = useRedis();
  afterEach(() => vi.restoreAllMocks());

  /** The connector's disconnect, as ioredis's failover detector calls it, during the next reconnect. */
  function endDuringNextReconnect(client: Redis): Promise<void> {
    const connector = (client as unknown as { connector: { disconnect(): void } }).connector;
    client.once('connecting', () => connector.disconnect());
    return new Promise((resolve) => client.once('end', () => resolve()));
  }

  it('the data, bus and tracking connections come back, and so does L1 coherence', async () => {
    const duplicate = Redis.prototype.duplicate; // eslint-disable-line @typescript-eslint/unbound-method
    const subscribers: Redis[] = [];
    vi.spyOn(Redis.prototype, 'duplicate').mockImplementation(function (this: Redis, ...args) {
      const copy = duplicate.apply(this, args); // the real duplicate: only the copies are collected
      subscribers.push(copy);
      return copy;
    });
    const reader = await createRedisCache(redis); // default coherence: the bus and client tracking
    await eventually(() => reader.coherenceStatus.tracking?.state === 'active');
    vi.restoreAllMocks();
    const connections = [reader.client as Redis, ...subscribers];
    expect(subscribers).toHaveLength(2); // the bus's and the tracking redirect's
    await eventually(() => connections.every((c) => c.status === 'ready'));

    const ended = connections.map(endDuringNextReconnect);
    for (const connection of connections) connection.stream.destroy(); // a dropped link: ioredis reconnects
    await Promise.all(ended); // ... and gives up on each connection (status 'end')

    await eventually(() => connections.every((c) => c.status === 'ready'), 10_000);
    const writer = await createRedisCache(redis, { keyPrefix: reader.keyPrefix });
    await writer.set('k', 'v1');
    expect(await reader.get('k')).toBe('v1'); // in the reader's L1 now
    await writer.set('k', 'v2');
    await eventually(async () => (await reader.get('k')) === 'v2');
    await redis.raw.set(`${reader.keyPrefix}k`, 'written by another service'); // seen by tracking only
    await eventually(async () => (await reader.get('k')) === undefined); // not an envelope: a miss
    await writer.close();
    await reader.close();
  });

  it('a connection the cache closed stays closed', async () => {
    const cache = await createRedisCache(redis);
    const client = cache.client as Redis;
    let reconnects = 0;
    client.on('connecting', () => reconnects++);
    const ended = new Promise((resolve) => client.once('end', resolve));
    await cache.close();
    await ended;
    // A negative, so a window: 8× the first revive delay (reconnectDelay(1), 50 ms).
    await sleep(8 * reconnectDelay(1));
    expect(client.status).toBe('end');
    expect(reconnects).toBe(0);
  });
});
