import type { Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { KINDS, inCode, optionProblem, plain, type OptionDefinition } from '../core/option-definition.js';
import type { CacheInterface } from '../core/types.js';
import type { GenericRedisCacheOptions } from '../redis/options.js';
import type { KeyScheme } from './key-generator.js';
import { DEFAULT_TEXT_SIZE_TIERS, type TextSizeTiers } from './text-tiers.js';
import { DEFAULT_OPERATION_TTLS } from './operation-ttls.js';
import type { PriceTable } from './price-table.js';
import type { SemanticOptions } from './semantic/semantic-options.js';

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
  /** `'v3'` exact keys; `'v2'` the original system's keys, lossy, to share entries with it. @default 'v3' */
  keyScheme?: KeyScheme;
  /** Prices per model and 1M input/output tokens, to report the money hits saved. @default none */
  prices?: PriceTable;
  /** Semantic matching: a near-identical stored request answers an exact-key miss (docs/semantic-cache.md). @default off */
  semantic?: SemanticOptions;
}

export type AIResponseCacheOptions = AIOptions &
  GenericRedisCacheOptions & {
    /** Compose this cache instead of building a GenericRedisCache (e.g. an InMemoryCache). It is not closed by `close()`. */
    cache?: CacheInterface;
  };

const { CUSTOM } = KINDS;

/** Every AI option, defined once (see `OptionDefinition`); a configuration carries them under `aiConfig`. */
// prettier-ignore
export const AI_OPTIONS = {
  textHashThreshold: plain({ type: 'integer', min: 0, max: Number.MAX_SAFE_INTEGER, message: 'a non-negative integer' }, 'texts longer than this many code points are hashed in keys; `0` hashes every text', undefined, 1000),
  hashAlgorithm: inCode("hash of long texts in keys: one of Node's algorithms", 'the key hash is chosen in code: new AIResponseCache({ hashAlgorithm })', "`'sha256'`"),
  textSizeTiers: plain(CUSTOM, 'code-point bounds of the small, medium and large text tiers (metrics)', undefined, undefined, `\`${JSON.stringify(DEFAULT_TEXT_SIZE_TIERS)}\``),
  operationTtls: plain(CUSTOM, 'TTL per operation, merged over the defaults', undefined, undefined, Object.entries(DEFAULT_OPERATION_TTLS).map(([op, s]) => `${op} ${s}`).join(', ')),
  maxTextLength: plain({ type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, message: 'a positive integer' }, 'longest text accepted by `buildKey`/`getOrCompute`, in code points', undefined, undefined, 'unlimited'),
  keyScheme: plain({ type: 'enum', values: ['v3', 'v2'] }, "AI key format: `'v3'` exact (model and tenant keyed, values escaped, long texts hashed); `'v2'` the original system's, lossy", undefined, 'v3'),
  prices: inCode('prices per model and 1M input/output tokens: hits report the money they saved', 'a price table is given in code: new AIResponseCache({ prices })'),
  semantic: inCode('semantic matching: on an exact-key miss, a near-identical stored request of the same partition answers if it clears the threshold and the guard (docs/semantic-cache.md)', 'semantic matching needs an embedder, given in code: new AIResponseCache({ semantic: { embed } })', 'off'),
} satisfies Record<keyof AIOptions, OptionDefinition>;

export const AI_OPTION_NAMES = Object.keys(AI_OPTIONS) as (keyof typeof AI_OPTIONS)[];

/** Splits AI settings from the options of the Redis cache to build. */
export function splitAIOptions(options: AIResponseCacheOptions): {
  ai: AIOptions;
  cache: CacheInterface | undefined;
  redis: GenericRedisCacheOptions;
} {
  if (typeof options !== 'object' || options === null)
    throw new ValidationError('options must be a plain object', { option: 'options' });
  // One list decides what is an AI setting (AI_OPTIONS): everything else builds the Redis cache.
  const { cache, ...rest } = options;
  const ai: Record<string, unknown> = {};
  const redis: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rest))
    ((AI_OPTION_NAMES as readonly string[]).includes(name) ? ai : redis)[name] = value;
  const { maxTextLength, keyScheme } = ai as AIOptions;
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
  for (const [name, value] of [
    ['maxTextLength', maxTextLength],
    ['keyScheme', keyScheme],
  ] as const) {
    const problem = value === undefined ? undefined : optionProblem(name, AI_OPTIONS[name].kind, value);
    if (problem !== undefined) throw new ValidationError(problem, { option: name });
  }
  return { ai: ai, cache, redis: redis };
}
