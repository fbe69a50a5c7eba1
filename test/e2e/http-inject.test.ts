import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../src/config/config-schema.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { buildServer } from '../../src/http/server.js';
import { tiercachePlugin } from '../../src/http/plugin.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
const server = async (options: Parameters<typeof buildServer>[0] = {}) => {
  const app = await buildServer({
    logger: false,
    factory: new CacheFactory({ logger: silentLogger }),
    env: {},
    ...options,
  });
  apps.push(app);
  return app;
};
const KEY = 'k-0123456789abcdef';
const withKeys = () => server({ apiKeys: [KEY, 'second-key'] });

describe('HTTP API in process (inject), no Redis', () => {
  it.each(PRESET_NAMES)('serves health, status and metrics for preset %s', async (preset) => {
    const app = await server({ env: { CACHE_PRESET: preset } });
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'healthy',
      cache: { redis: 'not_configured', type: preset.startsWith('ai') ? 'ai' : 'memory' },
    });
    const status = (await app.inject('/internal/cache/status')).json();
    // As the original reports a memory-only cache (issue 20: its own E2E tests check these).
    expect(status.redis).toMatchObject({
      status: 'disconnected',
      message: 'InMemoryCache does not use Redis backend',
    });
    expect(status.performance.cache_type).toBe('memory_only');
    expect(status.memory).toMatchObject({ status: 'active', entries: 0 });
    expect(status.ai_metrics !== undefined).toBe(preset.startsWith('ai'));
    const metrics = await app.inject('/internal/cache/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.json()).toMatchObject({ retention_hours: 1, cache_hits: 0 });
  });

  it('counts cache traffic in status, metrics and Prometheus, consistently across requests', async () => {
    const cache = new InMemoryCache({ maxSize: 20 });
    const app = await server({ cache });
    await cache.set('user:1', { name: 'a' });
    await cache.get('user:1');
    await cache.get('user:2');
    const first = (await app.inject('/internal/cache/status')).json();
    const second = (await app.inject('/internal/cache/status')).json();
    expect(first.performance).toStrictEqual(second.performance);
    expect(first.performance).toMatchObject({ hits: 1, misses: 1, hit_rate: 50, cache_type: 'memory_only' });
    expect(first.memory).toMatchObject({ entries: 1, max_size: 20, utilization_percent: 5 });
    const metrics = (await app.inject('/internal/cache/metrics')).json();
    expect(metrics).toMatchObject({
      cache_hits: 1,
      cache_misses: 1,
      cache_hit_rate: 50,
      total_cache_operations: 3,
    });
    expect(metrics.memory_usage.current.l1_entries).toBe(1);
    const prom = await app.inject('/internal/cache/metrics/prometheus');
    expect(prom.headers['content-type']).toContain('text/plain');
    expect(prom.body).toContain('tiercache_hits_total{tier="memory",namespace="default"} 1');
  });

  it('invalidates by pattern, with a dry run first, and records it', async () => {
    const cache = new InMemoryCache();
    const app = await server({ cache });
    await cache.setMany(['user:1', 'user:2', 'post:1'].map((key) => ({ key, value: 1 })));
    const dry = await app.inject({
      method: 'POST',
      url: '/internal/cache/invalidate?pattern=user:*&dry_run=true',
    });
    expect(dry.json()).toStrictEqual({
      message: 'Cache invalidated for pattern: user:*',
      pattern: 'user:*',
      keys_invalidated: 2,
      dry_run: true,
    });
    expect(await cache.exists('user:1')).toBe(true);
    const real = await app.inject({
      method: 'POST',
      url: '/internal/cache/invalidate?pattern=user:*&operation_context=deploy',
    });
    expect(real.json()).toMatchObject({ keys_invalidated: 2, dry_run: false });
    expect(await cache.exists('user:1')).toBe(false);
    const stats = (await app.inject('/internal/cache/invalidation-stats')).json();
    expect(stats).toMatchObject({
      total_operations: 1,
      total_keys_invalidated: 2,
      frequency: { last_hour: 1 },
    });
    expect(stats.patterns.most_common_patterns).toStrictEqual([{ pattern: 'user:*', count: 1 }]);
    expect((await app.inject('/internal/cache/invalidation-recommendations')).json()).toStrictEqual({
      recommendations: [],
    });
  });

  it.each([
    ['', 200],
    ['*', 200],
    ['[', 200],
    ['\\', 200],
    ['😀|:?', 200],
    ['x'.repeat(1024), 200],
    ['x'.repeat(1025), 400],
  ])('handles the odd pattern %j without a 500', async (pattern, status) => {
    const app = await server();
    const response = await app.inject({
      method: 'POST',
      url: '/internal/cache/invalidate',
      query: { pattern },
    });
    expect(response.statusCode).toBe(status);
    if (status === 400) expect(response.json()).toMatchObject({ success: false, error_code: 'E_VALIDATION' });
  });

  it('answers bad queries with 400 and unknown routes with 404, in the error body', async () => {
    const app = await server();
    const bad = await app.inject({
      method: 'POST',
      url: '/internal/cache/invalidate?pattern=x&dry_run=perhaps',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      success: false,
      error: 'Bad Request',
      error_code: 'E_VALIDATION',
      detail: { message: expect.stringContaining('dry_run') },
    });
    expect(
      (await app.inject({ method: 'POST', url: '/internal/cache/invalidate?pattern=x&colour=red' }))
        .statusCode,
    ).toBe(400);
    const unknown = await app.inject('/internal/cache/nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ success: false, error_code: 'E_NOT_FOUND' });
    expect((await app.inject({ method: 'DELETE', url: '/health' })).statusCode).toBe(404);
  });

  it('issue 20: invalidate without pattern behaves as the original: an empty pattern, every key', async () => {
    const cache = new InMemoryCache();
    const app = await server({ cache });
    await cache.set('a', 1);
    await cache.set('b', 2);
    const dry = await app.inject({ method: 'POST', url: '/internal/cache/invalidate?dry_run=true' });
    expect(dry.json()).toStrictEqual({
      message: 'Cache invalidated for pattern: ',
      pattern: '',
      keys_invalidated: 2,
      dry_run: true,
    });
    const missing = await app.inject({ method: 'POST', url: '/internal/cache/invalidate' });
    expect(missing.statusCode).toBe(200);
    expect(missing.json()).toStrictEqual({
      message: 'Cache invalidated for pattern: ',
      pattern: '',
      keys_invalidated: 2,
      dry_run: false,
    });
    expect(await cache.get('a')).toBeUndefined();
  });

  it('publishes an OpenAPI document of the routes', async () => {
    const app = await server();
    const doc = (await app.inject('/documentation/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/internal/cache/status',
        '/internal/cache/invalidate',
        '/internal/cache/invalidation-stats',
        '/internal/cache/invalidation-recommendations',
        '/internal/cache/metrics',
        '/internal/cache/metrics/prometheus',
      ]),
    );
    expect(
      doc.paths['/internal/cache/invalidate'].post.parameters.map((p: { name: string }) => p.name).sort(),
    ).toStrictEqual(['dry_run', 'operation_context', 'pattern']);
  });
});

