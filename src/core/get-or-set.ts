import { FactoryTimeoutError, ValidationError } from './errors.js';
import { parseDuration, parseTimeoutMs, type Duration } from './duration.js';
import type { Logger } from './logger.js';
import type { SingleFlight } from './single-flight.js';
import type { GetOrSetOptions } from './types.js';
import { assertKey } from './values.js';
import type { TtlPolicy, WritePlan } from './write-plan.js';
import { assertTags } from './write-plan.js';

/** A stored entry as `getOrSet` sees it: fresh, or past its TTL but inside its grace period. */
export interface EntryRead {
  value: unknown;
  stale: boolean;
}

/** A held distributed lock; `release` only deletes it while it is still ours. */
export interface Lease {
  release(): Promise<void>;
}

/** Distributed single-flight (a Redis lease lock); absent on in-process caches. */
export interface KeyLock {
  /** A lease, `null` when another instance holds the lock, `undefined` when the lock store is unusable. */
  tryAcquire(key: string, leaseMs: number): Promise<Lease | null | undefined>;
  isHeld(key: string): Promise<boolean>;
}

/** What a cache provides so `getOrSet` can run on it. */
export interface GetOrSetHost {
  readonly ttlPolicy: TtlPolicy;
  readonly flights: SingleFlight;
  readonly logger: Logger;
  readonly lock: KeyLock | undefined;
  /** A fresh value held in process, synchronously (counted as a hit); `undefined` otherwise. */
  peekFresh(key: string): unknown;
  /** The entry, fresh or stale-within-grace (counted as a get). */
  readEntry(key: string): Promise<EntryRead | undefined>;
  store(key: string, value: unknown, plan: WritePlan): Promise<void>;
}

