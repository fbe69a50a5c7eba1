import type { Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import type { CacheEntry, GetOrSetFactory, SetOptions } from '../core/types.js';
import { snapshotValue } from '../core/values.js';
import { unwrappingContext, wrapEntry, type StoredAIEntry } from './ai-entry.js';
import { ttlOfKey } from './operation-ttls.js';

/** What decides a write's TTL: the operation's, else the cache's default. */
export interface TtlRules {
  ttlFor(operation: string): number;
  readonly defaultTtl: number;
}

/** The options given, with `ttl` filled in: the TTL given, else an AI key's operation TTL (SPEC §5). */
export function withTtl<O extends SetOptions>(
  key: string,
  options: Duration | O | undefined,
  rules: TtlRules,
): O {
  const rest = typeof options === 'object' && options !== null ? options : ({} as O);
  return { ...rest, ttl: ttlOfKey(key, options, rules) };
}

/** `setMany`'s entries wrapped as AI entries with their TTLs (values validated first, so messages name them). */
export function wrapEntries(entries: CacheEntry[], rules: TtlRules): CacheEntry[] {
  for (const e of entries) if (typeof e === 'object' && e !== null) snapshotValue(e.value, false);
  return entries.map((e) =>
    typeof e === 'object' && e !== null
      ? { ...e, value: wrapEntry(e.value, 0, undefined), ttl: ttlOfKey(e.key, e.ttl, rules) }
      : e,
  );
}

/** A `getOrSet` factory storing AI entries, whose context shows the caller unwrapped stale values. */
export function wrappingFactory<T>(factory: GetOrSetFactory<T>): GetOrSetFactory<StoredAIEntry | undefined> {
  if (typeof factory !== 'function')
    throw new ValidationError('factory must be a function', { option: 'factory' });
  return async (context) => {
    const value = await factory(unwrappingContext<T>(context));
    return value === undefined ? undefined : wrapEntry(value, 0, undefined);
  };
}
