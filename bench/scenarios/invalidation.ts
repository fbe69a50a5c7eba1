import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { TimingScenario } from '../timing.js';

const TOTAL = 100_000;
const MATCHING = 10_000;

/** Pattern invalidation of 10k keys among 100k under the cache's prefix (SCAN + UNLINK per batch). */
export const patternInvalidation: TimingScenario = {
  name: 'pattern-invalidation-10k-of-100k',
  description: 'invalidatePattern removing 10k of 100k Redis keys (and L1), SCAN + UNLINK in batches',
  needsRedis: true,
  async measure({ redisUrl, runs }) {
    const cache = new GenericRedisCache({ redisUrl, keyPrefix: 'bench:inv:', logger: silentLogger });
    await cache.connect();
    const raw = new Redis(redisUrl as string);
    const load = async (from: number, to: number) => {
      for (let start = from; start < to; start += 5000) {
        const pipeline = raw.pipeline();
        for (let i = start; i < Math.min(to, start + 5000); i++) {
          pipeline.set(
            `bench:inv:${i % 10 === 0 ? 'hot' : 'cold'}:${i}`,
            '\u0001\u0001\u0000\u00001',
            'EX',
            3600,
          );
        }
        await pipeline.exec();
      }
    };
    await load(0, TOTAL);
    const ms: number[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const removed = await cache.invalidatePattern('hot:*');
        ms.push(performance.now() - started);
        if (removed !== MATCHING) throw new Error(`expected ${MATCHING} keys invalidated, got ${removed}`);
        const pipeline = raw.pipeline();
        for (let i = 0; i < TOTAL; i += 10)
          pipeline.set(`bench:inv:hot:${i}`, '\u0001\u0001\u0000\u00001', 'EX', 3600);
        await pipeline.exec();
      }
    } finally {
      await cache.clear();
      await cache.close();
      raw.disconnect();
    }
    return [{ label: 'invalidate 10k of 100k keys', ms }];
  },
  goals: [{ label: 'invalidate 10k of 100k keys', maxMs: 1000 }],
};
