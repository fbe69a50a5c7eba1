import { fallbackReason } from '../factory/build-cache.js';
import { AIResponseCache } from '../ai/ai-response-cache.js';
import type { CacheInterface, CacheStats } from '../core/types.js';
import { InMemoryCache, type MemoryCacheStats } from '../memory/in-memory-cache.js';
import type { InvalidationFrequencyStats } from '../monitoring/monitor-types.js';
import type { CachePerformanceMonitor } from '../monitoring/performance-monitor.js';
import { canTrackHotKeys } from '../core/capabilities.js';
import { GenericRedisCache } from '../redis/generic-redis-cache.js';

/** Converts object keys to snake_case, recursively (the wire keeps the original service's names). */
export function toSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnake);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      toSnake(item),
    ]),
  );
}

export type CacheKind = 'memory' | 'redis' | 'ai' | 'custom';

export function cacheKind(cache: CacheInterface): CacheKind {
  if (cache instanceof AIResponseCache) return 'ai';
  if (cache instanceof GenericRedisCache) return 'redis';
  if (cache instanceof InMemoryCache) return 'memory';
  return 'custom';
}

/** The Redis cache behind a cache, if any (an AI cache over Redis has one). */
export function redisOf(cache: CacheInterface): GenericRedisCache | undefined {
  const inner = cache instanceof AIResponseCache ? cache.cache : cache;
  return inner instanceof GenericRedisCache ? inner : undefined;
}

function memoryOf(cache: CacheInterface): InMemoryCache | undefined {
  const inner = cache instanceof AIResponseCache ? cache.cache : cache;
  return inner instanceof InMemoryCache ? inner : undefined;
}

/**
 * `GET /health` (SPEC §9). Redis counts as connected only while commands are sent to it: not while the
 * cache is degraded (a failed command or idle probe) nor while the breaker is open, so a hung or dead
 * Redis shows here within commandTimeout + probeInterval, with or without traffic.
 */
export async function healthBody(cache: CacheInterface, version: string) {
  const redis = redisOf(cache);
  const stats = await cache.getStats();
  const redisStats = redis ? await redis.getStats() : undefined;
  const l1 = redisStats ? redisStats.l1 : (stats as Partial<MemoryCacheStats>);
  const redisState = redisStats
    ? redisStats.redis === 'connected'
      ? 'connected'
      : 'degraded'
    : 'not_configured';
  const reason = redisState === 'degraded' ? redis?.connectionError : undefined;
  return {
    status: redisState === 'degraded' ? ('degraded' as const) : ('healthy' as const),
    timestamp: new Date().toISOString(),
    version,
    cache: {
      type: cacheKind(cache),
      redis: redisState,
      l1_entries: l1?.activeEntries ?? 0,
      breaker: redisStats ? redisStats.breaker.state : 'not_configured',
      ...(reason !== undefined && { reason }),
    },
  };
}

/** `GET /internal/cache/status` (SPEC §9). */
export async function statusBody(cache: CacheInterface, monitor?: CachePerformanceMonitor) {
  const redis = redisOf(cache);
  const stats = await cache.getStats();
  const memoryStats = memoryOf(cache) ? (stats as MemoryCacheStats) : undefined;
  const body: Record<string, unknown> = {};
  if (redis) {
    const [redisStats, server] = await Promise.all([redis.getStats(), redis.getServerStatus()]);
    body.redis = toSnake(server);
    body.memory = memorySection(redisStats.l1, 'disabled');
    body.performance = performanceSection(redisStats, redisStats.sets + redisStats.deletes, cacheKind(cache));
    body.coherence = toSnake(redis.coherenceStatus);
    const security = redis.getSecurityStatus();
    const level = [security.tlsEnabled, security.authenticated, security.encryptionEnabled].filter(
      Boolean,
    ).length;
    body.security = {
      security_level: level === 3 ? 'high' : level > 0 ? 'medium' : 'low',
      tls_enabled: security.tlsEnabled,
      has_authentication: security.authenticated,
      encryption_enabled: security.encryptionEnabled,
    };
  } else {
    const fallback = fallbackReason(cache);
    // As the original reports a memory-only cache (its E2E tests check these two fields).
    body.redis = {
      ...(fallback !== undefined && { fallback_reason: fallback }),
      status: 'disconnected',
      message: fallback ?? 'InMemoryCache does not use Redis backend',
      keys: 0,
      memory_used: '0B',
      memory_used_bytes: 0,
      connected_clients: 0,
    };
    body.memory = memorySection(memoryStats, 'active');
    body.performance = performanceSection(stats, 0, 'memory_only');
  }
  const tracking = cache instanceof AIResponseCache ? cache.cache : cache;
  if (canTrackHotKeys(tracking)) body.hot_keys = toSnake(tracking.getHotKeys(10));
  if (monitor) body.windows = toSnake(monitor.getWindowedStats());
  if (cache instanceof AIResponseCache) {
    const summary = await cache.getAIPerformanceSummary();
    body.ai_metrics = toSnake({
      ...summary,
      textTiers: cache.getTextTierStatistics(),
      operations: cache.getOperationPerformance(),
    });
  }
  return body;
}

/** The `memory` part of the status: an in-process tier's figures (`absent` when there is none). */
function memorySection(stats: MemoryCacheStats | undefined, absent: 'active' | 'disabled') {
  return {
    status: stats ? 'active' : absent,
    entries: stats?.activeEntries ?? 0,
    max_size: stats?.maxSize ?? 0,
    utilization_percent: stats?.utilizationPercent ?? 0,
    memory_usage: stats?.memoryUsageBytes ?? 0,
  };
}

/** The `performance` part of the status; `writes` = sets and deletes, counted where the cache counts them. */
function performanceSection(stats: CacheStats, writes: number, kind: CacheKind | 'memory_only') {
  return {
    status: 'active',
    hit_rate: stats.hitRate,
    total_operations: stats.hits + stats.misses + writes,
    hits: stats.hits,
    misses: stats.misses,
    cache_type: kind,
  };
}

/** `GET /internal/cache/invalidation-stats`: the original's shape, durations in seconds. */
export function invalidationStatsBody(stats: InvalidationFrequencyStats) {
  return {
    total_operations: stats.totalOperations,
    total_keys_invalidated: stats.totalKeysInvalidated,
    frequency: {
      last_hour: stats.frequency.lastHour,
      last_24_hours: stats.frequency.last24Hours,
      average_per_hour: stats.frequency.averagePerHour,
    },
    patterns: {
      most_common_patterns: stats.patterns.mostCommonPatterns,
      invalidation_types: stats.patterns.invalidationTypes,
    },
    thresholds: {
      warning_per_hour: stats.thresholds.warningPerHour,
      critical_per_hour: stats.thresholds.criticalPerHour,
    },
    performance: {
      avg_keys_per_invalidation: stats.performance.avgKeysPerInvalidation,
      avg_duration: stats.performance.avgDurationMs / 1000,
      max_duration: stats.performance.maxDurationMs / 1000,
    },
  };
}
