import type { SemanticEvent } from '../../core/events.js';
import type { CacheInterface } from '../../core/types.js';
import { GenericRedisCache } from '../../redis/generic-redis-cache.js';
import { auxPrefixOf } from '../../redis/options.js';
import type { AIMetrics } from '../ai-metrics.js';
import { SemanticMatcher } from './semantic-matcher.js';
import { resolveSemantic } from './semantic-options.js';
import { SharedIndex } from './shared-index.js';

/**
 * The matcher of an AI cache with `semantic` options, or undefined without them. On a Redis cache the
 * index is shared through Redis; on any other cache it lives in this process only.
 */
export function createSemanticMatcher(
  options: unknown,
  cache: CacheInterface,
  metrics: AIMetrics,
  announce: (event: SemanticEvent) => void,
): SemanticMatcher | undefined {
  const settings = resolveSemantic(options);
  if (settings === undefined) return undefined;
  const shared =
    cache instanceof GenericRedisCache
      ? new SharedIndex(cache.client, auxPrefixOf(cache.keyPrefix), settings.maxEntries)
      : undefined;
  return new SemanticMatcher(settings, {
    read: (key) => cache.get(key),
    readMany: (keys) => cache.getMany(keys),
    healthy: () => !(cache instanceof GenericRedisCache) || cache.connectionError === undefined,
    announce,
    recordRejected: (operation) => metrics.recordSemanticRejected(operation),
    shared,
    now: Date.now,
  });
}
