import type { Duration } from './duration.js';
import type { CacheEventListener, CacheEventName } from './events.js';

export type { Duration } from './duration.js';

/** Per-call write options. `ttl` omitted → the cache's `defaultTtl`; `0` → no expiry. */
export interface SetOptions {
  ttl?: Duration;
  /** Labels for `invalidateTags` (non-empty strings, at most 64 per entry). */
  tags?: string[];
}

/**
 * Options of `getOrSet`; a bare `Duration` means `{ ttl }`. Timeouts also take milliseconds as `'250ms'`
 * (a number is seconds and may be fractional there).
 */
export interface GetOrSetOptions extends SetOptions {
  /** Keep the value this long past its TTL, to be served while the factory fails or is slow. @default 0 */
  grace?: Duration;
  /** Soft timeout: past it, answer the stale value (if any) and let the factory finish in the background. */
  timeout?: Duration;
  /** Past it, reject with `FactoryTimeoutError` (the factory may still finish and store its value). */
  hardTimeout?: Duration;
  /**
   * Distributed single-flight: how long a caller waits for another instance's running factory (`0` = no
   * lock). Past it: the stale value, else `LockTimeoutError`; a second factory never starts while the
   * owner lives (its lease is renewed; a dead owner's lease expires and the lock is taken over). @default '10s'
   */
  lockTimeout?: Duration;
  /** After a factory failure answered with the stale value, do not retry the factory for this long (calls with `grace`). @default '10s' */
  graceBackoff?: Duration;
}

/** What a `getOrSet` factory may say about the value it returns. */
export interface FactoryContext<T = unknown> {
  /** The stale value inside its grace period, when there is one (e.g. for a conditional refresh). */
  readonly staleValue: T | undefined;
  /** Return the value to the callers, but do not store it (e.g. an empty or failed result). */
  skip(): void;
  /** Store the value with this TTL instead of the one the call asked for. */
  setTtl(ttl: Duration): void;
  /** Store the value under these tags instead of the ones the call asked for. */
  setTags(tags: string[]): void;
}

/** A `getOrSet` factory: computes the value; may use its context to skip storing it or change its TTL or tags. */
export type GetOrSetFactory<T> = (context: FactoryContext<T>) => Promise<T> | T;

/** One entry of `setMany`. */
export interface CacheEntry {
  key: string;
  value: unknown;
  ttl?: Duration;
  tags?: string[];
}

/** Hit/miss figures every cache reports. `hitRate` is 0–100, of `get` calls only. */
export interface CacheStats {
  hits: number;
  misses: number;
  hitRate: number;
}

/** The contract every tiercache cache fulfils (DESIGN §2). */
export interface CacheInterface {
  /** The value, or `undefined` on a miss. `null` is a value. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttl?: Duration | SetOptions): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** Removes this cache's own keys only (never FLUSHDB). */
  clear(): Promise<void>;
  getMany<T = unknown>(keys: string[]): Promise<(T | undefined)[]>;
  setMany(entries: CacheEntry[]): Promise<void>;
  /** The number of keys that existed. */
  deleteMany(keys: string[]): Promise<number>;
  /** The cached value, or the factory's result stored and returned; one factory call per key at a time. */
  getOrSet<T>(key: string, factory: GetOrSetFactory<T>, options?: Duration | GetOrSetOptions): Promise<T>;
  /** Removes keys matching the pattern (SPEC §9 semantics) and returns how many. */
  invalidatePattern(pattern: string, operationContext?: string): Promise<number>;
  /** Removes every entry written with any of these tags and returns how many. */
  invalidateTags(tags: string[]): Promise<number>;
  getStats(): Promise<CacheStats>;
  /** Subscribes to a typed event; returns the unsubscribe function. */
  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void;
  close(): Promise<void>;
}

export type Severity = 'info' | 'warning' | 'critical';

/** Advice from the monitor or an AI cache: what is wrong, and what to change. */
export interface Recommendation {
  severity: Severity;
  issue: string;
  message: string;
  suggestions: string[];
}
