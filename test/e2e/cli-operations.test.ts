import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { redisBinary } from '../helpers/redis.js';

const BIN = resolve(import.meta.dirname, '../../dist/cli/main.js');
const KEY = 'cli-operator-key';

describe.runIf(redisBinary)(
  'tiercache CLI against a running service (serve + operations, real Redis)',
  () => {
    let redis: RedisServer;
    let server: ChildProcess;
    let url: string;
    let writer: GenericRedisCache;
    let raw: Redis;
    const cli = (args: string[], env: Record<string, string> = {}) =>
      promisify(execFile)(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH ?? '', TIERCACHE_URL: url, ...env },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({
          code: e.code,
          stdout: e.stdout,
          stderr: e.stderr,
        }),
      );

    beforeAll(async () => {
      redis = await startRedisServer();
      server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
        env: {
          PATH: process.env.PATH ?? '',
          CACHE_PRESET: 'simple',
          CACHE_REDIS_URL: redis.url,
          API_KEY: KEY,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      url = await new Promise<string>((done, fail) => {
        let text = '';
        server.stderr?.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const match = /listening on (http:\/\/\S+) /.exec(text);
          if (match) done(match[1] as string);
        });
        server.once('exit', (code) => fail(new Error(`serve exited with ${code}: ${text}`)));
      });
      writer = new GenericRedisCache({
        redisUrl: redis.url,
        keyPrefix: 'tiercache:',
        logger: silentLogger,
        commandTimeout: '5s', // a loaded machine can stall a command past the 500 ms default
      });
      await writer.connect();
      raw = new Redis(redis.url);
      await writer.setMany(['user:1', 'user:2', 'user:3', 'post:1'].map((key) => ({ key, value: key })));
    }, 30_000);

    afterAll(async () => {
      await writer?.close();
      raw?.disconnect();
      if (server && server.exitCode === null) {
        const exited = new Promise((done) => server.once('exit', done));
        server.kill('SIGTERM');
        await exited;
      }
      await redis?.stop();
    });

    it('health: a table by default, JSON with --json, exit 0 when healthy', async () => {
      const human = await cli(['health']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^status\s+cache\s+redis\s+breaker/m);
      expect(human.stdout).toMatch(/healthy\s+redis\s+connected\s+closed/);
      const json = await cli(['health', '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ status: 'healthy', cache: { redis: 'connected' } });
    });

    it('status shows the Redis key count and memory, each with its scope, and L1 figures', async () => {
      const { code, stdout } = await cli(['status']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^redis\s+connected, \d+ clients?$/m);
      expect(stdout).toMatch(/^\s+4 keys under this cache's prefix$/m);
      expect(stdout).toMatch(/^\s+[\d.]+ [kMG]?B Redis server memory \(all keys, not only this cache's\)$/m);
      expect(stdout).toMatch(/L1\s+\d+ \/ [\d,]+ entries/);
      const json = JSON.parse((await cli(['status', '--json'])).stdout);
      expect(json.redis.keys).toBe(4);
    });

    it('metrics as a table, and as Prometheus text', async () => {
      const table = await cli(['metrics']);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^hit rate [\d.]+ % of \d+ gets?, \d+ operations? \(since start\)/);
      const prometheus = await cli(['metrics', '--prometheus']);
      expect(prometheus.code).toBe(0);
      expect(prometheus.stdout).toContain('# TYPE tiercache_redis_connected gauge');
    });

    it('invalidate needs the key, previews with --dry-run, then removes the keys (checked in Redis)', async () => {
      const refused = await cli(['invalidate', 'user:*']);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toBe(
        "error: /internal/cache/invalidate: API key required. Provide it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'. (use --api-key or API_KEY)",
      );
      const dry = await cli(['invalidate', 'user:*', '--dry-run', '--api-key', KEY]);
      expect(dry).toMatchObject({ code: 0, stdout: "3 keys match 'user:*' (dry run: nothing removed)\n" });
      expect(await raw.exists('tiercache:user:1')).toBe(1);
      const done = await cli(['invalidate', 'user:*', '--context', 'deploy-42', '--json'], { API_KEY: KEY });
      expect(done.code).toBe(0);
      expect(JSON.parse(done.stdout)).toMatchObject({ keys_invalidated: 3, pattern: 'user:*' });
      expect(await raw.exists('tiercache:user:1', 'tiercache:user:2', 'tiercache:post:1')).toBe(1);
    });

    it('a wrong key is a one-line error with exit 1', async () => {
      const { code, stderr } = await cli(['invalidate', 'post:*', '--api-key', 'nope']);
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        'error: /internal/cache/invalidate: Invalid API key (use --api-key or API_KEY)',
      );
    });
  },
);
