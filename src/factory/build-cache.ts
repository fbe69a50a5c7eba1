import { AIResponseCache } from '../ai/ai-response-cache.js';
import type { AIOptions } from '../ai/ai-options.js';
import { InfrastructureError } from '../core/errors.js';
import type { Duration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import type { CacheInterface } from '../core/types.js';
import { InMemoryCache } from '../memory/in-memory-cache.js';
import type { MemoryCachePolicy } from '../memory/memory-policy.js';
import type { CachePerformanceMonitor } from '../monitoring/performance-monitor.js';
import { GenericRedisCache } from '../redis/generic-redis-cache.js';
import type { GenericRedisCacheOptions } from '../redis/options.js';

/** Everything needed to build one cache, whatever entry point asked for it. */
export interface BuildPlan {
  /** Used in messages: `web application`, `AI application`, `testing`, `configured`. */
  label: string;
  /** Redis settings; undefined = an in-memory cache. */
  redis: GenericRedisCacheOptions | undefined;
  /** The in-memory cache used without Redis, or when Redis is unreachable. */
  memory: { defaultTtl: Duration; maxSize: number; policy: MemoryCachePolicy | undefined };
  /** AI settings; set = wrap in an AIResponseCache. */
  ai: AIOptions | undefined;
  failOnConnectionError: boolean;
  /**
   * Redis unreachable at start: true = an in-memory cache instead (the original's documented fallback,
   * logged as an error); false = the Redis cache anyway, degraded to L1 and reconnecting by itself.
   */
  fallbackToMemory: boolean;
  monitor: CachePerformanceMonitor | undefined;
  logger: Logger;
}

/**
 * Builds the cache of a plan: Redis when configured and reachable; otherwise an in-memory cache with the
 * same defaultTtl and size (SPEC §6) and a warning, or an InfrastructureError in strict mode. AI caches
 * keep their AI features over the in-memory fallback. The factory's monitor listens to every cache.
 */
/** Why a cache is the in-memory fallback the factory built when Redis was unreachable. */
const FALLBACK_REASONS = new WeakMap<CacheInterface, string>();

/** The reason a cache is the factory's in-memory fallback for an unreachable Redis, if it is one. */
export function fallbackReason(cache: CacheInterface): string | undefined {
  return FALLBACK_REASONS.get(cache);
}

export async function buildCache(plan: BuildPlan): Promise<CacheInterface> {
  const fallback: { reason?: string } = {};
  const built = (plan.redis && (await connectRedis(plan, plan.redis, fallback))) ?? inMemory(plan);
  if (fallback.reason !== undefined) FALLBACK_REASONS.set(built, fallback.reason);
  plan.monitor?.attach(built);
  return built;
}

function inMemory(plan: BuildPlan): CacheInterface {
  const memory = new InMemoryCache({
    defaultTtl: plan.memory.defaultTtl,
    maxSize: plan.memory.maxSize,
    policy: plan.memory.policy,
    logger: plan.logger,
  });
  return plan.ai ? new AIResponseCache({ cache: memory, ...plan.ai }) : memory;
}

async function connectRedis(
  plan: BuildPlan,
  options: GenericRedisCacheOptions,
  fallback: { reason?: string },
): Promise<CacheInterface | undefined> {
  const withLogger = { logger: plan.logger, ...options };
  const cache = plan.ai
    ? new AIResponseCache({ ...withLogger, ...plan.ai })
    : new GenericRedisCache(withLogger);
  if (await cache.connect()) return cache;
  const redis = (cache instanceof AIResponseCache ? cache.cache : cache) as GenericRedisCache;
  const timeout = options.connectTimeout ?? 2000;
  const reason =
    redis.connectionError ?? `no answer within ${typeof timeout === 'number' ? `${timeout} ms` : timeout}`;
  if (plan.failOnConnectionError) {
    await cache.close();
    throw new InfrastructureError(`Redis connection failed for ${plan.label} cache: ${reason}`);
  }
  if (!plan.fallbackToMemory) {
    plan.logger.warn(
      { reason },
      `Redis unreachable for the ${plan.label} cache: starting degraded (serving from L1) and reconnecting`,
    );
    return cache;
  }
  await cache.close();
  fallback.reason = `Redis unreachable at start (${reason}): an in-memory cache that does not reconnect`;
  plan.logger.error(
    { reason },
    `Redis unreachable for the ${plan.label} cache: falling back to a private in-memory cache that will not reconnect (pass fallbackToMemory: false to keep the Redis cache and let it reconnect)`,
  );
  return undefined;
}
