export { InMemoryCache, IN_MEMORY_CACHE_DEFAULTS } from './memory/in-memory-cache.js';
export { GenericRedisCache } from './redis/generic-redis-cache.js';
export { GENERIC_REDIS_CACHE_DEFAULTS } from './redis/options.js';
export {
  TierCacheError,
  ValidationError,
  ConfigurationError,
  InfrastructureError,
  AuthenticationError,
  FactoryTimeoutError,
  HTTP_STATUS_BY_CODE,
} from './core/errors.js';
export { parseDuration, MAX_TTL_SECONDS } from './core/duration.js';
export { systemClock } from './core/clock.js';
export { consoleLogger, silentLogger } from './core/logger.js';
export { MAX_PATTERN_LENGTH } from './core/pattern.js';

export type { InMemoryCacheOptions, MemoryCacheStats } from './memory/in-memory-cache.js';
export type { RedisCacheStats } from './redis/generic-redis-cache.js';
export type { GenericRedisCacheOptions } from './redis/options.js';
export type { RedisCacheStatus, RedisServerStatus } from './redis/status.js';
export type { RemoteStatus } from './redis/remote-tier.js';
export type { CacheCallbacks, CallbackEvent } from './redis/callbacks.js';
export type { CompressionAlgorithm } from './redis/compression.js';
export type {
  CacheEntry,
  CacheInterface,
  CacheStats,
  Duration,
  GetOrSetOptions,
  SetOptions,
} from './core/types.js';
export type {
  CacheEventListener,
  CacheEventName,
  CacheEvents,
  CacheOperation,
  CacheTier,
  CompressionEvent,
  ConnectionEvent,
  ErrorEvent,
  EvictionEvent,
  InvalidationEvent,
  OperationEvent,
} from './core/events.js';
export type { ErrorCode, ErrorContext } from './core/errors.js';
export type { Clock } from './core/clock.js';
export type { Logger } from './core/logger.js';
