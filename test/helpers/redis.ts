import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import type { GenericRedisCacheOptions } from '../../src/redis/options.js';
import { silentLogger } from '../../src/core/logger.js';
import { findRedisServerBinary, startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';

/**
 * How Redis suites get a server: our own redis-server when the binary exists (preferred: it can be killed
 * and flushed), else REDIS_URL (shared: only uniquely prefixed keys are touched), else none. Without one,
 * suites skip with a loud notice, except under CI=true where that is a failure.
 */
export const redisBinary = findRedisServerBinary();
export const externalRedisUrl = redisBinary ? undefined : process.env.REDIS_URL;
export const hasRedis = redisBinary !== undefined || externalRedisUrl !== undefined;

if (!hasRedis) {
  const notice =
    'REDIS SUITES SKIPPED: no redis-server on PATH and REDIS_URL unset (apt-get install redis-server)';
  if (process.env.CI === 'true') throw new Error(`${notice} — this is a failure under CI=true`);
  console.warn(`\n${'!'.repeat(notice.length)}\n${notice}\n${'!'.repeat(notice.length)}\n`);
}

export interface RedisFixture {
  url: string;
  /** Our own server, when we started one (fault tests need it). */
  server: RedisServer | undefined;
  /** A raw client for checking what is really in Redis. */
  raw: Redis;
}

/** Starts (or attaches to) Redis for one test file; stops what it started afterwards. */
export function useRedis(): RedisFixture {
  const fixture = {} as RedisFixture;
  beforeAll(async () => {
    if (!hasRedis) return;
    fixture.server = redisBinary ? await startRedisServer() : undefined;
    fixture.url = fixture.server?.url ?? (externalRedisUrl as string);
    fixture.raw = new Redis(fixture.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    fixture.raw?.disconnect();
    await fixture.server?.stop();
  });
  return fixture;
}

let prefixCounter = 0;

/** A key prefix no other test uses, so tests never touch each other's keys (even on a shared server). */
export function uniquePrefix(label = 'test'): string {
  prefixCounter++;
  return `tc-${label}-${process.pid}-${prefixCounter}-${Math.random().toString(36).slice(2, 8)}:`;
}

/** A connected GenericRedisCache on the fixture's server with a unique prefix and a quiet logger. */
export async function createRedisCache(
  fixture: RedisFixture,
  options: GenericRedisCacheOptions = {},
): Promise<GenericRedisCache> {
  const cache = new GenericRedisCache({
    redisUrl: fixture.url,
    keyPrefix: uniquePrefix(),
    logger: silentLogger,
    // A loaded 2-core machine can stall a command past 500 ms; a timeout would degrade the cache and turn
    // a test about something else into a test of degraded mode. Fault tests set their own.
    commandTimeout: '5s',
    ...options,
  });
  await cache.connect();
  return cache;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A response body for assertions (tests read deep wire shapes; the schemas are checked elsewhere). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const jsonOf = async (response: Response): Promise<any> => response.json();
