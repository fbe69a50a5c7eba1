import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { PrometheusExporter } from '../../src/monitoring/prometheus.js';

const family = (text: string, name: string) => parsePrometheusTextFormat(text).find((f) => f.name === name);
const value = (text: string, name: string, labels: Record<string, string>) =>
  family(text, name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    ?.value;

describe('PrometheusExporter', () => {
  it('exposes counters, a latency histogram and gauges that a Prometheus parser reads back', async () => {
    const exporter = new PrometheusExporter();
    const cache = new InMemoryCache({ maxSize: 2 });
    exporter.attach(cache, { namespace: 'web' });
    await cache.set('secret-user-key:1', 1);
    await cache.get('secret-user-key:1');
    await cache.get('secret-user-key:2');
    await cache.set('b', 2);
    await cache.set('c', 3); // evicts the first key
    await cache.delete('b');
    await cache.invalidatePattern('c');
    const text = await exporter.metrics();
    expect(value(text, 'tiercache_hits_total', { tier: 'memory', namespace: 'web' })).toBe('1');
    expect(value(text, 'tiercache_misses_total', { namespace: 'web' })).toBe('1');
    expect(value(text, 'tiercache_sets_total', { namespace: 'web' })).toBe('3');
    expect(value(text, 'tiercache_deletes_total', { namespace: 'web' })).toBe('1');
    expect(value(text, 'tiercache_evictions_total', { tier: 'memory', reason: 'evict' })).toBe('1');
    expect(value(text, 'tiercache_invalidations_total', { type: 'pattern' })).toBe('1');
    expect(value(text, 'tiercache_invalidated_keys_total', { type: 'pattern' })).toBe('1');
    expect(value(text, 'tiercache_operations_total', { operation: 'get', outcome: 'miss' })).toBe('1');
    expect(value(text, 'tiercache_l1_entries', { namespace: 'web' })).toBe('0');
    expect(value(text, 'tiercache_l1_max_entries', { namespace: 'web' })).toBe('2');
    expect(family(text, 'tiercache_operation_duration_seconds')?.type).toBe('HISTOGRAM');
    // That parser merges labelled histogram series, so the series are read back from the registry.
    const [histogram] = (await exporter.registry.getMetricsAsJSON()).filter(
      (m) => m.name === 'tiercache_operation_duration_seconds',
    );
    // Writes are always timed (in-process gets only one in 64): three sets, three observations.
    const setCount = histogram?.values.find(
      (v) => (v as { metricName?: string }).metricName?.endsWith('_count') && v.labels.operation === 'set',
    );
    expect(setCount?.value).toBe(3);
    const bounds = histogram?.values
      .filter((v) => v.labels.operation === 'set' && v.labels.le !== undefined)
      .map((v) => v.labels.le);
    expect(bounds?.[0]).toBe(0.000001);
    expect(bounds).toContain(1);
    expect(text).toContain('le="0.00005"');
    expect(text).not.toContain('secret-user-key');
  });

  it('registers on a user-supplied registry with a custom prefix, and forgets detached caches', async () => {
    const registry = new Registry();
    const exporter = new PrometheusExporter({ registry, prefix: 'app_cache_' });
    const cache = new InMemoryCache();
    const detach = exporter.attach(cache);
    await cache.set('k', 1);
    expect(await registry.metrics()).toContain('app_cache_l1_entries{namespace="default"} 1');
    detach();
    expect(await registry.metrics()).not.toContain('app_cache_l1_entries{namespace="default"}');
    expect(exporter.contentType).toContain('text/plain');
  });

  it('rejects an invalid prefix', () => {
    expect(() => new PrometheusExporter({ prefix: 'bad-prefix' })).toThrow(
      'prefix must be a valid Prometheus metric name prefix',
    );
  });
});