interface ResolvedGetOrSet {
  plan: WritePlan;
  timeoutMs: number;
  hardTimeoutMs: number;
  lockTimeoutMs: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
const KNOWN = new Set(['ttl', 'tags', 'grace', 'timeout', 'hardTimeout', 'lockTimeout']);

/** Validates `getOrSet` options; timeouts are milliseconds, 0 = none. */
export function resolveGetOrSetOptions(
  options: Duration | GetOrSetOptions | undefined,
  policy: TtlPolicy,
): ResolvedGetOrSet {
  if (options === undefined || typeof options !== 'object' || options === null) {
    return {
      plan: policy.plan(options),
      timeoutMs: 0,
      hardTimeoutMs: 0,
      lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
    };
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new ValidationError(`unknown getOrSet option: ${name}`, { option: name });
  }
  const grace = options.grace === undefined ? 0 : parseDuration(options.grace, 'grace');
  const ttl = options.ttl === undefined ? policy.defaultTtl : parseDuration(options.ttl, 'ttl');
  const timeoutMs = options.timeout === undefined ? 0 : parseTimeoutMs(options.timeout, 'timeout');
  const hardTimeoutMs =
    options.hardTimeout === undefined ? 0 : parseTimeoutMs(options.hardTimeout, 'hardTimeout');
  if (timeoutMs > 0 && hardTimeoutMs > 0 && timeoutMs > hardTimeoutMs) {
    throw new ValidationError('timeout must not exceed hardTimeout (the soft timeout comes first)', {
      option: 'timeout',
    });
  }
  const lockTimeoutMs =
    options.lockTimeout === undefined
      ? DEFAULT_LOCK_TIMEOUT_MS
      : parseTimeoutMs(options.lockTimeout, 'lockTimeout');
  return {
    plan: policy.planSeconds(ttl, grace, assertTags(options.tags)),
    timeoutMs,
    hardTimeoutMs,
    lockTimeoutMs,
  };
}

/**
 * `getOrSet` (DESIGN §5): a fresh value is returned as is. Otherwise one factory call per key runs in this
 * process (single-flight) and, with a lock, across instances: the others wait up to `lockTimeout` for the
 * value, then compute themselves. A stale value inside its grace period is served when the factory fails
 * or passes the soft `timeout`; past `hardTimeout` the caller gets `FactoryTimeoutError`.
 */
export async function getOrSet<T>(
  host: GetOrSetHost,
  key: string,
  factory: () => Promise<T> | T,
  options: Duration | GetOrSetOptions | undefined,
): Promise<T> {
  assertKey(key);
  if (typeof factory !== 'function')
    throw new ValidationError('factory must be a function', { option: 'factory' });
  const resolved = resolveGetOrSetOptions(options, host.ttlPolicy);
  const local = host.peekFresh(key);
  if (local !== undefined) return local as T;
  const entry = await host.readEntry(key);
  if (entry !== undefined && !entry.stale) return entry.value as T;
  return host.flights.run(key, () =>
    settle(host.logger, key, refresh(host, key, factory, resolved, entry), resolved, entry),
  );
}

async function refresh<T>(
  host: GetOrSetHost,
  key: string,
  factory: () => Promise<T> | T,
  options: ResolvedGetOrSet,
  stale: EntryRead | undefined,
): Promise<T> {
  let lease: Lease | undefined;
  if (host.lock && options.lockTimeoutMs > 0) {
    const outcome = await acquireOrWait(host, host.lock, key, options.lockTimeoutMs, stale !== undefined);
    if ('value' in outcome) return outcome.value as T;
    // Another instance is refreshing: the stale value is the answer meanwhile (stale-while-revalidate).
    if ('busy' in outcome) return stale?.value as T;
    lease = outcome.lease;
  }
  try {
    const value = await factory();
    if (value !== undefined) await host.store(key, value, options.plan);
    return value;
  } finally {
    await lease?.release();
  }
}

/**
 * Takes the lock, or waits for its owner's value; gives up waiting after `lockTimeoutMs`. With a stale
 * value at hand (`serveStale`) it does not wait: `busy` says another instance is refreshing.
 */
async function acquireOrWait(
  host: GetOrSetHost,
  lock: KeyLock,
  key: string,
  lockTimeoutMs: number,
  serveStale: boolean,
): Promise<{ value: unknown } | { lease: Lease | undefined } | { busy: true }> {
  const deadline = performance.now() + lockTimeoutMs;
  let delay = 5;
  for (;;) {
    const lease = await lock.tryAcquire(key, lockTimeoutMs);
    if (lease === undefined) return { lease: undefined };
    if (lease !== null) {
      // The previous owner may have stored the value between our read and our lock.
      const entry = await host.readEntry(key);
      if (entry !== undefined && !entry.stale) {
        await lease.release();
        return { value: entry.value };
      }
      return { lease };
    }
    if (serveStale) return { busy: true };
    while (await lock.isHeld(key)) {
      const left = deadline - performance.now();
      if (left <= 0) return { lease: undefined };
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 100);
    }
    const entry = await host.readEntry(key);
    if (entry !== undefined && !entry.stale) return { value: entry.value };
    if (performance.now() >= deadline) return { lease: undefined };
  }
}

/** Applies grace and the soft and hard timeouts to a refresh (the lock wait and the factory). */
function settle<T>(
  logger: Logger,
  key: string,
  computation: Promise<T>,
  options: ResolvedGetOrSet,
  stale: EntryRead | undefined,
): Promise<T> {
  const graced = stale
    ? computation.catch((error: unknown) => {
        logger.warn(
          { key, err: (error as Error)?.message },
          'getOrSet factory failed; serving the stale value',
        );
        return stale.value as T;
      })
    : computation;
  const softMs = stale ? options.timeoutMs : 0;
  if (softMs === 0 && options.hardTimeoutMs === 0) return graced;
  // The factory keeps running when a timeout answers first; its result is still stored.
  computation.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const done = (): void => timers.forEach(clearTimeout);
    if (softMs > 0) timers.push(setTimeout(() => (done(), resolve(stale?.value as T)), softMs));
    if (options.hardTimeoutMs > 0) {
      timers.push(
        setTimeout(() => {
          done();
          reject(
            new FactoryTimeoutError(
              `getOrSet factory for "${key}" did not finish within ${options.hardTimeoutMs} ms`,
              {
                key,
              },
            ),
          );
        }, options.hardTimeoutMs),
      );
    }
    graced.then(
      (value) => (done(), resolve(value)),
      (error: unknown) => (done(), reject(error as Error)),
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
