import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { reconnectDelay, redisUrlProblem, topologyOfUrl } from '../../src/redis/connection.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';

describe('GenericRedisCache options', () => {
  it.each([
    [42, 'redisUrl must be a string'],
    ['  ', 'redisUrl cannot be empty'],
    ['http://localhost', "redisUrl must start with 'redis://' or 'rediss://'"],
    ['redis://', 'redisUrl must include host information'],
    ['redis://host:notaport', 'redisUrl format is invalid'],
    ['redis://host:6379/abc', 'redisUrl format is invalid'],
  ])('rejects redisUrl %j', (url, message) => {
    expect(redisUrlProblem(url)).toBe(message);
  });

  it('accepts redis and rediss URLs with credentials and a database', () => {
    expect(redisUrlProblem('redis://user:pass@localhost:6379/15')).toBeUndefined();
    expect(redisUrlProblem('rediss://cache.example.com')).toBeUndefined();
  });

  it('collects every problem into one ValidationError', () => {
    let error: ValidationError | undefined;
    try {
      new GenericRedisCache({
        redisUrl: 'http://x',
        defaultTtl: -1,
        enableMemoryCache: 'yes' as never,
        memoryCacheSize: -1,
        compressionThreshold: 1.5,
        compressionLevel: 10,
        compressionAlgorithm: 'zstd' as never,
        keyPrefix: '',
        commandTimeout: 0,
        connectTimeout: -1,
        autoPipelining: 1 as never,
      });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.errors).toStrictEqual([
      "redisUrl must start with 'redis://' or 'rediss://'",
      'defaultTtl must be non-negative (0 means no expiration)',
      'enableMemoryCache must be a boolean',
      'memoryCacheSize must be a positive integer',
      'compressionThreshold must be a non-negative integer',
      'compressionLevel must be an integer between 1 and 9',
      "compressionAlgorithm must be 'deflate' or 'brotli'",
      'keyPrefix must be a non-empty string (clear() and patterns only touch keys under it)',
      'commandTimeout must be between 1 ms and 10 minutes',
      "connectTimeout must be a non-negative duration: a whole number of milliseconds, or a string like '250ms', '2s', '1m'",
      'autoPipelining must be a boolean',
    ]);
  });

  it('rejects unknown options and clients that are not ioredis', () => {
    expect(() => new GenericRedisCache({ redisURL: 'redis://x' } as never)).toThrow(
      'unknown option: redisURL',
    );
    expect(() => new GenericRedisCache({ redisClient: {} as never })).toThrow(
      'redisClient must be an ioredis client',
    );
  });

  it('backs off reconnection exponentially up to 2 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(reconnectDelay)).toStrictEqual([
      50, 100, 200, 400, 800, 1600, 2000, 2000,
    ]);
  });
});

describe('Redis topologies: URLs and explicit options', () => {
  it('accepts cluster and sentinel URLs with credentials and TLS', () => {
    expect(topologyOfUrl('redis+cluster://a:7000,b:7001')).toStrictEqual({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      tls: false,
      username: undefined,
      password: undefined,
    });
    expect(topologyOfUrl('rediss+sentinel://ops:p%40ss@s1:26379,s2:26379/mymaster/2')).toStrictEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'mymaster',
      db: 2,
      tls: true,
      username: 'ops',
      password: 'p@ss',
    });
    expect(topologyOfUrl('redis+cluster://[::1]:7000')).toMatchObject({
      nodes: [{ host: '::1', port: 7000 }],
    });
  });

  it.each([
    ['redis+cluster://', "has a malformed host '' (host:port expected)"],
    ['redis+cluster://a:7000,b', "has a malformed host 'b' (host:port expected)"],
    ['redis+cluster://a:99999', 'has a bad port for a (1-65535)'],
    ['redis+cluster://a:7000/0', 'takes no path'],
    ['redis+cluster:a:7000', 'must look like redis+cluster://'],
    ['redis+sentinel://s:26379', 'is missing the master name'],
    ['redis+sentinel://s:26379/', 'is missing the master name'],
    ['redis+sentinel://s:26379/m/x', 'path must be /masterName or /masterName/db'],
  ])('rejects %s with the expected format', (redisUrl, message) => {
    const error = (() => {
      try {
        new GenericRedisCache({ redisUrl });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(message);
    expect((error as ValidationError).message).toMatch(
      /expected redis\+(cluster|sentinel):\/\/|must look like/,
    );
  });

  it('validates explicit cluster and sentinel options, naming the option', () => {
    expect(() => new GenericRedisCache({ cluster: { nodes: [] } })).toThrow(
      'cluster.nodes must list at least one host:port',
    );
    expect(() => new GenericRedisCache({ cluster: { nodes: [{ host: 'a', port: 0 }] } })).toThrow(
      'cluster.nodes has a bad port for a',
    );
    expect(() => new GenericRedisCache({ sentinel: { sentinels: ['s:1'], name: '' } })).toThrow(
      'sentinel.name must be the master name',
    );
    expect(() => new GenericRedisCache({ sentinel: { sentinels: 'no' as never, name: 'm' } })).toThrow(
      'sentinel.sentinels must list at least one host:port',
    );
    expect(
      () =>
        new GenericRedisCache({ cluster: { nodes: ['a:1'] }, sentinel: { sentinels: ['s:1'], name: 'm' } }),
    ).toThrow('cluster and sentinel cannot both be set');
  });
});

describe('one option definition', () => {
  it('documents every GenericRedisCache option in docs/configuration.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const { GENERIC_REDIS_CACHE_OPTION_NAMES } = await import('../../src/redis/options.js');
    const doc = await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('## GenericRedisCache options'));
    const undocumented = GENERIC_REDIS_CACHE_OPTION_NAMES.filter((name) => !table.includes(`\`${name}`));
    expect(undocumented).toStrictEqual([]);
  });

  it('lets the factory accept every GenericRedisCache option', async () => {
    const { COMMON_OPTION_NAMES } = await import('../../src/factory/factory-options.js');
    const { GENERIC_REDIS_CACHE_OPTION_NAMES } = await import('../../src/redis/options.js');
    for (const name of GENERIC_REDIS_CACHE_OPTION_NAMES) expect(COMMON_OPTION_NAMES).toContain(name);
  });
});
