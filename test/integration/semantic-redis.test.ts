import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import type { AIResult } from '../../src/ai/ai-compute.js';
import { hashingEmbedder } from '../../src/ai/semantic/hashing-embedder.js';
import type { SemanticEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { startRedisServer } from '../../src/testing/redis-server.js';
import { eventually, useFleet } from '../helpers/fleet.js';
import { hasRedis, redisBinary, uniquePrefix, useRedis } from '../helpers/redis.js';

const STORED = 'How do I rotate the API key of my workspace?';
const NEAR = 'how do i rotate the api key of my workspace';

describe.runIf(hasRedis)('semantic matching shared through Redis (issue 25)', () => {
  const redis = useRedis();
  const fleet = useFleet(redis);
  const opened: AIResponseCache[] = [];
  afterAll(() => Promise.all(opened.map((c) => c.close())));

  const semanticCache = async (keyPrefix: string, semantic: object = {}) => {
    const cache = new AIResponseCache({
      redisUrl: redis.url,
      keyPrefix,
      logger: silentLogger,
      commandTimeout: '5s',
      semantic: { embed: hashingEmbedder(), ...semantic },
    });
    await cache.connect();
    opened.push(cache);
    return cache;
  };
  const qa = (text: string) => ({ operation: 'qa', text });

  it('answers in one process with the response another process computed, and never after another process invalidated it', async () => {
    const prefix = uniquePrefix('sem');
    const [writer, reader] = [await fleet.worker(prefix), await fleet.worker(prefix)];
    const counterKey = `${prefix}computes`;
    const stored = await writer.call<AIResult<string>>('aiSemantic', STORED, {
      counterKey,
      value: 'rotate it in Settings',
    });
    expect(stored.source).toBe('compute');
    const near = await reader.call<AIResult<string>>('aiSemantic', NEAR, {
      counterKey,
      value: 'computed again',
    });
    expect(near).toMatchObject({
      value: 'rotate it in Settings',
      source: 'semantic',
      matchedKey: stored.key,
    });
    expect(await redis.raw.get(counterKey)).toBe('1');
    // The reader's in-process index still lists the writer's entry; the writer's invalidation wins.
    await writer.call('aiInvalidateOperation', 'qa');
    const after = await reader.call<AIResult<string>>('aiSemantic', `${NEAR}?`, {
      counterKey,
      value: 'fresh',
    });
    expect(after).toMatchObject({ value: 'fresh', source: 'compute' });
    expect(await redis.raw.get(counterKey)).toBe('2');
  });

  it('lists a partition in Redis once per key, trimmed to maxEntries, expiring with its entries', async () => {
    const prefix = uniquePrefix('sem');
    const cache = await semanticCache(prefix, { maxEntries: 3 });
    for (const n of ['one', 'two', 'three', 'four', 'five'])
      await cache.getOrCompute(qa(`What does plan ${n} include?`), () => n, { ttl: 120 });
    const [list] = await redis.raw.keys(`__tiercache__:${prefix}semantic:{*}`);
    expect(list).toBeDefined();
    expect(await redis.raw.zcard(list!)).toBe(3);
    expect(await redis.raw.pttl(list!)).toBeGreaterThan(100_000);
    expect(await redis.raw.pttl(list!)).toBeLessThanOrEqual(120_000);
    // A new instance loads the partition from Redis: the newest are there, the trimmed are not.
    const fresh = await semanticCache(prefix, { maxEntries: 3 });
    expect((await fresh.getOrComputeResult(qa('what does plan five include'), () => 'x')).source).toBe(
      'semantic',
    );
    expect((await fresh.getOrComputeResult(qa('what does plan one include'), () => 'x')).source).toBe(
      'compute',
    );
  });

  it('forgets a listed key whose entry is gone, after one miss', async () => {
    const prefix = uniquePrefix('sem');
    const writer = await semanticCache(prefix);
    await writer.getOrCompute(qa(STORED), () => 'answer');
    await redis.raw.del(`${prefix}${writer.keyFor(qa(STORED))}`);
    const reader = await semanticCache(prefix);
    expect(await reader.getOrCompute(qa(NEAR), () => 'fresh')).toBe('fresh');
    const [list] = await redis.raw.keys(`__tiercache__:${prefix}semantic:{*}`);
    expect(await redis.raw.zrange(list!, '0', '-1')).toStrictEqual([reader.keyFor(qa(NEAR))]);
  });

  it.runIf(redisBinary)('computes when Redis is down, and matches again once it is back', async () => {
    const server = await startRedisServer();
    const cache = new AIResponseCache({
      redisUrl: server.url,
      keyPrefix: uniquePrefix('sem'),
      logger: silentLogger,
      commandTimeout: '1s',
      semantic: { embed: hashingEmbedder() },
    });
    const events: SemanticEvent[] = [];
    cache.on('semantic', (e) => events.push(e));
    try {
      await cache.connect();
      await server.kill();
      expect(await cache.getOrCompute(qa(STORED), () => 'while down')).toBe('while down');
      expect(events.at(-1)?.outcome).toBe('miss');
      await server.restart();
      // Writes reach Redis again (until then they live in L1 only, which a reconnection may clear).
      const raw = new Redis(server.url);
      const prefix = (cache.cache as unknown as { keyPrefix: string }).keyPrefix;
      await eventually(async () => {
        await cache.cache.set('probe', 1);
        return (await raw.exists(`${prefix}probe`)) === 1;
      });
      raw.disconnect();
      await cache.getOrCompute(qa(`${STORED} Thanks!`), () => 'stored');
      expect((await cache.getOrComputeResult(qa(NEAR), () => 'x')).source).toBe('semantic');
      // A new instance finds it through Redis.
      const peer = new AIResponseCache({
        redisUrl: server.url,
        keyPrefix: prefix,
        logger: silentLogger,
        commandTimeout: '5s', // a loaded machine can stall a command past the 500 ms default
        semantic: { embed: hashingEmbedder() },
      });
      try {
        await peer.connect();
        expect((await peer.getOrComputeResult(qa(`${NEAR}!`), () => 'x')).source).toBe('semantic');
      } finally {
        await peer.close();
      }
    } finally {
      await cache.close();
      await server.stop();
    }
  });

  it.runIf(redisBinary)('keeps a listed entry through a read that failed in an outage', async () => {
    const server = await startRedisServer();
    const prefix = uniquePrefix('sem');
    const open = (options: object) =>
      new AIResponseCache({
        redisUrl: server.url,
        keyPrefix: prefix,
        logger: silentLogger,
        commandTimeout: '5s', // a loaded machine can stall a command past the 500 ms default
        semantic: { embed: hashingEmbedder() },
        ...options,
      });
    const writer = open({});
    const reader = open({ memoryCacheSize: 0, commandTimeout: '200ms' });
    try {
      await writer.connect();
      await reader.connect();
      await writer.getOrCompute(qa(STORED), () => 'stored');
      expect((await reader.getOrComputeResult(qa(NEAR), () => 'x')).source).toBe('semantic');
      server.pause();
      expect((await reader.getOrComputeResult(qa(`${NEAR}?`), () => 'while paused')).source).toBe('compute');
      server.resume();
      await eventually(
        async () => (await reader.getOrComputeResult(qa(`${NEAR}!`), () => 'x')).source === 'semantic',
      );
      const fresh = open({});
      try {
        await fresh.connect();
        expect((await fresh.getOrComputeResult(qa(`${NEAR}.`), () => 'x')).source).toBe('semantic');
      } finally {
        await fresh.close();
      }
    } finally {
      server.resume();
      await Promise.all([writer.close(), reader.close()]);
      await server.stop();
    }
  });
});
