import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run, type RunContext } from '../../src/cli/run.js';
import { silentLogger } from '../../src/core/logger.js';
import { buildServer } from '../../src/http/server.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { getFreePort, startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { redisBinary, uniquePrefix } from '../helpers/redis.js';

const KEY = 'observability-operator-key';
const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');

/** The real service (Fastify, routes, monitor) over a socket, serving the cache given. */
async function startService(
  cache: InMemoryCache | GenericRedisCache,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildServer({ cache, env: {}, apiKeys: [KEY], logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

/** The CLI in this process, its two streams captured. */
function cliAgainst(url: () => string) {
  return async (args: string[], env: Record<string, string> = {}, context: RunContext = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      args,
      { TIERCACHE_URL: url(), ...env },
      (s) => out.push(s),
      (s) => err.push(s),
      context,
    );
    return { code, out: out.join('\n'), err: err.join('\n'), frames: out };
  };
}

describe('CLI observability commands against the real service (InMemoryCache)', () => {
  let cache: InMemoryCache;
  let app: FastifyInstance;
  let url: string;
  const cli = cliAgainst(() => url);
  const authed = { API_KEY: KEY };

  beforeAll(async () => {
    cache = new InMemoryCache({ maxSize: 5000, hotKeys: { sampleRate: 1 }, logger: silentLogger });
    ({ app, url } = await startService(cache));
    await cache.set('user:1', { name: 'Ada' }, { ttl: '2h', tags: ['users', 'org:1'] });
    await cache.set('user:2', { name: 'Bob' }, { tags: ['users'] });
    await cache.set('user:3', 'x'.repeat(5000), { tags: ['big'] });
    await cache.set('post:1', 'hello');
    for (let i = 0; i < 3; i++) await cache.get('user:1');
    await cache.get('missing');
  });
  afterAll(async () => {
    await app.close();
    await cache.close();
  });

  it('status labels each figure with its scope or window, humanised', async () => {
    const { code, out } = await cli(['status']);
    expect(code).toBe(0);
    expect(out).toMatch(/^cache type\s+memory_only$/m);
    expect(out).toMatch(/^redis\s+not used \(InMemoryCache does not use Redis backend\)$/m);
    expect(out).toMatch(/^memory\s+4 \/ 5,000 entries \(0\.1 %\), [\d.]+ kB$/m);
    expect(out).toMatch(/^hit rate\s+75 % of 4 gets \(since start\)$/m);
    expect(out).toMatch(/^\s+75 % \(last 1 min\), 75 % \(last 5 min\)$/m);
    expect(out).toMatch(/^traffic\s+operations [\d.]+\/s, gets [\d.]+\/s \(last 1 min\)$/m);
    expect(out).toMatch(/^errors\s+0\/s \(timeouts 0\/s\), stale serves 0\/s \(last 1 min\)$/m);
    expect(out).toMatch(/^hot keys\s+user:1 \(~3 reads\), missing \(~1 read\) \(since start, sampled\)$/m);
    const json = JSON.parse((await cli(['status', '--json'])).out);
    expect(json.performance).toMatchObject({ hit_rate: 75, hits: 3, misses: 1 });
    expect(json.windows.map((w: { window_seconds: number }) => w.window_seconds)).toStrictEqual([60, 300]);
  });

  it('top --once prints one frame of windowed figures, latency per tier and hot keys; --json the raw status', async () => {
    const { code, out, frames } = await cli(['top', '--once']);
    expect(code).toBe(0);
    expect(frames).toHaveLength(1);
    expect(out).not.toContain('\x1b[');
    expect(out).not.toContain('Ctrl-C');
    expect(out).toMatch(
      /^tiercache top {2}http:\/\/127\.0\.0\.1:\d+ {2}memory_only cache {2}\d\d:\d\d:\d\d$/m,
    );
    expect(out).toMatch(/^\s+last 1 min\s+last 5 min$/m);
    expect(out).toMatch(/^hit rate\s+75 %\s+75 %$/m);
    expect(out).toMatch(/^L1 hit rate\s+–\s+–$/m);
    expect(out).toMatch(/^errors\s+0\/s\s+0\/s$/m);
    expect(out).toMatch(/^stale serves\s+0\/s\s+0\/s$/m);
    expect(out).toMatch(/^operations\/s \(last 60 s\)\s+[▁▂▃▄▅▆▇█]{60} {2}max \d+\/s$/m);
    expect(out).toMatch(/^latency per tier \(last 1 min; timed samples\)$/m);
    expect(out).toMatch(/^memory\s+\d+\s+[\d.]+ (µs|ms)\s+[\d.]+ (µs|ms)/m);
    expect(out).toMatch(/^user:1\s+3$/m);
    expect(out).toMatch(/^memory\s+4 \/ 5,000 entries/m);
    const json = await cli(['top', '--once', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({
      performance: { cache_type: 'memory_only' },
      hot_keys: [{ key: 'user:1' }, { key: 'missing' }],
    });
  });

  it('inspect shows tiers, TTL, size and tags, never the value unless --value', async () => {
    const human = await cli(['inspect', 'user:1'], authed);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^key\s+user:1$/m);
    expect(human.out).toMatch(/^tiers\s+memory$/m);
    expect(human.out).toMatch(/^ttl\s+(2 h|1 h 5\d min)$/m);
    expect(human.out).toMatch(/^size\s+\d+ B \(in-process estimate\)$/m);
    expect(human.out).toMatch(/^tags\s+users, org:1$/m);
    expect(human.out).not.toContain('Ada');
    expect(JSON.parse((await cli(['inspect', 'user:1', '--json'], authed)).out)).not.toHaveProperty('value');
    const big = await cli(['inspect', 'user:3'], authed);
    expect(big.out).toMatch(/^size\s+[\d.]+ kB \(in-process estimate\)$/m);
    const withValue = await cli(['inspect', 'user:1', '--value'], authed);
    expect(withValue.out).toMatch(/\n\nvalue:\n\{\n {2}"name": "Ada"\n\}$/);
    const json = JSON.parse((await cli(['inspect', 'user:1', '--value', '--json'], authed)).out);
    expect(json).toMatchObject({
      key: 'user:1',
      tiers: ['memory'],
      tags: ['users', 'org:1'],
      value: { name: 'Ada' },
    });
    expect(json.ttl_seconds).toBeGreaterThan(3600);
    const absent = await cli(['inspect', 'nope'], authed);
    expect(absent).toMatchObject({ code: 0, out: 'key    nope\ntiers  not cached' });
  });

  it('keys lists the matches on stdout, the count on stderr, and says when --limit cut the list', async () => {
    const users = await cli(['keys', 'user:*'], authed);
    expect(users.code).toBe(0);
    expect(users.out.split('\n').sort()).toStrictEqual(['user:1', 'user:2', 'user:3']);
    expect(users.err).toBe("3 keys match 'user:*'");
    const cut = await cli(['keys', 'user:*', '--limit', '2'], authed);
    expect(cut.out.split('\n')).toHaveLength(2);
    expect(cut.err).toBe("the first 2 keys shown; more match 'user:*' (raise --limit, at most 10,000)");
    const none = await cli(['keys', 'zzz'], authed);
    expect(none).toMatchObject({ code: 0, out: '', err: "no key matches 'zzz'" });
    const all = await cli(['keys'], authed);
    expect(all.out.split('\n')).toHaveLength(4);
    expect(all.err).toBe('4 keys in the cache');
    const json = JSON.parse((await cli(['keys', 'post', '--json'], authed)).out);
    expect(json).toStrictEqual({ pattern: 'post', keys: ['post:1'], truncated: false });
  });

  it('the key routes need the API key: a one-line error, exit 1', async () => {
    for (const args of [
      ['keys', 'user:*'],
      ['inspect', 'user:1'],
      ['invalidate', '--tag', 'users'],
    ]) {
      const { code, err } = await cli(args);
      expect(code).toBe(1);
      expect(err).toMatch(
        /^error: \/internal\/cache\/[a-z/]+: API key required\. .* \(use --api-key or API_KEY\)$/,
      );
    }
    const json = await cli(['inspect', 'user:1', '--api-key', 'wrong', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toStrictEqual({
      ok: false,
      error: '/internal/cache/inspect: Invalid API key (use --api-key or API_KEY)',
    });
  });

  it('usage errors exit 2 with the usage on stderr', async () => {
    const cases: [string[], string][] = [
      [['keys', '--limit', '0'], "--limit must be a whole number from 1 to 10000, got '0'"],
      [['keys', '--limit', 'lots'], "--limit must be a whole number from 1 to 10000, got 'lots'"],
      [['keys', 'a', 'b'], 'unexpected argument: b'],
      [['inspect'], 'missing argument'],
      [['inspect', ''], 'the key must not be empty'],
      [['top', '--interval', 'soon'], "--interval must be a duration such as 2s, 500ms or 1m, got 'soon'"],
      [['top', '--interval', '50ms'], "--interval must be at least 200ms, got '50ms'"],
      [
        ['invalidate', '--tag', 'a', 'user:*'],
        '--tag invalidates by tags: give no pattern and no --all with it',
      ],
      [['invalidate', '--tag', 'a', '--dry-run'], '--dry-run and --context are not available with --tag'],
      [['invalidate', '--tag', 'a,,b'], "--tag needs tag names (comma-separated, none empty), got 'a,,b'"],
      [['invalidate', '--all', 'user:*'], "give a pattern or --all, not both (got 'user:*' and --all)"],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args, authed);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toContain(message);
      expect(result.err).toContain(`usage: tiercache ${args[0]}`);
      expect(result.out).toBe('');
    }
  });

  it('an unreachable service is exit 1 for every command', async () => {
    const down = `http://127.0.0.1:${await getFreePort()}`;
    for (const args of [
      ['keys'],
      ['inspect', 'k'],
      ['top', '--once'],
      ['invalidate', '--tag', 't'],
      ['status'],
    ]) {
      const result = await cli([...args, '--url', down], authed);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.err).toBe(`error: cannot reach ${down}: ECONNREFUSED`);
    }
    const json = await cli(['top', '--once', '--json', '--url', down]);
    expect(JSON.parse(json.out)).toStrictEqual({ ok: false, error: `cannot reach ${down}: ECONNREFUSED` });
  });

  it('top redraws in place on a terminal and stops cleanly when interrupted', async () => {
    const controller = new AbortController();
    const frames: string[] = [];
    const running = run(
      ['top', '--interval', '200ms'],
      { TIERCACHE_URL: url },
      (s) => frames.push(s),
      () => undefined,
      { isTTY: true, interrupted: () => controller.signal },
    );
    await vi.waitFor(() => expect(frames.length).toBeGreaterThanOrEqual(2), {
      timeout: 10_000,
      interval: 20,
    });
    controller.abort();
    expect(await running).toBe(0);
    for (const frame of frames) {
      expect(frame.startsWith('\x1b[H\x1b[2J')).toBe(true);
      expect(frame).toContain('(every 200 ms; Ctrl-C quits)');
    }
  });

  it('top without a terminal prints frame after frame; --json prints one status line a frame', async () => {
    const live = (args: string[]) => {
      const controller = new AbortController();
      const frames: string[] = [];
      const running = run(
        args,
        { TIERCACHE_URL: url },
        (s) => frames.push(s),
        () => undefined,
        { isTTY: false, interrupted: () => controller.signal },
      );
      return { frames, running, stop: () => controller.abort() };
    };
    const plain = live(['top', '--interval', '200ms']);
    const json = live(['top', '--interval', '0.2s', '--json']);
    await vi.waitFor(
      () => {
        expect(plain.frames.length).toBeGreaterThanOrEqual(2);
        expect(json.frames.length).toBeGreaterThanOrEqual(2);
      },
      { timeout: 10_000, interval: 20 },
    );
    plain.stop();
    json.stop();
    expect(await plain.running).toBe(0);
    expect(await json.running).toBe(0);
    for (const [i, frame] of plain.frames.entries()) {
      expect(frame).not.toContain('\x1b[');
      expect(frame.startsWith(i === 0 ? 'tiercache top' : '\ntiercache top')).toBe(true);
    }
    for (const line of json.frames) {
      expect(line).not.toContain('\n');
      expect(JSON.parse(line)).toHaveProperty('performance.cache_type', 'memory_only');
    }
  });

  it('the --all rule: no pattern or an empty one is refused (exit 2), --all sends the empty pattern', async () => {
    for (const args of [
      ['invalidate'],
      ['invalidate', ''],
      ['invalidate', '--dry-run'],
      ['invalidate', '', '--json'],
    ]) {
      const refused = await cli(args, authed);
      expect(refused.code, JSON.stringify(args)).toBe(2);
      expect(refused.err).toContain('the service reads a missing or empty pattern as EVERY key of the cache');
      expect(refused.err).toContain('Pass --all to invalidate every key');
      expect(refused.out).toBe('');
    }
    expect(cache.size).toBe(4);
    const dry = await cli(['invalidate', '--all', '--dry-run'], authed);
    expect(dry).toMatchObject({
      code: 0,
      out: '4 keys in the cache: --all would remove every one (dry run: nothing removed)',
    });
    expect(cache.size).toBe(4);
    const byTag = await cli(['invalidate', '--tag', 'big', '--tag', 'org:1'], authed);
    expect(byTag).toMatchObject({ code: 0, out: "invalidated 2 keys tagged 'big' or 'org:1'" });
    expect((await cli(['keys', 'user:*'], authed)).out).toBe('user:2');
    const tagJson = JSON.parse((await cli(['invalidate', '--tag', 'users,none', '--json'], authed)).out);
    expect(tagJson).toStrictEqual({
      message: 'Cache invalidated for tags: users, none',
      tags: ['users', 'none'],
      keys_invalidated: 1,
    });
    const all = await cli(['invalidate', '--all', '--context', 'test-wipe', '--json'], authed);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.out)).toMatchObject({ pattern: '', keys_invalidated: 1, dry_run: false });
    expect(cache.size).toBe(0);
    expect((await cli(['keys'], authed)).err).toBe('the cache is empty');
  });

  it('the built binary: Ctrl-C ends a live top with exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'top', '--interval', '200ms'], {
      env: { PATH: process.env.PATH ?? '', TIERCACHE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    await vi.waitFor(() => expect(stdout).toContain('latency per tier'), { timeout: 15_000, interval: 20 });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describe('top keeps drawing when the service goes away', () => {
  it('draws the error in the frame and retries; the first reading must succeed', async () => {
    const cache = new InMemoryCache({ logger: silentLogger });
    const { app, url } = await startService(cache);
    const controller = new AbortController();
    const frames: string[] = [];
    const running = run(
      ['top', '--interval', '200ms'],
      { TIERCACHE_URL: url },
      (s) => frames.push(s),
      () => undefined,
      { interrupted: () => controller.signal },
    );
    await vi.waitFor(() => expect(frames.length).toBeGreaterThanOrEqual(1), {
      timeout: 10_000,
      interval: 20,
    });
    await app.close();
    await vi.waitFor(() => expect(frames.at(-1)).toContain(`error: cannot reach ${url}: ECONNREFUSED`), {
      timeout: 10_000,
      interval: 20,
    });
    expect(frames.at(-1)).toContain('(retrying every 200 ms; Ctrl-C quits)');
    controller.abort();
    expect(await running).toBe(0);
    await cache.close();
  });
});

describe.runIf(redisBinary)('CLI observability commands against the real service (Redis)', () => {
  let redis: RedisServer;
  let cache: GenericRedisCache;
  let app: FastifyInstance;
  let url: string;
  const cli = cliAgainst(() => url);

  beforeAll(async () => {
    redis = await startRedisServer();
    cache = new GenericRedisCache({
      redisUrl: redis.url,
      keyPrefix: uniquePrefix('cli'),
      logger: silentLogger,
      commandTimeout: '5s',
      encryptionKey: Buffer.alloc(32, 7).toString('base64'),
      compressionThreshold: 100,
    });
    await cache.connect();
    ({ app, url } = await startService(cache));
    await cache.set('doc:1', { body: 'lorem ipsum '.repeat(200) }, { ttl: '10m', tags: ['docs'] });
    await cache.set('doc:2', 'short', { tags: ['docs'] });
  }, 30_000);
  afterAll(async () => {
    await app?.close();
    await cache?.close();
    await redis?.stop();
  });

  it('inspect shows both tiers, the stored size and the codec flags of the Redis copy', async () => {
    const { code, out } = await cli(['inspect', 'doc:1', '--api-key', KEY]);
    expect(code).toBe(0);
    expect(out).toMatch(/^tiers\s+l1, redis$/m);
    expect(out).toMatch(/^ttl\s+(10 min|9 min \d+ s)$/m);
    expect(out).toMatch(/^size\s+\d+ B \(as stored in Redis, after compression and encryption\)$/m);
    expect(out).toMatch(/^tags\s+docs \(of the in-process copy\)$/m);
    expect(out).toMatch(/^codec\s+json, deflate compression, encrypted \(key id \d+\)$/m);
    const small = await cli(['inspect', 'doc:2', '--api-key', KEY]);
    expect(small.out).toMatch(/^codec\s+json, uncompressed, encrypted \(key id \d+\)$/m);
    const json = JSON.parse((await cli(['inspect', 'doc:1', '--api-key', KEY, '--json'])).out);
    expect(json).toMatchObject({
      tiers: ['l1', 'redis'],
      codec: { format: 'json', compression: 'deflate', encrypted: true, grace: false },
    });
    expect(json).not.toHaveProperty('value');
  });

  it('status and top say which figures are this cache and which the whole Redis server', async () => {
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^cache type\s+redis$/m);
    expect(status.out).toMatch(/^redis\s+connected, \d+ clients?$/m);
    expect(status.out).toMatch(/^\s+2 keys under this cache's prefix$/m);
    expect(status.out).toMatch(
      /^\s+[\d.]+ (kB|MB) Redis server memory \(all keys, not only this cache's\)$/m,
    );
    expect(status.out).toMatch(/^L1\s+2 \/ [\d,]+ entries \([\d.]+ %\), [\d.]+ k?B$/m);
    expect(status.out).toMatch(/^security\s+medium \(encryption\)$/m);
    const top = await cli(['top', '--once']);
    expect(top.out).toMatch(/redis cache/);
    expect(top.out).toMatch(/^\s+2 keys under this cache's prefix$/m);
    const json = JSON.parse((await cli(['status', '--json'])).out);
    expect(json.redis).toMatchObject({ status: 'connected', keys: 2 });
    expect(typeof json.redis.memory_used_bytes).toBe('number');
  });

  it('keys lists the Redis keys without the prefix', async () => {
    const { out, err } = await cli(['keys', 'doc:*', '--api-key', KEY]);
    expect(out.split('\n').sort()).toStrictEqual(['doc:1', 'doc:2']);
    expect(err).toBe("2 keys match 'doc:*'");
  });
});
