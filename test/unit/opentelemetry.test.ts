import * as api from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { instrumentOpenTelemetry } from '../../src/monitoring/opentelemetry.js';

describe('OpenTelemetry spans from the tracing channels', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  api.trace.setGlobalTracerProvider(provider);
  afterAll(() => api.trace.disable());

  it('records one span per operation, an error status on failure, and no keys by default', async () => {
    const stop = await instrumentOpenTelemetry({ api });
    const cache = new InMemoryCache();
    await cache.set('user:1', 1);
    await cache.get('user:1');
    await expect(cache.set('', 1)).rejects.toThrow();
    stop();
    await cache.get('after-stop');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toStrictEqual(['tiercache.set', 'tiercache.get', 'tiercache.set']);
    expect(spans[0]?.attributes).toStrictEqual({ 'tiercache.operation': 'set', 'tiercache.cache': 'memory' });
    expect(spans[2]?.status.code).toBe(api.SpanStatusCode.ERROR);
    exporter.reset();
  });

  it('puts keys on spans only when asked', async () => {
    const stop = await instrumentOpenTelemetry({ api, includeKeys: true });
    await new InMemoryCache().get('visible');
    stop();
    expect(exporter.getFinishedSpans()[0]?.attributes['tiercache.key']).toBe('visible');
    exporter.reset();
  });

  it('imports the API itself when not given one', async () => {
    const stop = await instrumentOpenTelemetry();
    await new InMemoryCache().get('k');
    stop();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    exporter.reset();
  });

  it('publishes start and end on tiercache:<operation> channels for any subscriber', async () => {
    const seen: string[] = [];
    const onStart = (message: unknown) => seen.push(`start:${(message as { operation: string }).operation}`);
    subscribe('tracing:tiercache:get:start', onStart);
    await new InMemoryCache().get('k');
    unsubscribe('tracing:tiercache:get:start', onStart);
    expect(seen).toStrictEqual(['start:get']);
  });
});
