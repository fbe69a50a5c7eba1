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

/** Tracks its most read keys (a sampled top-k; see `HotKeys`). */
export interface HotKeysCache {
  getHotKeys(limit?: number): { key: string; estimatedReads: number }[];
}

export function canTrackHotKeys<C extends object>(cache: C): cache is C & HotKeysCache {
  return hasMethod(cache, 'getHotKeys');
}

/** What `inspect(key)` tells about a key: where it is, for how long, how big, never its value. */
export interface KeyInspection {
  key: string;
  /** Where a fresh copy is: `memory` (an InMemoryCache), `l1` and/or `redis`. Empty = a miss. */
  tiers: ('memory' | 'l1' | 'redis')[];
  /**
   * Seconds left: of the in-process copy's freshness, else of the Redis entry (for a getOrSet entry with a
   * grace period, that includes the grace period); `null` = no expiry; absent when not found.
   */
  ttlSeconds?: number | null;
  /** In Redis: the stored bytes (after compression and encryption); in process: the estimate. */
  sizeBytes?: number;
  /** Tags of an in-process copy written here; absent when unknown (Redis keeps key → tag links in tag sets only). */
  tags?: string[];
  /** The stored value's header flags (Redis copies). */
  codec?: {
    format: string;
    compression: string;
    encrypted: boolean;
    encryptionKeyId?: number;
    grace: boolean;
  };
  /** A copy kept past its TTL for getOrSet's grace period only (invisible to `get`). */
  graceOnly?: boolean;
}

/** Describes one key without reading its value (`GET /internal/cache/inspect`, `tiercache inspect`). */
export interface InspectableCache {
  inspect(key: string): Promise<KeyInspection>;
}

export function canInspect<C extends object>(cache: C): cache is C & InspectableCache {
  return hasMethod(cache, 'inspect');
}

/** What an AI cache reports per operation (the figures the Prometheus exporter reads at scrape time). */
export interface AIOperationFigures {
  requests: number;
  hits: number;
  misses: number;
  /** Time spent computing since the start (ms): a true total. */
  computeTimeMs: number;
  timeSavedMs: number;
  tokensSaved: { inputTokens: number; outputTokens: number };
  /** Streamed requests answered without their own upstream call. */
  streamReplays?: number;
  /** Money hits saved (caches with a price table only). */
  costSaved?: number;
  /** Requests answered by semantic matching. */
  semanticHits?: number;
  /** Semantic candidates vetoed by the guard. */
  semanticRejectedByGuard?: number;
}

/** Keeps per-operation AI figures (an AIResponseCache). */
export interface AIReportingCache {
  getOperationPerformance(): Record<string, AIOperationFigures>;
}

export function canReportAI<C extends object>(cache: C): cache is C & AIReportingCache {
  return hasMethod(cache, 'getOperationPerformance');
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
