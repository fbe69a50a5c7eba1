import { LRUCache } from 'lru-cache';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { CacheKeyGenerator, type AIRequestOptions } from '../../src/ai/key-generator.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Scenario } from '../harness.js';

const REQUESTS = 500;
const BATCH = 500;

export const aiGetOrComputeHit: Scenario = {
  name: 'ai-get-or-compute-hit',
  description:
    'AIResponseCache.getOrCompute served from L1 (short texts, without and with options) against an async lru-cache holding the same keys, each built per call as tiercache builds it',
  needsRedis: true,
  async setup({ redisUrl }) {
    const cache = new AIResponseCache({
      redisUrl,
      keyPrefix: 'bench:ai:',
      memoryCacheSize: 2 * REQUESTS,
      logger: silentLogger,
    });
    await cache.connect();
    const requests = Array.from({ length: REQUESTS }, (_, i) => ({
      operation: 'summarize',
      text: `document number ${i} about caching`,
    }));
    const withOptions = requests.map((r) => ({ ...r, options: { max_length: 100, model: 'gpt-x' } }));
    const lru = new LRUCache<string, string>({ max: REQUESTS });
    for (const [i, request] of requests.entries()) {
      await cache.getOrCompute(request, () => `summary ${i}`);
      await cache.getOrCompute(withOptions[i]!, () => `summary ${i}`);
      lru.set(`k${i}`, `summary ${i}`);
    }
    const asyncLruGet = async (key: string) => lru.get(key);
    // The floor of any cache keyed by AI requests: the same key tiercache builds (a generator with the same
    // defaults: v3, textHashThreshold 1000), built per call from the request, then one lookup.
    const keyed = new LRUCache<string, string>({ max: 2 * REQUESTS });
    const keys = new CacheKeyGenerator();
    for (const [i, request] of requests.entries()) {
      keyed.set(keys.buildKey(request.text, request.operation), `summary ${i}`);
      const { text, operation, options } = withOptions[i]!;
      keyed.set(keys.buildKey(text, operation, options), `summary ${i}`);
    }
    if (keys.buildKey(requests[0]!.text, 'summarize') !== cache.keyFor(requests[0]!))
      throw new Error('the floor must build the key tiercache builds');
    const asyncKeyedGet = async (request: { text: string; operation: string; options?: AIRequestOptions }) =>
      keyed.get(keys.buildKey(request.text, request.operation, request.options));
    let i = 0;
    return {
      cases: [
        {
          label: 'tiercache getOrCompute hit',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++)
              await cache.getOrCompute(requests[i++ % REQUESTS]!, () => 'unused');
          },
        },
        {
          label: 'tiercache getOrCompute hit, with options',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++)
              await cache.getOrCompute(withOptions[i++ % REQUESTS]!, () => 'unused');
          },
        },
        {
          label: 'async lru-cache, same AI key built per call',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++) await asyncKeyedGet(requests[i++ % REQUESTS]!);
          },
        },
        {
          label: 'async lru-cache, same AI key with options built per call',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++) await asyncKeyedGet(withOptions[i++ % REQUESTS]!);
          },
        },
        {
          label: 'async lru-cache',
          opsPerCall: BATCH,
          run: async () => {
            for (let n = 0; n < BATCH; n++) await asyncLruGet(`k${i++ % REQUESTS}`);
          },
        },
      ],
      teardown: async () => {
        await cache.clear();
        await cache.close();
      },
    };
  },
  // The floor of any content-keyed cache is the key built per call plus one lookup (issue 22): the old goal
  // against a bare short-key get is retired, because the key itself costs more than the lookup.
  goals: [
    {
      subject: 'tiercache getOrCompute hit',
      against: 'async lru-cache, same AI key built per call',
      minRatio: 0.8,
    },
  ],
};
