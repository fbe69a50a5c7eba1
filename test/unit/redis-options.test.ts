import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { reconnectDelay, redisUrlProblem } from '../../src/redis/connection.js';
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
      'commandTimeout must be a positive integer of milliseconds',
      'connectTimeout must be a positive integer of milliseconds',
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
