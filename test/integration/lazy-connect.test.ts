import { describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { hasRedis, uniquePrefix, useRedis } from '../helpers/redis.js';

const redis = useRedis();

describe.skipIf(!hasRedis)(
  'issue 19 item 5: a cache used without connect() talks to Redis (lazy connect)',
  () => {
    it('item 5: reads and writes Redis from the first call, without connect()', async () => {
      const keyPrefix = uniquePrefix('lazy');
      const writer = new GenericRedisCache({
        redisUrl: redis.url,
        keyPrefix,
        logger: silentLogger,
        commandTimeout: '5s',
      });
      const reader = new GenericRedisCache({
        redisUrl: redis.url,
        keyPrefix,
        logger: silentLogger,
        commandTimeout: '5s',
      });
      await Promise.all([writer.set('a', 1), writer.set('b', 2)]); // concurrent first calls share one connect
      expect(await redis.raw.exists(`${keyPrefix}a`, `${keyPrefix}b`)).toBe(2);
      expect(await reader.get('a')).toBe(1);
      expect((await reader.getStats()).redis).toBe('connected');
      await Promise.all([writer.close(), reader.close()]);
    });

    it('item 5: the README tour’s AI cache, never connected, stores its responses in Redis', async () => {
      const keyPrefix = uniquePrefix('lazyai');
      const ai = new AIResponseCache({
        redisUrl: redis.url,
        keyPrefix,
        logger: silentLogger,
        commandTimeout: '5s',
      });
      expect(await ai.getOrCompute({ operation: 'summarize', text: 'doc' }, () => 'summary')).toBe('summary');
      expect(await redis.raw.keys(`${keyPrefix}*`)).toHaveLength(1);
      await ai.close();
    });

    it('item 5: without a reachable Redis the first call waits at most connectTimeout, then serves a miss', async () => {
      const cache = new GenericRedisCache({
        redisUrl: 'redis://127.0.0.1:1',
        connectTimeout: '100ms',
        logger: silentLogger,
      });
      expect(await cache.get('k')).toBeUndefined();
      await cache.set('k', 'in L1 only');
      expect(await cache.get('k')).toBe('in L1 only');
      expect((await cache.getStats()).redis).not.toBe('connected');
      await cache.close();
    });
  },
);
