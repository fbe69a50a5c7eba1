import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('issue 19 item 8: strict input', () => {
  it('item 8: a value nested 3,000 deep is a ValidationError, not a stack overflow', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    const error = await cache.set('deep', nested(3000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/nests more than 256 levels deep/);
    await cache.set('fine', nested(200));
    expect(await cache.get('fine')).toStrictEqual(nested(200));
    const deepArray: unknown[] = [];
    let cursor = deepArray;
    for (let i = 0; i < 500; i++) cursor.push((cursor = []));
    await expect(cache.set('array', deepArray)).rejects.toBeInstanceOf(ValidationError);
  });

  it('item 8: a misspelled set or setMany option is refused with the names it knows', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    await expect(cache.set('k', 1, { tll: 5 } as never)).rejects.toThrow(
      'unknown set option: tll (known: ttl, tags)',
    );
    await expect(cache.setMany([{ key: 'k', value: 1, tl: 5 } as never])).rejects.toThrow(
      'unknown setMany entry field: tl (known: key, value, ttl, tags)',
    );
    expect(await cache.exists('k')).toBe(false);
  });

  it('item 8: an unknown AI request field is refused, so it can never be silently left out of the key', async () => {
    const { AIResponseCache } = await import('../../src/ai/ai-response-cache.js');
    const ai = new AIResponseCache({ cache: new InMemoryCache({ logger: silentLogger }) });
    const request = { operation: 'qa', text: 't', modle: 'gpt-x' } as never;
    await expect(ai.getOrCompute(request, () => 'answer')).rejects.toThrow(
      'unknown request field: modle (known: operation, text, options, question, model, tenant)',
    );
  });
});

describe('issue 19 item 10: bounded bookkeeping, nothing left attached', () => {
  it('item 10: AI metrics track at most 256 operation names; the rest share "(other)"', async () => {
    const { AIResponseCache } = await import('../../src/ai/ai-response-cache.js');
    const ai = new AIResponseCache({ cache: new InMemoryCache({ logger: silentLogger }) });
    for (let i = 0; i < 300; i++) await ai.getOrCompute({ operation: `op${i}`, text: 't' }, () => i + 1);
    const operations = ai.getOperationPerformance();
    expect(Object.keys(operations)).toHaveLength(257);
    expect(operations['(other)']?.misses).toBe(300 - 256);
  });

  it('item 10: a monitor and an exporter let go of a cache once it is closed', async () => {
    const { CachePerformanceMonitor } = await import('../../src/monitoring/performance-monitor.js');
    const { PrometheusExporter } = await import('../../src/monitoring/prometheus.js');
    const { CacheFactory } = await import('../../src/factory/cache-factory.js');
    const factory = new CacheFactory({ logger: silentLogger });
    const cache = await factory.forTesting({ useMemoryCache: true });
    const exporter = new PrometheusExporter();
    exporter.attach(cache);
    await cache.get('k');
    expect(factory.performanceMonitor.getPerformanceStats().cacheMisses).toBe(1);
    await cache.close();
    await cache.get('k'); // after close: no monitor counts it
    expect(factory.performanceMonitor.getPerformanceStats().cacheMisses).toBe(1);
    expect(await exporter.metrics()).toMatch(/tiercache_misses_total\{namespace="default"\} 1\b/);
    expect(CachePerformanceMonitor).toBeTypeOf('function');
  });

  it('item 10: the AI cache reports a throwing listener to its logger, not the console', async () => {
    const { AIResponseCache } = await import('../../src/ai/ai-response-cache.js');
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_: object, message: string) => void warnings.push(message) };
    const ai = new AIResponseCache({ cache: new InMemoryCache({ logger: silentLogger }), logger });
    ai.on('keyGeneration', () => {
      throw new Error('listener bug');
    });
    ai.buildKey('text', 'summarize');
    expect(warnings).toStrictEqual(['an AI cache event listener threw; it is reported once and ignored']);
  });
});
