import type { CacheInterface } from './types.js';

/**
 * What some caches can do beyond `CacheInterface`, named once here instead of probed with casts. Each
 * ability has a guard; code that composes or serves a cache asks the guard, never the method's presence.
 */

/** Connects to its backend ahead of the first call; `false` = unreachable (the cache still serves). */
export interface ConnectableCache {
  connect(): Promise<boolean>;
}

/** Lists and counts its keys by pattern (SPEC §9 semantics). */
export interface KeyListingCache {
  scanKeys(pattern?: string): AsyncGenerator<string>;
  countMatching(pattern: string): Promise<number>;
}

/**
 * Answers an in-process hit synchronously (`undefined` = not in process, nothing counted: call `get`).
 * Internal: keyed by a symbol so it stays off the public surface; composing caches (the AI cache) use it
 * to skip an async frame on hits.
 */
export const PEEK: unique symbol = Symbol('tiercache.peek');
export interface PeekableCache {
  [PEEK]<T = unknown>(key: string): T | undefined;
}

function hasMethod(cache: object, name: PropertyKey): boolean {
  return typeof (cache as Record<PropertyKey, unknown>)[name] === 'function';
}

export function canConnect(cache: CacheInterface): cache is CacheInterface & ConnectableCache {
  return hasMethod(cache, 'connect');
}

export function canListKeys(cache: CacheInterface): cache is CacheInterface & KeyListingCache {
  return hasMethod(cache, 'scanKeys') && hasMethod(cache, 'countMatching');
}

export function canPeek(cache: CacheInterface): cache is CacheInterface & PeekableCache {
  return hasMethod(cache, PEEK);
}
