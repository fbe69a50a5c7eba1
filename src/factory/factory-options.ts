import type { AIOptions } from '../ai/ai-options.js';
import type { Duration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import type { CompressionAlgorithm } from '../redis/compression.js';
import type { RedisSecurityOptions } from '../redis/security.js';

/** Options every factory method accepts (SPEC §6) plus the Redis cache settings passed through. */
export interface FactoryCacheOptions {
  redisUrl?: string;
  defaultTtl?: Duration;
  enableMemoryCache?: boolean;
  memoryCacheSize?: number;
  compressionThreshold?: number;
  compressionLevel?: number;
  /** true: throw InfrastructureError when Redis is unreachable; false: fall back to memory. @default false */
  failOnConnectionError?: boolean;
  keyPrefix?: string;
  commandTimeout?: number;
  /** @default 2000 */
  connectTimeout?: number;
  compressionAlgorithm?: CompressionAlgorithm;
  autoPipelining?: boolean;
  security?: RedisSecurityOptions;
  /** Encrypt values at rest (see GenericRedisCache). */
  encryptionKey?: string | string[];
  logger?: Logger;
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

export const COMMON_OPTION_NAMES = [
  'redisUrl',
  'defaultTtl',
  'enableMemoryCache',
  'memoryCacheSize',
  'compressionThreshold',
  'compressionLevel',
  'failOnConnectionError',
  'keyPrefix',
  'commandTimeout',
  'connectTimeout',
  'compressionAlgorithm',
  'autoPipelining',
  'security',
  'encryptionKey',
  'logger',
] as const;
export { AI_OPTION_NAMES } from '../ai/ai-options.js';

/** Factory options that the factory itself consumes; every other common option goes to the Redis cache as is. */
const FACTORY_ONLY = [
  'defaultTtl',
  'enableMemoryCache',
  'memoryCacheSize',
  'failOnConnectionError',
  'logger',
] as const;

/** Factory options that are GenericRedisCache options under the same name. */
export const REDIS_PASS_THROUGH = COMMON_OPTION_NAMES.filter(
  (name): name is Exclude<(typeof COMMON_OPTION_NAMES)[number], (typeof FACTORY_ONLY)[number]> =>
    !(FACTORY_ONLY as readonly string[]).includes(name),
);
