import type { Duration } from '../../src/core/types.js';
import { Redis } from 'ioredis';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/cli/run.js';
import { ConfigurationError, InfrastructureError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { runCacheContractSuite } from '../../src/testing/contract-suite.js';
import { startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { createTestCertificates } from '../../src/testing/tls-certificates.js';
import { redisBinary, sleep, uniquePrefix } from '../helpers/redis.js';

const PASSWORD = 'default-user-secret';
const factory = () => new CacheFactory({ logger: silentLogger });

describe.runIf(redisBinary)('Redis over TLS with a password and an ACL user (real server)', () => {
  let server: RedisServer;
  const caches: GenericRedisCache[] = [];
  const connect = async (options: ConstructorParameters<typeof GenericRedisCache>[0]) => {
    const cache = new GenericRedisCache({
      redisUrl: server.url,
      keyPrefix: uniquePrefix('tls'),
      connectTimeout: 1000,
      logger: silentLogger,
      // A loaded machine can stall a command past the 500 ms default (see createRedisCache).
      commandTimeout: '5s',
      ...options,
    });
    caches.push(cache);
    return { cache, connected: await cache.connect() };
  };

  beforeAll(async () => {
    server = await startRedisServer({ tls: true, password: PASSWORD, aclUsers: { alice: 'alice-secret' } });
  });
  /** Certificates made by a test (a CA the server does not trust): removed with the server's. */
  const otherCertificates: string[] = [];
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await server.stop();
    for (const dir of otherCertificates) rmSync(dir, { recursive: true, force: true });
  });

  it('connects with certificate verification and the password, and reports what is in force', async () => {
    const { cache, connected } = await connect({
      security: { password: PASSWORD, tls: { caPath: server.certificates!.caPath } },
    });
    expect(connected).toBe(true);
    await cache.set('k', { secret: 'v' });
    expect(await cache.get('k')).toStrictEqual({ secret: 'v' });
    expect(cache.getSecurityStatus()).toStrictEqual({
      tlsEnabled: true,
      certificatesVerified: true,
      authenticated: true,
      aclUser: undefined,
      encryptionEnabled: false,
      encryptionKeyIds: [],
    });
    expect(JSON.stringify(cache.getSecurityStatus())).not.toContain(PASSWORD);
  });

  it('connects as an ACL user with a client certificate', async () => {
    const certs = server.certificates!;
    const { cache, connected } = await connect({
      security: {
        username: 'alice',
        password: 'alice-secret',
        tls: { caPath: certs.caPath, certPath: certs.clientCertPath, keyPath: certs.clientKeyPath },
      },
    });
    expect(connected).toBe(true);
    expect(cache.getSecurityStatus()).toMatchObject({ aclUser: 'alice', authenticated: true });
    expect(await cache.exists('nothing')).toBe(false);
  });

  it.each([
    [
      'a wrong CA',
      () => {
        const other = createTestCertificates('other');
        otherCertificates.push(other.dir);
        return { security: { password: PASSWORD, tls: { caPath: other.caPath } } };
      },
    ],
    [
      'a wrong password',
      () => ({ security: { password: 'nope', tls: { caPath: server.certificates!.caPath } } }),
    ],
    [
      'a wrong ACL user',
      () => ({
        security: {
          username: 'mallory',
          password: 'alice-secret',
          tls: { caPath: server.certificates!.caPath },
        },
      }),
    ],
    [
      'plaintext to the TLS port',
      () => ({ redisUrl: server.url.replace('rediss', 'redis'), security: { password: PASSWORD } }),
    ],
  ])('fails cleanly with %s: connect() is false and the cache serves memory', async (_label, options) => {
    const { cache, connected } = await connect(options());
    expect(connected).toBe(false);
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
    expect(cache.connectionError).toBeDefined();
  });

  it('gives an InfrastructureError in strict mode, and a memory fallback otherwise, for a wrong password', async () => {
    const env = {
      CACHE_PRESET: 'simple',
      CACHE_REDIS_URL: server.url,
      REDIS_PASSWORD: 'wrong',
      REDIS_TLS_CA_PATH: server.certificates!.caPath,
    };
    const strict = factory().forWebApp({
      redisUrl: server.url,
      security: { password: 'wrong', tls: { caPath: server.certificates!.caPath } },
      failOnConnectionError: true,
      connectTimeout: 1000,
    });
    await expect(strict).rejects.toBeInstanceOf(InfrastructureError);
    await expect(
      factory().forWebApp({
        redisUrl: server.url,
        security: { password: 'wrong', tls: { caPath: server.certificates!.caPath } },
        failOnConnectionError: true,
        connectTimeout: 1000,
      }),
    ).rejects.toThrow(/^Redis connection failed for web application cache: .*WRONGPASS/);
    const fallback = await factory().fromEnvironment(env);
    expect(fallback.constructor.name).toBe('InMemoryCache');
  });

  it('runs the production preset securely from the environment alone', async () => {
    const cache = await factory().fromEnvironment({
      CACHE_PRESET: 'production',
      CACHE_REDIS_URL: server.url,
      REDIS_PASSWORD: PASSWORD,
      REDIS_TLS_CA_PATH: server.certificates!.caPath,
      REDIS_ENCRYPTION_KEY: generateKey(),
    });
    expect(cache).toBeInstanceOf(GenericRedisCache);
    expect((cache as GenericRedisCache).getSecurityStatus()).toMatchObject({
      tlsEnabled: true,
      certificatesVerified: true,
      authenticated: true,
      encryptionEnabled: true,
    });
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    await cache.clear();
    await cache.close();
  });
});

