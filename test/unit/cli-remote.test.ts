import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';

/** Canned answers per route (path + query), and the requests seen: the CLI's side of odd service answers. */
const answers = new Map<string, { status: number; body: unknown }>();
const seen: string[] = [];

describe('CLI commands against canned service answers', () => {
  let server: Server;
  let url: string;
  const invoke = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      args,
      { TIERCACHE_URL: url, API_KEY: 'k' },
      (s) => out.push(s),
      (s) => err.push(s),
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const answer = (route: string, body: unknown, status = 200) => answers.set(route, { status, body });

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      const found = answers.get(request.url ?? '') ?? {
        status: 404,
        body: { detail: { message: 'no such route' } },
      };
      response.writeHead(found.status, { 'content-type': 'application/json' });
      response.end(typeof found.body === 'string' ? found.body : JSON.stringify(found.body));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it('health: a degraded cache shows its reason (exit 1); an error body is a one-line error', async () => {
    answer(
      '/health',
      {
        status: 'degraded',
        version: '1',
        cache: {
          type: 'redis',
          redis: 'degraded',
          l1_entries: 1200,
          breaker: 'open',
          reason: 'ECONNREFUSED',
        },
      },
      200,
    );
    const degraded = await invoke(['health']);
    expect(degraded.code).toBe(1);
    expect(degraded.out).toMatch(/^degraded\s+redis\s+degraded\s+open\s+1,200\s+1$/m);
    expect(degraded.out).toMatch(/^reason: ECONNREFUSED$/m);
    answer(
      '/health',
      { success: false, error_code: 'E_UNHEALTHY', detail: { message: 'cache is unhealthy' } },
      503,
    );
    expect(await invoke(['health'])).toMatchObject({
      code: 1,
      err: 'error: /health: HTTP 503 cache is unhealthy',
    });
    answer('/health', 'not json', 502);
    expect(await invoke(['health'])).toMatchObject({ code: 1, err: 'error: /health: HTTP 502 not json' });
  });

  it('status: a Redis cache with security and AI figures, an L1-less cache, a memory fallback', async () => {
    answer('/internal/cache/status', {
      redis: { status: 'connected', keys: 1, memory_used_bytes: 2_500_000, connected_clients: 1 },
      memory: { status: 'disabled' },
      performance: { cache_type: 'ai', hit_rate: 50, hits: 1, misses: 1 },
      security: {
        security_level: 'high',
        tls_enabled: true,
        has_authentication: true,
        encryption_enabled: true,
      },
      ai_metrics: { hit_rate: 40, total_requests: 10, time_saved_ms: 218021.47 },
    });
    const ai = await invoke(['status']);
    expect(ai.out).toMatch(/^redis\s+connected, 1 client$/m);
    expect(ai.out).toMatch(/^\s+1 key under this cache's prefix$/m);
    expect(ai.out).toMatch(/^\s+2\.5 MB Redis server memory \(all keys, not only this cache's\)$/m);
    expect(ai.out).toMatch(/^L1\s+disabled$/m);
    expect(ai.out).toMatch(/^security\s+high \(TLS, auth, encryption\)$/m);
    expect(ai.out).toMatch(/^AI hit rate\s+40 % of 10 requests \(since start\), time saved 3 min 38 s$/m);
    expect(ai.out).not.toContain('traffic');
    answer('/internal/cache/status', {
      redis: { status: 'degraded', message: 'Redis is unreachable', keys: 0 },
      memory: { status: 'active', entries: 0, max_size: 10, utilization_percent: 0, memory_usage: 0 },
      performance: { cache_type: 'redis', hits: 0, misses: 0 },
      security: { security_level: 'low' },
    });
    const degraded = await invoke(['status']);
    expect(degraded.out).toMatch(/^redis\s+degraded: Redis is unreachable$/m);
    expect(degraded.out).not.toContain('under this cache');
    expect(degraded.out).toMatch(/^hit rate\s+no gets yet$/m);
    expect(degraded.out).toMatch(/^security\s+low \(none\)$/m);
    answer('/internal/cache/status', {
      redis: {
        status: 'disconnected',
        fallback_reason: 'Redis unreachable at start',
        message: 'Redis unreachable at start',
      },
      memory: { status: 'active', entries: 1, max_size: 10, utilization_percent: 10, memory_usage: 10 },
      performance: { cache_type: 'memory_only', hits: 1, misses: 0, hit_rate: 100 },
      windows: [{ window_seconds: 60, hit_rate: null, operations_per_second: 0 }],
    });
    const fallback = await invoke(['status']);
    expect(fallback.out).toMatch(/^fallback\s+Redis unreachable at start$/m);
    expect(fallback.out).toMatch(/^\s+no gets \(last 1 min\)$/m);
  });

  it('inspect: a grace-only copy, a copy without tags, and no value request unless --value', async () => {
    answer('/internal/cache/inspect?key=g', {
      key: 'g',
      tiers: [],
      grace_only: true,
      ttl_seconds: 30,
      size_bytes: 2048,
      codec: { format: 'tagged-json', compression: 'brotli', encrypted: false, grace: true },
    });
    const grace = await invoke(['inspect', 'g']);
    expect(grace.out).toMatch(/^tiers\s+redis, fresh or in its grace period \(a getOrSet entry with grace/m);
    expect(grace.out).toMatch(/^ttl\s+30 s \(Redis TTL, grace period included\)$/m);
    expect(grace.out).toMatch(/^size\s+2 kB \(as stored in Redis, after compression and encryption\)$/m);
    expect(grace.out).toMatch(
      /^tags\s+not known here \(Redis keeps tags in its tag sets; invalidate --tag uses them\)$/m,
    );
    expect(grace.out).toMatch(
      /^codec\s+tagged-json, brotli compression, not encrypted, with a grace period$/m,
    );
    answer('/internal/cache/inspect?key=l', {
      key: 'l',
      tiers: [],
      grace_only: true,
      ttl_seconds: 0,
      tags: [],
    });
    const local = await invoke(['inspect', 'l']);
    expect(local.out).toMatch(/^ttl\s+expired \(kept for the grace period\)$/m);
    expect(local.out).toMatch(/^tiers\s+none fresh: only a grace copy, past its TTL/m);
    expect(local.out).toMatch(/^tags\s+none$/m);
    answer('/internal/cache/inspect?key=n&value=true', { key: 'n', tiers: [], value: null });
    expect((await invoke(['inspect', 'n', '--value'])).out).toBe(
      'key    n\ntiers  not cached\n\nvalue:\nnone (not cached)',
    );
    expect(seen).toContain('GET /internal/cache/inspect?key=g');
    expect(seen).toContain('GET /internal/cache/inspect?key=n&value=true');
    expect(
      seen.filter((r) => r.includes('inspect') && !r.includes('key=n')).every((r) => !r.includes('value')),
    ).toBe(true);
  });

  it('keys: every key (no pattern) cut by the limit; a cache that cannot list keys', async () => {
    answer('/internal/cache/keys?pattern=&limit=1', { pattern: '', keys: ['a'], truncated: true });
    expect(await invoke(['keys', '--limit', '1'])).toMatchObject({
      code: 0,
      out: 'a',
      err: 'the first 1 key shown; more are in the cache (raise --limit, at most 10,000)',
    });
    answer('/internal/cache/keys?pattern=a&limit=100', { pattern: 'a', keys: ['a'], truncated: false });
    expect((await invoke(['keys', 'a'])).err).toBe("1 key matches 'a'");
    answer(
      '/internal/cache/keys?pattern=x&limit=100',
      { detail: { message: 'this cache cannot list its keys' } },
      501,
    );
    expect(await invoke(['keys', 'x'])).toMatchObject({
      code: 1,
      err: 'error: /internal/cache/keys: HTTP 501 this cache cannot list its keys',
    });
  });

  it('invalidate: one key, and a service that answers 503 (Redis away)', async () => {
    answer('/internal/cache/invalidate?pattern=k&dry_run=true', { keys_invalidated: 1 });
    expect((await invoke(['invalidate', 'k', '--dry-run'])).out).toBe(
      "1 key matches 'k' (dry run: nothing removed)",
    );
    answer('/internal/cache/invalidate?pattern=', { keys_invalidated: 0, pattern: '' }, 200);
    expect((await invoke(['invalidate', '--all', ''])).out).toBe(
      'invalidated 0 keys: every key of the cache (--all)',
    );
    answer(
      '/internal/cache/invalidate?pattern=u',
      { detail: { message: 'Redis is unavailable: 2 keys were invalidated in this process' } },
      503,
    );
    expect(await invoke(['invalidate', 'u'])).toMatchObject({
      code: 1,
      err: 'error: /internal/cache/invalidate: HTTP 503 Redis is unavailable: 2 keys were invalidated in this process',
    });
  });

  it('metrics: L1 memory and the Redis server memory side by side, never added up', async () => {
    answer('/internal/cache/metrics', {
      cache_hit_rate: 87.6,
      cache_hits: 876,
      cache_misses: 124,
      total_cache_operations: 1200,
      retention_hours: 24,
      cache_operations: { by_operation: { get: { count: 1, p50_ms: 0.04, p95_ms: 2.5, p99_ms: 1200 } } },
      memory_usage: {
        current: { l1_entries: 99, l1_bytes: 7823, redis_bytes: 1_854_072, total_bytes: 1_861_895 },
      },
    });
    const { out } = await invoke(['metrics']);
    expect(out).toMatch(/^hit rate 87\.6 % of 1,000 gets, 1,200 operations \(since start\)$/m);
    expect(out).toMatch(/^latency of the timed operations kept \(last 1 d; in-process gets are sampled\)$/m);
    expect(out).toMatch(/^get\s+1\s+40 µs\s+2\.5 ms\s+1\.2 s$/m);
    expect(out).toMatch(
      /^memory: L1 7\.8 kB \(99 entries\); 1\.9 MB Redis server memory \(all keys, not only this cache's\)$/m,
    );
    expect(out).not.toContain('1.86');
  });

  it('metrics without samples is the hit-rate line only', async () => {
    answer('/internal/cache/metrics', {
      cache_hit_rate: 0,
      cache_hits: 0,
      cache_misses: 0,
      total_cache_operations: 0,
    });
    expect((await invoke(['metrics'])).out).toBe('hit rate 0 % of 0 gets, 0 operations (since start)');
  });
});
