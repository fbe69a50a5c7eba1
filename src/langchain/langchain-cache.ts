import { hash } from 'node:crypto';
import { BaseCache, deserializeStoredGeneration, serializeGeneration } from '@langchain/core/caches';
import type { StoredGeneration } from '@langchain/core/messages';
import type { Generation } from '@langchain/core/outputs';
import { parseLifetimeMs, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import type { CacheInterface, SetOptions } from '../core/types.js';

/** Options of `TiercacheLangChainCache`. */
export interface TiercacheLangChainCacheOptions {
  /** Keys are `{namespace}:{sha256 of prompt and llmKey}`. @default 'langchain' */
  namespace?: string;
  /** How long generations stay. @default the cache's `defaultTtl` */
  ttl?: Duration;
}

const DEFAULTS = { namespace: 'langchain' } as const satisfies TiercacheLangChainCacheOptions;

/** Generations as stored: LangChain's own serialized form, plus `generationInfo` when it is plain JSON. */
interface StoredGenerations {
  v: 1;
  generations: (StoredGeneration & { generationInfo?: Record<string, unknown> })[];
}

/**
 * A LangChain.js cache (`new ChatOpenAI({ cache })`, any model's `cache` option) over any tiercache cache:
 * one entry per prompt and model configuration (`llmKey`, LangChain's serialized call settings). Chat
 * messages are stored with LangChain's own mapping (`serializeGeneration` / `deserializeStoredGeneration`),
 * so they come back as the message classes they were.
 */
export class TiercacheLangChainCache extends BaseCache<Generation[]> {
  readonly namespace: string;
  readonly #cache: CacheInterface;
  readonly #setOptions: SetOptions | undefined;

  constructor(cache: CacheInterface, options: TiercacheLangChainCacheOptions = {}) {
    super();
    if (typeof cache?.get !== 'function' || typeof cache.set !== 'function') {
      throw new ValidationError(
        'TiercacheLangChainCache needs a tiercache cache (InMemoryCache, GenericRedisCache, AIResponseCache)',
        { option: 'cache' },
      );
    }
    if (typeof options !== 'object' || options === null)
      throw new ValidationError('options must be an object', { option: 'options' });
    const namespace = options.namespace ?? DEFAULTS.namespace;
    if (typeof namespace !== 'string' || namespace === '' || namespace.length > 128)
      throw new ValidationError('namespace must be a non-empty string of at most 128 characters', {
        option: 'namespace',
      });
    if (options.ttl !== undefined) parseLifetimeMs(options.ttl, 'ttl');
    this.namespace = namespace;
    this.#cache = cache;
    this.#setOptions = options.ttl === undefined ? undefined : { ttl: options.ttl };
    // LangChain's default joins prompt and llmKey with '_', so ('a_b', 'c') and ('a', 'b_c') would share
    // a key; a JSON array keeps them apart. `makeDefaultKeyEncoder` still replaces it.
    this.keyEncoder = (...parts: string[]) => hash('sha256', JSON.stringify(parts), 'hex');
  }

  /** The generations cached for this prompt and model configuration, or `null`. */
  async lookup(prompt: string, llmKey: string): Promise<Generation[] | null> {
    const stored = await this.#cache.get<unknown>(this.#key(prompt, llmKey));
    if (!isStoredGenerations(stored)) return null;
    // A copy: LangChain sets fields on what a lookup returns, and a memory tier hands out frozen objects.
    return structuredClone(stored.generations).map(({ generationInfo, ...generation }) => {
      const restored: Generation = deserializeStoredGeneration(generation);
      if (generationInfo !== undefined) restored.generationInfo = generationInfo;
      return restored;
    });
  }

  /** Stores a call's generations (all of them, under one key, so a lookup never sees half of them). */
  async update(prompt: string, llmKey: string, generations: Generation[]): Promise<void> {
    const stored: StoredGenerations = {
      v: 1,
      generations: generations.map((generation) => {
        const serialized = serializeGeneration(generation);
        const info = generation.generationInfo;
        return info !== undefined && isPlainJson(info) ? { ...serialized, generationInfo: info } : serialized;
      }),
    };
    await this.#cache.set(this.#key(prompt, llmKey), stored, this.#setOptions);
  }

  #key(prompt: string, llmKey: string): string {
    return `${this.namespace}:${this.keyEncoder(prompt, llmKey)}`;
  }
}

function isStoredGenerations(value: unknown): value is StoredGenerations {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as StoredGenerations).v === 1 &&
    Array.isArray((value as StoredGenerations).generations)
  );
}

/** Strings, finite numbers, booleans, null, arrays and plain objects only (what every tier can carry). */
function isPlainJson(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth > 32) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainJson(item, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((item) => item === undefined || isPlainJson(item, depth + 1));
}
