import { IN_PROCESS_TIMING_SAMPLE } from '../../src/core/events.js';
import { describe, expect, it } from 'vitest';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { CachePerformanceMonitor } from '../../src/monitoring/performance-monitor.js';
import { runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

const clock = new ManualClock();
runCacheContractSuite({
  name: 'AIResponseCache over InMemoryCache',
  create: async (options) => new AIResponseCache({ cache: new InMemoryCache({ ...options, clock }) }),
  advanceTime: async (ms) => clock.advance(ms),
});

const memoryAI = (options: ConstructorParameters<typeof AIResponseCache>[0] = {}) =>
  new AIResponseCache({ cache: new InMemoryCache({ maxSize: 100 }), ...options });

describe('AIResponseCache text tiers', () => {
  it.each([
    [499, 'small'],
    [500, 'medium'],
    [4999, 'medium'],
    [5000, 'large'],
    [49_999, 'large'],
    [50_000, 'xlarge'],
  ])('a text of %i code points is %s', (length, tier) => {
    expect(memoryAI().getTextTier('a'.repeat(length))).toBe(tier);
  });

  it('counts code points, not UTF-16 units, and honours custom tiers', () => {
    const cache = memoryAI({ textSizeTiers: { small: 3, medium: 5, large: 7 } });
    expect(cache.getTextTier('🚀🚀')).toBe('small');
    expect(cache.getTextTier('🚀🚀🚀')).toBe('medium');
    expect(cache.getTextTier('🚀'.repeat(7))).toBe('xlarge');
    expect(() => memoryAI({ textSizeTiers: { small: 10, medium: 5 } })).toThrow(
      'textSizeTiers must be positive integers',
    );
    expect(() => cache.getTextTier(1 as never)).toThrow('text must be a string');
  });
});

describe('AIResponseCache getOrCompute', () => {
  it('computes once for 100 concurrent callers', async () => {
    const cache = memoryAI();
    let computes = 0;
    const compute = async () => {
      computes++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { summary: 'short' };
    };
    const request = { operation: 'summarize', text: 'long document', options: { max_length: 50 } };
    const results = await Promise.all(
      Array.from({ length: 100 }, () => cache.getOrCompute(request, compute)),
    );
    expect(computes).toBe(1);
    expect(results.every((r) => r.summary === 'short')).toBe(true);
    expect(await cache.getOrCompute(request, compute)).toStrictEqual({ summary: 'short' });
    expect(computes).toBe(1);
  });

  it('does not cache errors, undefined, empty strings or empty objects', async () => {
    const cache = memoryAI();
    const request = { operation: 'qa', text: 't', question: 'q?' };
    await expect(cache.getOrCompute(request, () => Promise.reject(new Error('LLM down')))).rejects.toThrow(
      'LLM down',
    );
    for (const empty of [undefined, '', {}]) {
      expect(await cache.getOrCompute(request, () => empty)).toStrictEqual(empty);
      expect(await cache.exists(cache.buildKey('t', 'qa', { question: 'q?' }))).toBe(false);
    }
    expect(await cache.getOrCompute(request, () => 'answer')).toBe('answer');
    expect(await cache.getOrCompute(request, () => 'other')).toBe('answer');
    expect(cache.getOperationPerformance().qa).toMatchObject({
      computes: 4,
      computeErrors: 1,
      hits: 1,
      misses: 5,
    });
  });

  it('reports the time and tokens each hit saved, from what the compute took', async () => {
    const cache = memoryAI();
    const request = { operation: 'summarize', text: 'doc' };
    const compute = async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { value: 'summary', usage: { inputTokens: 120, outputTokens: 30 } };
    };
    const lookups = 2 * IN_PROCESS_TIMING_SAMPLE + 1;
    for (let i = 0; i < lookups; i++) expect(await cache.getOrCompute(request, compute)).toBe('summary');
    const hits = lookups - 1;
    const summary = await cache.getAIPerformanceSummary();
    expect(summary).toMatchObject({ totalRequests: lookups, hits, misses: 1, computes: 1 });
    expect(summary.hitRate).toBe(Math.round((hits / lookups) * 10_000) / 100);
    expect(summary.tokensSaved).toStrictEqual({
      inputTokens: 120 * hits,
      outputTokens: 30 * hits,
      totalTokens: 150 * hits,
    });
    expect(summary.timeSavedMs).toBeGreaterThanOrEqual(hits * 28);
    const perf = cache.getOperationPerformance().summarize!;
    expect(perf.compute.count).toBe(1);
    expect(perf.compute.p50Ms).toBeGreaterThanOrEqual(28);
    expect(perf.hit.count).toBe(2); // hit latency is timed for one lookup in IN_PROCESS_TIMING_SAMPLE
    expect(perf.hit.p99Ms).toBeLessThan(perf.compute.p50Ms);
  });

  it('treats a result with other keys than value and usage as a plain value', async () => {
    const cache = memoryAI();
    const plain = { value: 1, usage: { inputTokens: 1, outputTokens: 1 }, extra: true };
    expect(await cache.getOrCompute({ operation: 'op', text: 't' }, () => plain)).toStrictEqual(plain);
  });

  it('counts hits and misses per operation and per text tier after a scripted sequence', async () => {
    const cache = memoryAI({ textSizeTiers: { small: 10, medium: 100, large: 1000 } });
    const run = (operation: string, text: string) =>
      cache.getOrCompute({ operation, text }, () => `${operation}:${text.length}`);
    await run('summarize', 'short');
    await run('summarize', 'short');
    await run('sentiment', 'x'.repeat(50));
    await run('sentiment', 'x'.repeat(50));
    await run('sentiment', 'x'.repeat(50));
    await run('summarize', 'y'.repeat(2000));
    const tiers = cache.getTextTierStatistics();
    expect(tiers.small).toMatchObject({ requests: 2, hits: 1, misses: 1, hitRate: 50 });
    expect(tiers.medium).toMatchObject({ requests: 3, hits: 2, misses: 1 });
    expect(tiers.large).toMatchObject({ requests: 0 });
    expect(tiers.xlarge).toMatchObject({ requests: 1, misses: 1, sharePercent: 16.67 });
    const ops = cache.getOperationPerformance();
    expect(Object.keys(ops)).toStrictEqual(['sentiment', 'summarize']);
    expect(ops.sentiment).toMatchObject({ requests: 3, hits: 2, hitRate: 66.67 });
    expect(ops.summarize).toMatchObject({ requests: 3, hits: 1, misses: 2 });
    cache.resetMetrics();
    expect(cache.getOperationPerformance()).toStrictEqual({});
  });

  it('validates the request', async () => {
    const cache = memoryAI({ maxTextLength: 10 });
    await expect(cache.getOrCompute(null as never, () => 1)).rejects.toThrow('request must be an object');
    await expect(cache.getOrCompute({ operation: 'op', text: 't' }, 'x' as never)).rejects.toThrow(
      'compute must be a function',
    );
    await expect(cache.getOrCompute({ operation: 'bad op', text: 't' }, () => 1)).rejects.toThrow(
      'operation must be 1-64 characters',
    );
    await expect(cache.getOrCompute({ operation: 'op', text: 5 as never }, () => 1)).rejects.toThrow(
      'text must be a string',
    );
    await expect(cache.getOrCompute({ operation: 'op', text: 'x'.repeat(11) }, () => 1)).rejects.toThrow(
      'text is longer than maxTextLength (10 characters)',
    );
  });
});

