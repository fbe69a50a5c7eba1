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

  it('a bus connection ended before its first SUBSCRIBE was answered subscribes once revived', async () => {
    const duplicate = Redis.prototype.duplicate; // eslint-disable-line @typescript-eslint/unbound-method
    const ended: Promise<void>[] = [];
    vi.spyOn(Redis.prototype, 'duplicate').mockImplementation(function (this: Redis, ...args) {
      const copy = duplicate.apply(this, args);
      ended.push(endDuringNextReconnect(copy)); // its very first connect: SUBSCRIBE is still queued
      return copy;
    });
    const reader = await createRedisCache(redis, { coherence: 'bus' });
    vi.restoreAllMocks();
    expect(ended).toHaveLength(1);
    await ended[0];
    const writer = await createRedisCache(redis, { keyPrefix: reader.keyPrefix, coherence: 'bus' });
    await writer.set('k', 'v1');
    expect(await reader.get('k')).toBe('v1');
    await writer.set('k', 'v2'); // only the bus tells the reader
    await eventually(async () => (await reader.get('k')) === 'v2', 10_000);
    await writer.close();
    await reader.close();
  });

  /** Counts the connect attempts of `client` from now on. */
  function connectAttempts(client: Redis): () => number {
    let attempts = 0;
    client.on('connecting', () => attempts++);
    return () => attempts;
  }

  // Negatives, so a window: 8× the first revive delay (reconnectDelay(1), 50 ms).
  const REVIVE_WINDOW_MS = 8 * reconnectDelay(1);

  it('a connection the cache closed stays closed, a revive still pending included', async () => {
    const cache = await createRedisCache(redis);
    const client = cache.client as Redis;
    const ended = endDuringNextReconnect(client);
    client.stream.destroy();
    await ended; // a revive is pending now
    const attempts = connectAttempts(client);
    await cache.close();
    await sleep(REVIVE_WINDOW_MS);
    expect(client.status).toBe('end');
    expect(attempts()).toBe(0);
  });

  it("a disconnect() or quit() of the cache's client by its user is not undone", async () => {
    for (const close of [(c: Redis) => c.disconnect(), (c: Redis) => void c.quit()]) {
      const cache = await createRedisCache(redis);
      const client = cache.client as Redis;
      const ended = new Promise((resolve) => client.once('end', resolve));
      close(client);
      await ended;
      const attempts = connectAttempts(client);
      await sleep(REVIVE_WINDOW_MS);
      expect(client.status).toBe('end');
      expect(attempts()).toBe(0);
      await cache.close();
    }
  });
});
