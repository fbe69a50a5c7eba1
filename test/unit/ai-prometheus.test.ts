import { describe, expect, it } from 'vitest';
import { MAX_TRACKED_OPERATIONS } from '../../src/ai/ai-metrics.js';
import { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { ValidationError } from '../../src/core/errors.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { PrometheusExporter } from '../../src/monitoring/prometheus.js';

const prices = { 'gpt-x': { inputPerMillion: 2.5, outputPerMillion: 10 } };
const memoryAI = (options: ConstructorParameters<typeof AIResponseCache>[0] = {}) =>
  new AIResponseCache({ cache: new InMemoryCache({ maxSize: 1000 }), ...options });

/** `name{labels} value` lines of an exposition whose name starts with `prefix`. */
function samples(text: string, prefix: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('issue 22: Prometheus AI series', () => {
  it('exports requests, hits, misses, compute time, tokens, stream replays, money saved and compute durations per operation', async () => {
    const exporter = new PrometheusExporter();
    const cache = memoryAI({ prices });
    exporter.attach(cache, { namespace: 'ai' });
    const request = { operation: 'summarize', text: 'doc', model: 'gpt-x' };
    const compute = () => ({ value: 's', usage: { inputTokens: 1000, outputTokens: 200 } });
    for (let i = 0; i < 3; i++) await cache.getOrCompute(request, compute);
    await expect(
      cache.getOrCompute({ ...request, text: 'other' }, () => Promise.reject(new Error('x'))),
    ).rejects.toThrow();
    const produce = async function* () {
      yield 'a';
      yield 'b';
    };
    for (let i = 0; i < 2; i++)
      for await (const chunk of cache.getOrComputeStream({ operation: 'chat', text: 't' }, produce, {
        tokensSaved: 50,
      }))
        expect(['a', 'b']).toContain(chunk);
    for await (const chunk of cache.getOrComputeStream({ operation: 'chat', text: 'cut' }, produce, {
      shouldStore: () => false,
    }))
      expect(chunk).toBeDefined();
    const got = samples(await exporter.metrics(), 'tiercache_ai_');
    const at = (name: string, labels: string) => got.get(`tiercache_ai_${name}{${labels}}`);
    const summarize = 'operation="summarize",namespace="ai"';
    const chat = 'operation="chat",namespace="ai"';
    expect([
      at('requests_total', summarize),
      at('hits_total', summarize),
      at('misses_total', summarize),
    ]).toStrictEqual([4, 2, 2]);
    expect([
      at('requests_total', chat),
      at('hits_total', chat),
      at('stream_replays_total', chat),
    ]).toStrictEqual([3, 1, 1]);
    expect(at('tokens_saved_total', 'operation="chat",kind="output",namespace="ai"')).toBe(50);
    expect(at('tokens_saved_total', 'operation="summarize",kind="input",namespace="ai"')).toBe(2000);
    expect(at('cost_saved_total', summarize)).toBeCloseTo((2 * (1000 * 2.5 + 200 * 10)) / 1e6, 12);
    expect(at('cost_saved_total', chat)).toBe(0); // no model on the stream requests
    expect(at('compute_seconds_total', summarize)).toBeGreaterThanOrEqual(0);
    const counts = (kind: string, outcome: string, operation: string) =>
      at(
        'compute_duration_seconds_count',
        `operation="${operation}",kind="${kind}",outcome="${outcome}",namespace="ai"`,
      );
    expect(counts('value', 'stored', 'summarize')).toBe(1);
    expect(counts('value', 'error', 'summarize')).toBe(1);
    expect(counts('stream', 'stored', 'chat')).toBe(1);
    expect(counts('stream', 'skipped', 'chat')).toBe(1);
    const summary = await cache.getAIPerformanceSummary();
    expect(summary.costSaved).toBeCloseTo(0.009, 12);
    expect(summary.streamReplays).toBe(1);
  });

  it('exports no money saved for a cache without a price table', async () => {
    const exporter = new PrometheusExporter();
    const cache = memoryAI();
    exporter.attach(cache);
    await cache.getOrCompute({ operation: 'qa', text: 't', model: 'gpt-x' }, () => 'a');
    await cache.getOrCompute({ operation: 'qa', text: 't', model: 'gpt-x' }, () => 'a');
    expect(await exporter.metrics()).not.toMatch(/^tiercache_ai_cost_saved_total\{/m);
    expect(cache.getOperationPerformance().qa).not.toHaveProperty('costSaved');
    expect(await cache.getAIPerformanceSummary()).not.toHaveProperty('costSaved');
  });

  it(`bounds the operation label of the compute histogram to ${MAX_TRACKED_OPERATIONS} names and (other)`, async () => {
    const exporter = new PrometheusExporter();
    const cache = memoryAI();
    exporter.attach(cache);
    for (let i = 0; i < MAX_TRACKED_OPERATIONS + 20; i++)
      await cache.getOrCompute({ operation: `op${i}`, text: 't' }, () => i + 1);
    const operations = new Set(
      [...samples(await exporter.metrics(), 'tiercache_ai_compute_duration_seconds_count').keys()].map(
        (line) => /operation="([^"]+)"/.exec(line)?.[1],
      ),
    );
    expect(operations.size).toBe(MAX_TRACKED_OPERATIONS + 1);
    expect(operations.has('(other)')).toBe(true);
  });

  it.each([
    [[], 'prices must be an object of model name → { inputPerMillion, outputPerMillion }'],
    [{ m: 3 }, 'prices["m"] must be { inputPerMillion, outputPerMillion }'],
    [
      { m: { inputPerMillion: -1, outputPerMillion: 1 } },
      'prices["m"].inputPerMillion must be a non-negative number (a price per 1M tokens)',
    ],
    [
      { m: { inputPerMillion: 1, outputPerMillion: '3' } },
      'prices["m"].outputPerMillion must be a non-negative number (a price per 1M tokens)',
    ],
    [
      { m: { inputPerMillion: Number.NaN, outputPerMillion: Infinity } },
      'prices["m"].inputPerMillion must be a non-negative number (a price per 1M tokens); prices["m"].outputPerMillion must be a non-negative number (a price per 1M tokens)',
    ],
    [
      { m: { inputPerMillion: 1, outputPerMillion: 1, input: 2 } },
      'prices["m"] has an unknown field: input (known: inputPerMillion, outputPerMillion)',
    ],
  ])('refuses the price table %j', (table, message) => {
    let error: unknown;
    try {
      memoryAI({ prices: table as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(message);
    expect((error as ValidationError).option).toBe('prices');
  });
});
