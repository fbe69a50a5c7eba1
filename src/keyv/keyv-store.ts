import { EventEmitter } from 'node:events';
import { canListKeys } from '../core/capabilities.js';
import { ValidationError } from '../core/errors.js';
import { escapeGlob } from '../core/pattern.js';
import type { CacheInterface } from '../core/types.js';

/** The cache behind the store: any tiercache cache (`iterator()` needs one that lists keys; all built-in ones do). */
export type KeyvBackingCache = CacheInterface;

export interface TiercacheKeyvStoreOptions {
  /** Close the cache when Keyv disconnects the store. @default false (the cache may be shared) */
  closeCacheOnDisconnect?: boolean;
}

/**
 * A Keyv storage adapter over any tiercache cache, so Keyv, cache-manager and @nestjs/cache-manager users
 * get tiercache's tiers, encryption and monitoring without changing their code. Keyv prefixes keys with
 * its namespace (Keyv 6 through its bridge, as `namespace::key`); `clear()` removes only that namespace.
 * It has no `hasMany`/`setMany` on purpose: with them Keyv 6 would leave namespacing to the store.
 */
export class TiercacheKeyvStore extends EventEmitter {
  /**
   * Keyv only offers `iterator()` for stores whose dialect it knows; tiercache iterates every tier (SCAN
   * in Redis), so it presents itself with the Redis dialect.
   */
  readonly opts = { dialect: 'redis', url: 'tiercache://' } as const;
  /** Set by Keyv. */
  namespace: string | undefined;
  readonly #cache: KeyvBackingCache;
  readonly #closeOnDisconnect: boolean;
  /** Set once Keyv 6 has looked at this store (see `capabilities`). */
  #perKeyDeletes = false;

  constructor(cache: KeyvBackingCache, options: TiercacheKeyvStoreOptions = {}) {
    super();
    if (typeof cache?.get !== 'function' || typeof cache.set !== 'function') {
      throw new ValidationError(
        'TiercacheKeyvStore needs a tiercache cache (InMemoryCache, GenericRedisCache, AIResponseCache)',
        { option: 'cache' },
      );
    }
    this.#cache = cache;
    this.#closeOnDisconnect = options.closeCacheOnDisconnect ?? false;
    cache.on('error', (event) => this.#report(event.error));
  }

  get<Value>(key: string): Promise<Value | undefined> {
    return this.#reporting(this.#cache.get<Value>(key));
  }

  getMany<Value>(keys: string[]): Promise<(Value | undefined)[]> {
    return this.#reporting(this.#cache.getMany<Value>(keys));
  }

  /**
   * Keyv gives TTLs in milliseconds; tiercache keeps whole seconds, so a TTL is rounded up (1 ms → 1 s,
   * never 0, which would mean "no expiry"). Keyv also stores the exact expiry with the value and checks
   * it on read. Without a TTL the cache's `defaultTtl` applies. Keyv reports a failure itself.
   */
  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)) {
      throw new ValidationError('ttl must be a non-negative number of milliseconds', { option: 'ttl' });
    }
    await this.#cache.set(key, value, ttl === undefined || ttl === 0 ? undefined : Math.ceil(ttl / 1000));
    return true;
  }

  delete(key: string): Promise<boolean> {
    return this.#reporting(this.#cache.delete(key));
  }

  /**
   * Keyv 6 reads a store's `capabilities` before it wraps the store in its bridge, and Keyv 5 never does.
   * The answer `undefined` keeps the bridge (which prefixes namespaces for this store); the read itself
   * tells the store that `deleteMany` must answer Keyv 6's way.
   */
  get capabilities(): undefined {
    this.#perKeyDeletes = true;
    return undefined;
  }

  /**
   * Under Keyv 6, one boolean per key (true where the key existed); under Keyv 5, one boolean: true when
   * any key existed. Keyv 6 would repeat a single boolean for every key.
   */
  async deleteMany(keys: string[]): Promise<boolean[] | boolean> {
    if (!this.#perKeyDeletes || !Array.isArray(keys))
      return (await this.#reporting(this.#cache.deleteMany(keys))) > 0;
    return this.#reporting(Promise.all(keys.map((key) => this.#cache.delete(key))));
  }

  has(key: string): Promise<boolean> {
    return this.#reporting(this.#cache.exists(key));
  }

  /** Removes this namespace's keys only (every key of the cache when there is no namespace). */
  async clear(): Promise<void> {
    if (this.namespace === undefined) await this.#reporting(this.#cache.clear());
    else await this.#reporting(this.#cache.invalidatePattern(`${escapeGlob(this.namespace)}:*`));
  }

  /** `[key, value]` pairs of a namespace (SCAN-based for Redis). */
  async *iterator<Value>(namespace?: string): AsyncGenerator<[string, Value | undefined]> {
    const cache = this.#cache;
    if (!canListKeys(cache))
      throw new ValidationError('the cache behind this store cannot list its keys', { option: 'cache' });
    const pattern = namespace === undefined ? '' : `${escapeGlob(namespace)}:*`;
    for await (const key of cache.scanKeys(pattern)) {
      const value = await this.#cache.get<Value>(key);
      if (value !== undefined) yield [key, value];
    }
  }

  async disconnect(): Promise<void> {
    if (this.#closeOnDisconnect) await this.#cache.close();
  }

  /** Keyv swallows most store failures silently; announcing them keeps its `error` event meaningful. */
  async #reporting<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      this.#report(error);
      throw error;
    }
  }

  #report(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
