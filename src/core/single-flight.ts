import { ValidationError } from './errors.js';
import { assertKey, resolveTtl } from './values.js';
import type { Duration } from './duration.js';
import type { CacheInterface, GetOrSetOptions } from './types.js';

/** Runs at most one task per key at a time; callers of a running key share its promise. */
export class SingleFlight {
  readonly #running = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running as Promise<T>;
    const promise = task().finally(() => this.#running.delete(key));
    this.#running.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.#running.size;
  }
}

/**
 * `getOrSet` in terms of a cache's own `get` and `set`: a hit is returned as is; on a miss one factory
 * call per key runs (in this process) and its result is stored. `undefined` results are not stored.
 */
export async function getOrSetThrough<T>(
  cache: Pick<CacheInterface, 'get' | 'set'>,
  flights: SingleFlight,
  defaultTtl: number,
  key: string,
  factory: () => Promise<T> | T,
  options: Duration | GetOrSetOptions | undefined,
): Promise<T> {
  assertKey(key);
  if (typeof factory !== 'function')
    throw new ValidationError('factory must be a function', { option: 'factory' });
  const ttl = resolveTtl(options, defaultTtl);
  const cached = await cache.get<T>(key);
  if (cached !== undefined) return cached;
  return flights.run(key, async () => {
    const value = await factory();
    if (value !== undefined) await cache.set(key, value, ttl);
    return value;
  });
}
