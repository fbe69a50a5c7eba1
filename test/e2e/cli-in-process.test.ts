import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { serve } from '../../src/http/serve.js';

const KEY = 'in-process-key';

/** The operator commands in this process against a real socket, so their paths count in coverage. */
describe('CLI operator commands in process, against `serve` on a real socket (memory cache)', () => {
  let app: FastifyInstance;
  let url: string;
  const invoke = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      args,
      { TIERCACHE_URL: url, ...env },
      (s) => out.push(s),
      (s) => err.push(s),
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    ({ app, url } = await serve(
      { CACHE_PRESET: 'simple', API_KEY: KEY, LOG_LEVEL: 'silent' },
      { host: '127.0.0.1', port: 0 },
    ));
    await app.cache.setMany(['a:1', 'a:2', 'b:1'].map((key) => ({ key, value: key })));
    await app.cache.get('a:1');
    await app.cache.get('zzz');
  });
  afterAll(async () => {
    await app.close();
  });

  it('health and status read a memory-only service', async () => {
    const health = await invoke(['health']);
    expect(health.code).toBe(0);
    expect(health.out).toMatch(/healthy\s+memory\s+not_configured\s+not_configured/);
    const status = await invoke(['status']);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/cache type\s+memory/);
    expect(status.out).toMatch(/hit rate\s+50 % of 2 gets \(since start\)/);
  });

  it('metrics lists operations with percentiles; --prometheus prints the exposition', async () => {
    const metrics = await invoke(['metrics']);
    expect(metrics.out).toMatch(/^operation\s+samples\s+p50\s+p95\s+p99/m);
    expect(metrics.out).toMatch(/^set_many\s+1\s+[\d.]+ (µs|ms|s)/m);
    const prometheus = await invoke(['metrics', '--prometheus', '--json']);
    expect(JSON.parse(prometheus.out).prometheus).toContain('tiercache_l1_entries');
  });

  it('invalidate: dry run, real run, and a refused key', async () => {
    expect((await invoke(['invalidate', 'a:*', '--dry-run'], { API_KEY: KEY })).out).toBe(
      "2 keys match 'a:*' (dry run: nothing removed)",
    );
    expect((await invoke(['invalidate', 'a:*', '--api-key', KEY])).out).toBe(
      "invalidated 2 keys matching 'a:*'",
    );
    expect(await app.cache.get('a:1')).toBeUndefined();
    const refused = await invoke(['invalidate', 'b:*', '--api-key', 'wrong', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toStrictEqual({
      ok: false,
      error: '/internal/cache/invalidate: Invalid API key (use --api-key or API_KEY)',
    });
  });

  it('reports an HTTP error of the service on one line', async () => {
    const bad = await invoke(['invalidate', 'x'.repeat(1025), '--api-key', KEY]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error: \/internal\/cache\/invalidate: HTTP 400 /);
  });
});