describe('AIResponseCache TTLs, invalidation and monitoring (memory-only)', () => {
  it('applies operation TTLs to AI keys set without a TTL, and defaultTtl to others', async () => {
    const clock = new ManualClock();
    const inner = new InMemoryCache({ clock, defaultTtl: 60 });
    const cache = new AIResponseCache({ cache: inner, operationTtls: { summarize: '2h' } });
    await cache.set(cache.buildKey('t', 'summarize'), 'v');
    await cache.set(cache.buildKey('t', 'sentiment'), 'v');
    await cache.set(cache.buildKey('t', 'custom_op'), 'v');
    await cache.set(cache.buildKey('t', 'qa'), 'v', 5);
    await cache.set('plain-key', 'v');
    expect(inner.getTtl(cache.buildKey('t', 'summarize'))).toBe(7200);
    expect(inner.getTtl(cache.buildKey('t', 'sentiment'))).toBe(86_400);
    expect(inner.getTtl(cache.buildKey('t', 'custom_op'))).toBe(60);
    expect(inner.getTtl(cache.buildKey('t', 'qa'))).toBe(5);
    expect(inner.getTtl('plain-key')).toBe(60);
    expect(cache.ttlFor('qa')).toBe(1800);
  });

  it('invalidates exactly one operation, not its _v2 sibling', async () => {
    const cache = memoryAI();
    for (const op of ['summarize', 'summarize_v2', 'sentiment']) {
      for (const text of ['a', 'b']) await cache.getOrCompute({ operation: op, text }, () => `${op}:${text}`);
    }
    expect(await cache.invalidateByOperation('summarize')).toBe(2);
    expect(await cache.get(cache.buildKey('a', 'summarize'))).toBeUndefined();
    expect(await cache.get(cache.buildKey('a', 'summarize_v2'))).toBe('summarize_v2:a');
    expect(await cache.get(cache.buildKey('b', 'sentiment'))).toBe('sentiment:b');
    await expect(cache.invalidateByOperation('')).rejects.toThrow('operation must be a non-empty string');
    await expect(cache.invalidateByOperation(7 as never)).rejects.toThrow(
      'operation must be a non-empty string',
    );
  });

  it('times key generation into an attached monitor', async () => {
    const cache = memoryAI();
    const monitor = new CachePerformanceMonitor();
    monitor.attach(cache);
    cache.buildKey('some text', 'summarize');
    await cache.getOrCompute({ operation: 'sentiment', text: 'x' }, () => 'positive');
    const stats = monitor.getPerformanceStats();
    expect(stats.keyGeneration).toMatchObject({ count: 2, maxTextLength: 9 });
    expect(stats.cacheMisses).toBe(1);
  });

  it('recommends from real counters', async () => {
    const cache = memoryAI({ operationTtls: { fast: 60 } });
    for (let i = 0; i < 10; i++) await cache.getOrCompute({ operation: 'fast', text: `t${i}` }, () => i + 1);
    for (let i = 0; i < 12; i++) await cache.getOrCompute({ operation: 'popular', text: 'same' }, () => 'v');
    const issues = (await cache.getRecommendations()).map((r) => `${r.issue}:${r.message.split(' ')[0]}`);
    expect(issues).toContain("low_hit_rate:'fast'");
    expect(issues).toContain("fast_operation_short_ttl:'fast'");
    expect(issues).toContain("excellent_hit_rate:'popular'");
    expect(issues.some((i) => i.startsWith('l1_'))).toBe(false);
  });

  it('rejects Redis options next to a composed cache and a bad maxTextLength', () => {
    expect(() => new AIResponseCache({ cache: new InMemoryCache(), redisUrl: 'redis://x' })).toThrow(
      'redisUrl cannot be combined with cache',
    );
    expect(() => new AIResponseCache({ cache: {} as never })).toThrow(
      'cache must implement the tiercache CacheInterface',
    );
    expect(() => new AIResponseCache({ cache: new InMemoryCache(), maxTextLength: 0 })).toThrow(
      'maxTextLength must be a positive integer',
    );
    expect(() => new AIResponseCache({ cache: new InMemoryCache(), operationTtls: [] as never })).toThrow(
      'operationTtls must be a dictionary (an object of operation name to TTL)',
    );
    expect(
      () => new AIResponseCache({ cache: new InMemoryCache(), operationTtls: { qa: -1, '': 5, x: '400d' } }),
    ).toThrow(
      "operationTtls['qa'] must be a non-negative integer; operationTtls keys must be non-empty strings; operationTtls['x'] must not exceed 365 days (31,536,000 seconds)",
    );
  });

  it('connects and leaves a composed cache open on close', async () => {
    const inner = new InMemoryCache();
    const cache = new AIResponseCache({ cache: inner });
    expect(await cache.connect()).toBe(true);
    await cache.set('k', 1);
    await cache.close();
    expect(await inner.exists('k')).toBe(true);
    expect(cache.cache).toBe(inner);
  });
});
