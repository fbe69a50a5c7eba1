import type { AIOptions } from '../ai/ai-options.js';
import { GENERIC_REDIS_CACHE_OPTION_NAMES, type GenericRedisCacheOptions } from '../redis/options.js';

/**
 * Options every factory method accepts: every GenericRedisCache option under its own name (the list is the
 * cache's own, so the two cannot drift), plus what only the factory decides.
 */
export interface FactoryCacheOptions extends GenericRedisCacheOptions {
  /** true: throw InfrastructureError when Redis is unreachable; false: fall back to memory. @default false */
  failOnConnectionError?: boolean;
}

export type WebAppCacheOptions = FactoryCacheOptions;
export type AIAppCacheOptions = FactoryCacheOptions & AIOptions & { hashAlgorithm?: string };
export type TestingCacheOptions = FactoryCacheOptions & {
  /** Build an InMemoryCache instead of a Redis cache. @default false */
  useMemoryCache?: boolean;
};

export const WEB_APP_DEFAULTS = {
  redisUrl: 'redis://localhost:6379',
  defaultTtl: 1800,
  enableMemoryCache: true,
  memoryCacheSize: 200,
  compressionThreshold: 2000,
  compressionLevel: 6,
  failOnConnectionError: false,
} as const;

export const AI_APP_DEFAULTS = {
  redisUrl: 'redis://localhost:6379',
  defaultTtl: 3600,
  enableMemoryCache: true,
  memoryCacheSize: 100,
  compressionThreshold: 1000,
  compressionLevel: 6,
  failOnConnectionError: false,
  textHashThreshold: 500,
} as const;

export const TESTING_DEFAULTS = {
  redisUrl: 'redis://localhost:6379/15',
  defaultTtl: 60,
  enableMemoryCache: false,
  memoryCacheSize: 50,
  compressionThreshold: 1000,
  compressionLevel: 1,
  failOnConnectionError: false,
  useMemoryCache: false,
} as const;

export const COMMON_OPTION_NAMES = [...GENERIC_REDIS_CACHE_OPTION_NAMES, 'failOnConnectionError'] as const;
export { AI_OPTION_NAMES } from '../ai/ai-options.js';

/** Factory options that are GenericRedisCache options under the same name (all but the factory's own). */
export const REDIS_PASS_THROUGH = GENERIC_REDIS_CACHE_OPTION_NAMES;