describe('HTTP API authentication (SPEC §9 and the original guide)', () => {
  const invalidate = (app: FastifyInstance, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/internal/cache/invalidate?pattern=x', headers });

  it('requires a key to invalidate', async () => {
    const app = await withKeys();
    const response = await invalidate(app, {});
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.json()).toMatchObject({
      success: false,
      error_code: 'E_AUTHENTICATION',
      detail: {
        message: "API key required. Provide it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
      },
    });
  });

  it('treats an empty Bearer as no key', async () => {
    const app = await withKeys();
    expect((await invalidate(app, { authorization: 'Bearer ' })).json().detail.message).toContain(
      'API key required',
    );
    expect((await invalidate(app, { authorization: 'Bearer   ', 'x-api-key': KEY })).statusCode).toBe(200);
  });

  it('rejects a wrong key without echoing any of it', async () => {
    const app = await withKeys();
    const response = await invalidate(app, { authorization: 'Bearer k-0123456789abcdeX' });
    expect(response.statusCode).toBe(401);
    expect(response.json().detail.message).toBe('Invalid API key');
    expect(response.body).not.toContain('k-0123');
  });

  it('accepts a valid Bearer key, a valid X-API-Key, and any configured key', async () => {
    const app = await withKeys();
    expect((await invalidate(app, { authorization: `Bearer ${KEY}` })).statusCode).toBe(200);
    expect((await invalidate(app, { 'x-api-key': KEY })).statusCode).toBe(200);
    expect((await invalidate(app, { 'x-api-key': 'second-key' })).statusCode).toBe(200);
  });

  it('lets Bearer win over X-API-Key', async () => {
    const app = await withKeys();
    expect((await invalidate(app, { authorization: 'Bearer wrong', 'x-api-key': KEY })).statusCode).toBe(401);
    expect((await invalidate(app, { authorization: `Bearer ${KEY}`, 'x-api-key': 'wrong' })).statusCode).toBe(
      200,
    );
  });

  it('lets reads through without a key but checks a key that is given', async () => {
    const app = await withKeys();
    expect((await app.inject('/internal/cache/status')).statusCode).toBe(200);
    expect(
      (await app.inject({ url: '/internal/cache/metrics', headers: { 'x-api-key': 'nope' } })).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ url: '/internal/cache/metrics', headers: { 'x-api-key': KEY } })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: '/health', headers: { 'x-api-key': 'nope' } })).statusCode).toBe(200);
  });

  it('reads keys from API_KEY and ADDITIONAL_API_KEYS, and refuses to start in production without any', async () => {
    const app = await server({ env: { API_KEY: ' main ', ADDITIONAL_API_KEYS: 'a, b ,,' } });
    expect((await invalidate(app, { 'x-api-key': 'b' })).statusCode).toBe(200);
    expect((await invalidate(app, { 'x-api-key': 'main' })).statusCode).toBe(200);
    await expect(buildServer({ logger: false, env: { NODE_ENV: 'production' } })).rejects.toThrow(
      'no API keys configured: set API_KEY (and optionally ADDITIONAL_API_KEYS) before starting in production',
    );
  });

  it('issue 19 item 8: refuses production API keys shorter than 16 characters, never echoing them', async () => {
    const short = buildServer({ logger: false, env: { NODE_ENV: 'production', API_KEY: 'k' } });
    await expect(short).rejects.toThrow('1 API key(s) shorter than 16 characters');
    const error = await buildServer({
      logger: false,
      env: { NODE_ENV: 'production', API_KEY: 'a-long-enough-key-1', ADDITIONAL_API_KEYS: 'tiny-secret' },
    }).catch((e: unknown) => e as Error);
    expect((error as Error).message).not.toContain('tiny-secret');
    const app = await buildServer({
      logger: false,
      env: { NODE_ENV: 'production', API_KEY: 'a-long-enough-key-1' },
      cache: new InMemoryCache({ logger: silentLogger }),
    });
    await app.close();
  });
});

describe('tiercachePlugin', () => {
  it('decorates fastify.cache once and refuses a second registration clearly', async () => {
    const app = Fastify({ logger: false });
    apps.push(app);
    await app.register(tiercachePlugin, { cache: new InMemoryCache() });
    await expect(app.register(tiercachePlugin, { cache: new InMemoryCache() })).rejects.toThrow(
      'tiercachePlugin is already registered here (fastify.cache exists): register it once per instance',
    );
  });

  it('leaves a user-supplied cache open and closes the one it built', async () => {
    const mine = new InMemoryCache();
    const app = Fastify({ logger: false });
    await app.register(tiercachePlugin, { cache: mine });
    await mine.set('k', 1);
    await app.close();
    expect(await mine.get('k')).toBe(1);
    const built = Fastify({ logger: false });
    await built.register(tiercachePlugin, {
      env: { CACHE_PRESET: 'simple' },
      factory: new CacheFactory({ logger: silentLogger }),
    });
    await built.ready();
    await built.cache.set('k', 1);
    expect(await built.cache.get('k')).toBe(1);
    await built.close();
    expect(await built.cache.get('k')).toBeUndefined(); // closed: its entries were dropped
  });
});
