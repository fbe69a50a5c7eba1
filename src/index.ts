export { InMemoryCache } from './memory/in-memory-cache.js';
export { GenericRedisCache } from './redis/generic-redis-cache.js';
export { AIResponseCache } from './ai/ai-response-cache.js';
export { CacheKeyGenerator, AI_KEY_PREFIX } from './ai/key-generator.js';
export { hashingEmbedder } from './ai/semantic/hashing-embedder.js';
export { DEFAULT_SEMANTIC_THRESHOLD } from './ai/semantic/semantic-options.js';
export { GUARD_CHECKS } from './ai/semantic/guard.js';
export {
  TierCacheError,
  ValidationError,
  ConfigurationError,
  InfrastructureError,
  AuthenticationError,
  FactoryTimeoutError,
  LockTimeoutError,
  HTTP_STATUS_BY_CODE,
  HTTP_ONLY_STATUS,
} from './core/errors.js';
export { parseDuration, MAX_TTL_SECONDS } from './core/duration.js';
export { CacheFactory } from './factory/cache-factory.js';
export { resolveConfig } from './config/resolve-config.js';
export { validateConfig } from './config/validator.js';
export { readEnvironment, ENV_VARIABLES } from './config/env.js';
export { PRESETS, DEFAULT_PRESET } from './config/presets.js';
export { PRESET_NAMES } from './config/config-schema.js';
export { redactConfig } from './config/redact.js';
export { systemClock } from './core/clock.js';
export { consoleLogger, silentLogger, createConsoleLogger } from './core/logger.js';
export { MAX_PATTERN_LENGTH } from './core/pattern.js';
export { TRACING_CHANNELS } from './core/tracing.js';
export { CachePerformanceMonitor } from './monitoring/performance-monitor.js';
export { PrometheusExporter, LATENCY_BUCKETS_SECONDS } from './monitoring/prometheus.js';
export { instrumentOpenTelemetry } from './monitoring/opentelemetry.js';

export type { InMemoryCacheOptions, MemoryCachePolicy, MemoryCacheStats } from './memory/in-memory-cache.js';
export type { AIRequest, AIPerformanceSummary } from './ai/ai-response-cache.js';
export type { AIComputeOptions } from './ai/ai-request.js';
export type { AIResult } from './ai/ai-compute.js';
export type { Embedder } from './ai/semantic/embedding.js';
export type { HashingEmbedderOptions } from './ai/semantic/hashing-embedder.js';
export type { GuardCheck } from './ai/semantic/guard.js';
export type {
  SemanticGuardOptions,
  SemanticOptions,
  SemanticVerifier,
} from './ai/semantic/semantic-options.js';
export type { AIStreamOptions, StreamTokens } from './ai/ai-stream.js';
export type { AIOptions, AIResponseCacheOptions } from './ai/ai-options.js';
export type {
  AIRequestOptions,
  CacheKeyGeneratorOptions,
  KeyScheme,
  OperationScope,
} from './ai/key-generator.js';
export type { ModelPrice, PriceTable } from './ai/price-table.js';
export type { OperationPerformance, TierStatistics, TokenUsage } from './ai/ai-metrics.js';
export type { ComputeResult } from './ai/ai-entry.js';
export type { TextSizeTiers, TextTier } from './ai/text-tiers.js';
export type { RedisCacheStats } from './redis/generic-redis-cache.js';
export type { CoherenceMode, GenericRedisCacheOptions } from './redis/options.js';
export type { RedisSecurityOptions, SecurityStatus } from './redis/security.js';
export type { CacheFactoryOptions } from './factory/cache-factory.js';
export type {
  AIAppCacheOptions,
  FactoryCacheOptions,
  TestingCacheOptions,
  WebAppCacheOptions,
} from './factory/factory-options.js';
export type {
  AIConfig,
  CacheConfig,
  CacheConfigOverrides,
  LogLevel,
  PresetName,
  SecurityConfig,
} from './config/config-schema.js';
export type { ResolvedConfig } from './config/resolve-config.js';
export type { ValidationResult } from './config/validator.js';
export type { Env } from './config/env.js';
export type { RedisServerStatus } from './redis/status.js';
export type { RemoteStatus } from './redis/remote-tier.js';
export type {
  ConnectableCache,
  HotKeysCache,
  InspectableCache,
  KeyInspection,
  KeyListingCache,
} from './core/capabilities.js';
export type { HotKey } from './core/hot-keys.js';
export type { CoherenceStatus } from './redis/generic-redis-cache.js';
export type { TrackingMode } from './redis/tracking.js';
export type { TimeSeries, WindowStats } from './monitoring/live-figures.js';
export type { KeyGroups } from './monitoring/prometheus-incidents.js';
export type { BreakerState, BreakerStatus, CircuitBreakerOptions } from './redis/circuit-breaker.js';
export type { CacheCallbacks, CallbackEvent } from './core/callbacks.js';
export type { CompressionAlgorithm } from './redis/compression.js';
export type {
  CacheEntry,
  CacheInterface,
  CacheStats,
  Duration,
  FactoryContext,
  GetOrSetFactory,
  GetOrSetOptions,
  SetOptions,
} from './core/types.js';
export type {
  CacheEventListener,
  CacheEventName,
  CacheEvents,
  CacheOperation,
  CacheTier,
  BreakerEvent,
  BusEvent,
  EntryEvent,
  FactoryEvent,
  LockEvent,
  StaleEvent,
  CompressionEvent,
  ConnectionEvent,
  ErrorEvent,
  EvictionEvent,
  InvalidationEvent,
  KeyGenerationEvent,
  AIComputeEvent,
  SemanticEvent,
  OperationEvent,
} from './core/events.js';
export type { AnyErrorCode, ErrorCode, ErrorContext, HttpOnlyErrorCode } from './core/errors.js';
export type { Clock } from './core/clock.js';
export type { TraceContext } from './core/tracing.js';
export type { CachePerformanceMonitorOptions, MonitoredCache } from './monitoring/performance-monitor.js';
export type { PrometheusExporterOptions } from './monitoring/prometheus.js';
export type { OpenTelemetryOptions } from './monitoring/opentelemetry.js';
export type {
  PerformanceStats,
  KeyGenerationStats,
  CacheOperationStats,
  CompressionStats,
  MemoryUsageStats,
  MemoryWarning,
  InvalidationFrequencyStats,
  Recommendation,
  Severity,
  SlowOperations,
  ExportedMetrics,
} from './monitoring/monitor-types.js';
export type { DurationSummary } from './core/statistics.js';
export type { Logger } from './core/logger.js';
