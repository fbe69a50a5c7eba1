import type { Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import type { CacheInterface } from '../core/types.js';
import type { GenericRedisCacheOptions } from '../redis/options.js';
import type { TextSizeTiers } from './text-tiers.js';

/** The AI settings (SPEC §5, §7); the rest of the options build the Redis cache when `cache` is not given. */
export interface AIOptions {
  /** Texts longer than this many code points are hashed in keys; 0 hashes every text. @default 1000 */
  textHashThreshold?: number;
  /** @default 'sha256' */
  hashAlgorithm?: string;
  /** @default { small: 500, medium: 5000, large: 50000 } */
  textSizeTiers?: Partial<TextSizeTiers>;
  /** TTL per operation, merged over the defaults (summarize 7200, sentiment 86400, key_points 7200, questions 3600, qa 1800). */
  operationTtls?: Record<string, Duration>;
  /** Longest text accepted by `buildKey`/`getOrCompute`, in code points. @default unlimited */
  maxTextLength?: number;
}

export type AIResponseCacheOptions = AIOptions &
  GenericRedisCacheOptions & {
    /** Compose this cache instead of building a GenericRedisCache (e.g. an InMemoryCache). It is not closed by `close()`. */
    cache?: CacheInterface;
  };

export const AI_OPTION_NAMES = [
  'textHashThreshold',
  'hashAlgorithm',
  'textSizeTiers',
  'operationTtls',
  'maxTextLength',
] as const;

/** Splits AI settings from the options of the Redis cache to build. */
export function splitAIOptions(options: AIResponseCacheOptions): {
  ai: AIOptions;
  cache: CacheInterface | undefined;
  redis: GenericRedisCacheOptions;
} {
  if (typeof options !== 'object' || options === null)
    throw new ValidationError('options must be a plain object', { option: 'options' });
  const { cache, textHashThreshold, hashAlgorithm, textSizeTiers, operationTtls, maxTextLength, ...redis } =
    options;
  if (cache !== undefined) {
    if (
      typeof cache?.get !== 'function' ||
      typeof cache.set !== 'function' ||
      typeof cache.on !== 'function'
    ) {
      throw new ValidationError('cache must implement the tiercache CacheInterface', { option: 'cache' });
    }
    const extra = Object.keys(redis).filter((k) => k !== 'logger');
    if (extra.length > 0) {
      throw new ValidationError(
        `${extra.join(', ')} cannot be combined with cache: configure the composed cache instead`,
        {
          option: extra[0] as string,
        },
      );
    }
  }
  if (maxTextLength !== undefined && (!Number.isInteger(maxTextLength) || maxTextLength < 1)) {
    throw new ValidationError('maxTextLength must be a positive integer', { option: 'maxTextLength' });
  }
  const ai: AIOptions = { textHashThreshold, hashAlgorithm, textSizeTiers, operationTtls, maxTextLength };
  return { ai, cache, redis };
}
