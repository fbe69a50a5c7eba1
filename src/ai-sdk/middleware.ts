import type { LanguageModelMiddleware } from 'ai';
import type { AIResponseCache } from '../ai/ai-response-cache.js';
import { assertOperation } from '../ai/key-generator.js';
import { parseLifetimeMs, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import type { CacheInterface } from '../core/types.js';
import { AICacheResponseStore } from './ai-cache-store.js';
import { CachePolicy } from './cache-policy.js';
import { CacheResponseStore, type ResponseStore, type StoreSettings } from './cache-store.js';
import { requestDigest, splitCall } from './request-key.js';

/** Options of `tiercacheMiddleware`. */
export interface TiercacheMiddlewareOptions {
  /**
   * Where responses are kept: any tiercache cache. An `AIResponseCache` is used through `getOrCompute`
   * (and `getOrComputeStream`), so its hits, compute time and tokens saved count.
   */
  cache: CacheInterface;
  /** Key prefix in a plain cache; the operation (TTL, metrics) in an AI cache. @default 'ai-sdk' */
  namespace?: string;
  /** How long responses stay. @default the cache's `defaultTtl` (an AI cache's: `operationTtls[namespace]`, else its `defaultTtl`) */
  ttl?: Duration;
  /** Also cache answers that ask the application to run tools (`finishReason: 'tool-calls'`). @default false */
  cacheToolCalls?: boolean;
  /** How a cached stream is replayed: at once, or at the pace it was recorded. @default 'fast' */
  replay?: 'fast' | 'recorded';
  /** A stream with more parts is passed through but not stored (the recording is held in memory). @default 10000 */
  maxStreamParts?: number;
}

/** The defaults of `TiercacheMiddlewareOptions`. */
const DEFAULTS = {
  namespace: 'ai-sdk',
  cacheToolCalls: false,
  replay: 'fast',
  maxStreamParts: 10_000,
} as const satisfies Partial<TiercacheMiddlewareOptions>;

const OPTION_NAMES = new Set(['cache', 'namespace', 'ttl', 'cacheToolCalls', 'replay', 'maxStreamParts']);

/**
 * A Vercel AI SDK language model middleware (`wrapLanguageModel({ model, middleware })`) that answers
 * identical calls from a tiercache cache: `generateText`/`generateObject` through `wrapGenerate`,
 * `streamText` through `wrapStream` (recorded, then replayed). What is cached and what is skipped:
 * docs/ai-adapters.md.
 */
export function tiercacheMiddleware(options: TiercacheMiddlewareOptions): LanguageModelMiddleware {
  const store = responseStore(options);
  return {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate, params, model }) {
      const digest = requestDigest('generate', model, params);
      if (digest === undefined) return doGenerate();
      return store.generate(digest, model, doGenerate, splitCall('generate', model, params));
    },
    async wrapStream({ doStream, params, model }) {
      const digest = requestDigest('stream', model, params);
      if (digest === undefined) return doStream();
      return store.stream(digest, model, doStream, splitCall('stream', model, params));
    },
  };
}

function responseStore(options: TiercacheMiddlewareOptions): ResponseStore {
  if (typeof options !== 'object' || options === null)
    throw new ValidationError('tiercacheMiddleware needs options: { cache }', { option: 'options' });
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name))
      throw new ValidationError(`unknown tiercacheMiddleware option: ${name}`, { option: name });
  }
  const { cache } = options;
  if (!isCache(cache))
    throw new ValidationError(
      'cache must be a tiercache cache (InMemoryCache, GenericRedisCache, AIResponseCache)',
      { option: 'cache' },
    );
  const settings = storeSettings(options);
  return isAICache(cache)
    ? new AICacheResponseStore(cache, settings)
    : new CacheResponseStore(cache, settings);
}

function storeSettings(options: TiercacheMiddlewareOptions): StoreSettings {
  const namespace = options.namespace ?? DEFAULTS.namespace;
  try {
    assertOperation(namespace);
  } catch (error) {
    throw new ValidationError(`namespace is also the AI operation name: ${(error as Error).message}`, {
      option: 'namespace',
    });
  }
  if (options.ttl !== undefined) parseLifetimeMs(options.ttl, 'ttl');
  const cacheToolCalls = options.cacheToolCalls ?? DEFAULTS.cacheToolCalls;
  if (typeof cacheToolCalls !== 'boolean')
    throw new ValidationError('cacheToolCalls must be a boolean', { option: 'cacheToolCalls' });
  const replay = options.replay ?? DEFAULTS.replay;
  if (replay !== 'fast' && replay !== 'recorded')
    throw new ValidationError("replay must be 'fast' or 'recorded'", { option: 'replay' });
  const maxStreamParts = options.maxStreamParts ?? DEFAULTS.maxStreamParts;
  if (!Number.isSafeInteger(maxStreamParts) || maxStreamParts < 1)
    throw new ValidationError('maxStreamParts must be a positive integer', { option: 'maxStreamParts' });
  return { namespace, ttl: options.ttl, policy: new CachePolicy(cacheToolCalls), replay, maxStreamParts };
}

function isCache(cache: unknown): cache is CacheInterface {
  const candidate = cache as Partial<CacheInterface> | undefined;
  return (
    typeof candidate?.get === 'function' &&
    typeof candidate.set === 'function' &&
    typeof candidate.getOrSet === 'function'
  );
}

/** An AI cache, recognised by its API (a second copy of tiercache in node_modules defeats `instanceof`). */
function isAICache(cache: CacheInterface): cache is AIResponseCache {
  return typeof (cache as Partial<AIResponseCache>).getOrCompute === 'function';
}
