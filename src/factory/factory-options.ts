import type { AIOptions } from '../ai/ai-options.js';
import {
  GENERIC_REDIS_CACHE_DEFAULTS,
  GENERIC_REDIS_CACHE_OPTION_NAMES,
  type GenericRedisCacheOptions,
} from '../redis/options.js';

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

/**
 * What each factory method changes in the cache's own defaults (SPEC §6, less its compression settings:
 * the measured defaults serve every method, docs/migrating-from-python.md), written once: the rest is
 * `GENERIC_REDIS_CACHE_OPTIONS`. docs/configuration.md shows both in one table (checked by a test).
 */
export const FACTORY_DEFAULTS = {
  forWebApp: { defaultTtl: 1800, memoryCacheSize: 200 },
  forAIApp: { textHashThreshold: 500 },
  forTesting: {
    redisUrl: 'redis://localhost:6379/15',
    defaultTtl: 60,
    enableMemoryCache: false,
    memoryCacheSize: 50,
  },
} as const;

/** The options of a factory method with every default filled in. */
export function factoryDefaults(method: keyof typeof FACTORY_DEFAULTS): FactoryCacheOptions & AIOptions {
  return { ...GENERIC_REDIS_CACHE_DEFAULTS, failOnConnectionError: false, ...FACTORY_DEFAULTS[method] };
}

export const COMMON_OPTION_NAMES = [...GENERIC_REDIS_CACHE_OPTION_NAMES, 'failOnConnectionError'] as const;
export { AI_OPTION_NAMES } from '../ai/ai-options.js';

/** Factory options that are GenericRedisCache options under the same name (all but the factory's own). */
export const REDIS_PASS_THROUGH = GENERIC_REDIS_CACHE_OPTION_NAMES;
