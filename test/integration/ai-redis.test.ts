import { describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { hasRedis, sleep, uniquePrefix, useRedis } from '../helpers/redis.js';

describe.runIf(hasRedis)('AIResponseCache over a real redis-server', () => {
  const redis = useRedis();
  const create = async (options: ConstructorParameters<typeof AIResponseCache>[0] = {}) => {
    const cache = new AIResponseCache({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('ai'),
      logger: silentLogger,
      // A loaded machine can stall a command past the 500 ms default (see createRedisCache).
      commandTimeout: '5s',
      ...options,
    });
    await cache.connect();
    return cache;
  };

  runCacheContractSuite({
    name: 'AIResponseCache over GenericRedisCache',
    create: (o) => create(o),
    advanceTime: sleep,
  });

  it('stores responses in Redis with their operation TTL', async () => {
    const cache = await create({ operationTtls: { summarize: '3h' } });
    await cache.getOrCompute({ operation: 'summarize', text: 'doc' }, () => 'summary');
    await cache.getOrCompute({ operation: 'qa', text: 'doc', question: 'why?' }, () => 'because');
    const prefix = (cache.cache as unknown as { keyPrefix: string }).keyPrefix;
    expect(await redis.raw.ttl(`${prefix}${cache.buildKey('doc', 'summarize')}`)).toBeGreaterThan(
      3 * 3600 - 10,
    );
    const qaTtl = await redis.raw.ttl(`${prefix}${cache.buildKey('doc', 'qa', { question: 'why?' })}`);
    expect(qaTtl).toBeGreaterThan(1790);
    expect(qaTtl).toBeLessThanOrEqual(1800);
    await cache.clear();
    await cache.close();
  });

  it('invalidates an operation in Redis and in every instance L1 it was read into', async () => {
    const writer = await create();
    const prefix = (writer.cache as unknown as { keyPrefix: string }).keyPrefix;
    const reader = await create({ keyPrefix: prefix });
    for (const op of ['summarize', 'summarize_v2'])
      await writer.getOrCompute({ operation: op, text: 'doc' }, () => op);
    expect(await reader.get(reader.buildKey('doc', 'summarize'))).toBe('summarize'); // now in reader's L1
    expect(await reader.invalidateByOperation('summarize')).toBe(1);
    expect(await redis.raw.exists(`${prefix}${writer.buildKey('doc', 'summarize')}`)).toBe(0);
    expect(await redis.raw.exists(`${prefix}${writer.buildKey('doc', 'summarize_v2')}`)).toBe(1);
    expect(await reader.get(reader.buildKey('doc', 'summarize'))).toBeUndefined();
    await writer.clear();
    await writer.close();
    await reader.close();
  });

  it('reports time and tokens saved by hits in another process-like instance', async () => {
    const first = await create();
    const prefix = (first.cache as unknown as { keyPrefix: string }).keyPrefix;
    await first.getOrCompute({ operation: 'summarize', text: 'doc' }, async () => {
      await sleep(25);
      return { value: 's', usage: { inputTokens: 10, outputTokens: 5 } };
    });
    const second = await create({ keyPrefix: prefix, enableMemoryCache: false });
    expect(await second.getOrCompute({ operation: 'summarize', text: 'doc' }, () => 'recomputed')).toBe('s');
    const summary = await second.getAIPerformanceSummary();
    expect(summary).toMatchObject({ hits: 1, computes: 0, tokensSaved: { totalTokens: 15 } });
    expect(summary.timeSavedMs).toBeGreaterThanOrEqual(20);
    await first.clear();
    await first.close();
    await second.close();
  });
});