describe.runIf(redisBinary)('encryption at rest (real server)', () => {
  let server: RedisServer;
  let raw: Redis;
  const keyA = generateKey();
  const keyB = generateKey().replace(/\+/g, '-').replace(/\//g, '_'); // base64url works too
  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw.disconnect();
    await server.stop();
  });
  const make = async (
    encryptionKey: string | string[],
    keyPrefix = uniquePrefix('enc'),
    enableMemoryCache = false,
    defaultTtl?: Duration,
  ) => {
    const cache = new GenericRedisCache({
      redisUrl: server.url,
      keyPrefix,
      encryptionKey,
      enableMemoryCache,
      commandTimeout: '5s', // a loaded machine can stall a command past the 500 ms default
      logger: silentLogger,
      compressionThreshold: 100,
      ...(defaultTtl !== undefined && { defaultTtl }),
    });
    await cache.connect();
    return cache;
  };

  runCacheContractSuite({
    name: 'GenericRedisCache with encryption',
    create: (o) => make(keyA, undefined, true, o.defaultTtl),
    advanceTime: sleep,
  });

  it('stores ciphertext, never the value, compressed or not', async () => {
    const cache = await make(keyA);
    await cache.set('short', 'top secret text');
    await cache.set('long', 'top secret text '.repeat(100));
    for (const key of ['short', 'long']) {
      const stored = (await raw.getBuffer(`${cache.keyPrefix}${key}`))!;
      expect(stored.toString('latin1')).not.toContain('secret');
      expect(stored[2]! & 0b1_0000).toBe(0b1_0000);
    }
    expect(await cache.get('long')).toBe('top secret text '.repeat(100));
    expect(cache.getSecurityStatus()).toMatchObject({
      encryptionEnabled: true,
      encryptionKeyIds: [expect.any(Number)],
    });
    await cache.close();
  });

  it('reads a tampered, truncated, moved or unencrypted value as a miss and announces a decrypt error', async () => {
    const cache = await make(keyA);
    const errors: string[] = [];
    cache.on('error', (e) => errors.push(`${e.kind}:${e.key}`));
    await cache.set('victim', { balance: 100 });
    const stored = (await raw.getBuffer(`${cache.keyPrefix}victim`))!;
    const tampered = Buffer.from(stored);
    tampered[tampered.length - 20]! ^= 1;
    await raw.set(`${cache.keyPrefix}tampered`, tampered);
    await raw.set(`${cache.keyPrefix}truncated`, stored.subarray(0, 20));
    await raw.set(`${cache.keyPrefix}moved`, stored);
    const plain = await make(keyA); // encryption on; an unencrypted envelope is planted below
    await raw.set(
      `${plain.keyPrefix}plain`,
      Buffer.concat([Buffer.from([1, 1, 0, 0]), Buffer.from('{"balance":1000000}')]),
    );
    for (const key of ['tampered', 'truncated', 'moved']) expect(await cache.get(key)).toBeUndefined();
    expect(await plain.get('plain')).toBeUndefined();
    expect(await cache.get('victim')).toStrictEqual({ balance: 100 });
    expect(errors).toStrictEqual(['decrypt:tampered', 'decrypt:truncated', 'decrypt:moved']);
    expect((await cache.getStats()).decryptErrors).toBe(3);
    await cache.close();
    await plain.close();
  });

  it('rotates keys without a flush: old values stay readable, new ones use the new key, dropping the old key drops them', async () => {
    const prefix = uniquePrefix('rotate');
    const before = await make(keyA, prefix);
    await before.set('old', 'written with A');
    const during = await make([keyB, keyA], prefix);
    expect(await during.get('old')).toBe('written with A');
    await during.set('new', 'written with B');
    const idOf = async (key: string) => (await raw.getBuffer(`${prefix}${key}`))![3];
    expect(await idOf('new')).toBe(during.getSecurityStatus().encryptionKeyIds[0]);
    expect(await idOf('old')).toBe(before.getSecurityStatus().encryptionKeyIds[0]);
    const after = await make(`${keyB}`, prefix);
    expect(await after.get('new')).toBe('written with B');
    expect(await after.get('old')).toBeUndefined();
    for (const c of [before, during, after]) await c.close();
  });

  it.each([
    ['short', 'abc'],
    ['not base64', '!'.repeat(44)],
    ['31 bytes', Buffer.alloc(31).toString('base64')],
    ['33 bytes', Buffer.alloc(33).toString('base64')],
    ['empty', ' , '],
  ])('rejects a %s key with the expected format and how to make one', (_label, key) => {
    expect(
      () => new GenericRedisCache({ redisUrl: server.url, encryptionKey: key, logger: silentLogger }),
    ).toThrow(ConfigurationError);
    expect(
      () => new GenericRedisCache({ redisUrl: server.url, encryptionKey: key, logger: silentLogger }),
    ).toThrow(/tiercache keygen/);
  });

  it('accepts a Fernet-style 44-character base64url key', async () => {
    const fernet = Buffer.alloc(32, 0xfb).toString('base64url') + '=';
    expect(fernet).toHaveLength(44);
    const cache = await make(fernet);
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
    await cache.close();
  });
});
