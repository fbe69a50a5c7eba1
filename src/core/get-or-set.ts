import { FactoryTimeoutError, LockTimeoutError, ValidationError } from './errors.js';
import { parseLifetimeMs, type Duration } from './duration.js';
import { leaseFor, resolveGetOrSetOptions, type ResolvedGetOrSet } from './get-or-set-options.js';
import type { FillFence } from './fill-fence.js';
import type { GraceBackoff } from './grace-backoff.js';
import type { Logger } from './logger.js';
import type { CacheEventEmitter, FactoryEvent, LockEvent, StaleEvent } from './events.js';
import type { SingleFlight } from './single-flight.js';
import type { FactoryContext, GetOrSetFactory, GetOrSetOptions } from './types.js';
import { assertKey } from './values.js';
import type { TtlPolicy, WritePlan } from './write-plan.js';
import { assertTags } from './write-plan.js';

/** A stored entry as `getOrSet` sees it: fresh, or past its TTL but inside its grace period. */
export interface EntryRead {
  value: unknown;
  stale: boolean;
}

/** A held distributed lock, renewed while the factory runs; `release` only deletes it while it is ours. */
export interface Lease {
  /** This holder's token; a store through the lease succeeds only while Redis still holds it. */
  readonly token: string;
  /** The cache's invalidation epoch when the lease was taken (pattern, tag and clear invalidations bump it). */
  readonly epoch: string;
  /** Stops renewing and deletes the lock; `wake` tells waiters at once (nothing was stored to tell them). */
  release(wake: boolean): Promise<void>;
}

/** Distributed single-flight (a Redis lease lock); absent on in-process caches. */
export interface KeyLock {
  /**
   * A lease renewed until released or until `maxHoldMs` have passed (a hung factory must not hold the key
   * forever); `null` when another instance holds the lock, `undefined` when the lock store is unusable.
   */
  tryAcquire(key: string, leaseMs: number, maxHoldMs: number): Promise<Lease | null | undefined>;
  isHeld(key: string): Promise<boolean>;
  /** Resolves `true` when a message says the key was written or its lock released, `false` after `ms`. */
  waitForRelease(key: string, ms: number): Promise<boolean>;
  /** True when messages wake waiters (then polling is only a slow fallback). */
  readonly wakesWaiters: boolean;
}

/** What a cache provides so `getOrSet` can run on it. */
export interface GetOrSetHost {
  readonly ttlPolicy: TtlPolicy;
  readonly flights: SingleFlight;
  readonly fence: FillFence;
  readonly backoff: GraceBackoff;
  readonly logger: Logger;
  /** Where factory runs, stale answers and lock waits are announced. */
  readonly events: CacheEventEmitter;
  readonly lock: KeyLock | undefined;
  /** A fresh value held in process, synchronously (counted as a hit); `undefined` otherwise. */
  peekFresh(key: string): unknown;
  /**
   * The entry, fresh or stale-within-grace. `counted` (the default): the caller's read, counted and
   * announced as a get; false for the re-reads of one getOrSet (waiting on a lock, under a lease), so a
   * miss is one miss.
   */
  readEntry(key: string, counted?: boolean): Promise<EntryRead | undefined>;
  /**
   * Stores a fill; through a lease only while the lease and the Redis fence hold, and into L1 only while
   * `admitted()` (nothing in this process overtook it meanwhile). False = fenced out, nothing stored.
   */
  store(
    key: string,
    value: unknown,
    plan: WritePlan,
    lease: Lease | undefined,
    admitted: () => boolean,
  ): Promise<boolean>;
}

/** Without `hardTimeout`, a lock is held for at most this many `lockTimeout`s, however long the factory runs. */
const MAX_HOLD_LOCK_TIMEOUTS = 10;

/**
 * `getOrSet` (docs/resilience.md, "Single-flight"): a fresh value is returned as is. Otherwise one factory
 * per key runs in this process and, with a lock, across instances; the flight lasts as long as the factory
 * (a caller answered by a timeout leaves it running, and later callers join it). A stale value inside its
 * grace period is served when the factory fails, passes the soft `timeout`, or failed less than
 * `graceBackoff` ago; past `hardTimeout` the caller gets `FactoryTimeoutError`. A fill that an
 * invalidation overtook answers its callers but is not stored.
 */
export async function getOrSet<T>(
  host: GetOrSetHost,
  key: string,
  factory: GetOrSetFactory<T>,
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
  if (entry !== undefined && resolved.graceMs > 0 && host.backoff.active(key)) {
    announceStale(host.events, key, 'backoff');
    return entry.value as T;
  }
  const computation = host.flights.run(key, () => refresh(host, key, factory, resolved, entry));
  try {
    return await settle(host, key, computation, resolved, entry);
  } catch (error) {
    // The flight found another instance refreshing and had only its first caller's stale value to give:
    // a caller without one of its own asks again (and waits for that instance).
    if (error instanceof RefreshingElsewhere) return getOrSet(host, key, factory, options);
    throw error;
  }
}

/** A flight's outcome when another instance holds the lock and a stale value answers meanwhile. */
class RefreshingElsewhere extends Error {}

async function refresh<T>(
  host: GetOrSetHost,
  key: string,
  factory: GetOrSetFactory<T>,
  options: ResolvedGetOrSet,
  stale: EntryRead | undefined,
): Promise<T> {
  // A flight that ended between this caller's read and now has stored its value: use it.
  const settled = host.peekFresh(key);
  if (settled !== undefined) return settled as T;
  let lease: Lease | undefined;
  if (host.lock && options.lockTimeoutMs > 0) {
    const maxHoldMs = options.hardTimeoutMs || options.lockTimeoutMs * MAX_HOLD_LOCK_TIMEOUTS;
    const outcome = await acquireOrWait(host, host.lock, key, options, maxHoldMs, stale !== undefined);
    if ('value' in outcome) return outcome.value as T;
    // Another instance is refreshing: each caller's stale value is its answer (stale-while-revalidate).
    if ('busy' in outcome) throw new RefreshingElsewhere();
    lease = outcome.lease;
  }
  const ticket = host.fence.open(key);
  let stored = false;
  const started = performance.now();
  const announce = (outcome: FactoryEvent['outcome']): void => {
    if (host.events.has('factory'))
      host.events.emit('factory', { key, durationMs: performance.now() - started, outcome });
  };
  try {
    const context = new FillContext<T>(options, stale);
    let value: T;
    try {
      value = await factory(context);
    } catch (error) {
      announce('error');
      if (stale !== undefined && options.graceMs > 0) host.backoff.failed(key, options.graceBackoffMs);
      throw error;
    }
    host.backoff.succeeded(key);
    if (value !== undefined && !context.skipped) {
      const plan = context.plan(host.ttlPolicy);
      const admitted = (): boolean => host.fence.admits(ticket, plan.tags);
      if (admitted()) stored = await host.store(key, value, plan, lease, admitted);
      announce(stored ? 'stored' : 'fenced');
    } else announce('skipped');
    return value;
  } finally {
    host.fence.close(ticket);
    await lease?.release(!stored);
  }
}

/** What a factory can say about its result (`ctx.skip()`, `ctx.setTtl()`, `ctx.setTags()`). */
class FillContext<T> implements FactoryContext<T> {
  skipped = false;
  readonly staleValue: T | undefined;
  #ttlMs: number;
  #tags: readonly string[] | undefined;

  constructor(
    private readonly options: ResolvedGetOrSet,
    stale: EntryRead | undefined,
  ) {
    this.staleValue = stale?.value as T | undefined;
    this.#ttlMs = options.ttlMs;
    this.#tags = options.tags;
  }

  skip(): void {
    this.skipped = true;
  }

  setTtl(ttl: Duration): void {
    this.#ttlMs = parseLifetimeMs(ttl, 'ttl');
  }

  setTags(tags: string[]): void {
    this.#tags = assertTags(tags);
  }

  plan(policy: TtlPolicy): WritePlan {
    if (this.#ttlMs === this.options.ttlMs && this.#tags === this.options.tags) return this.options.plan;
    return policy.planMs(this.#ttlMs, this.options.graceMs, this.#tags);
  }
}

type LockOutcome = { value: unknown } | { lease: Lease | undefined } | { busy: true };

/**
 * Takes the lock, or waits for its owner's value (woken by a message, polling as a fallback). With a
 * stale value at hand it does not wait: `busy` says another instance is refreshing. Past `lockTimeout`
 * with the owner still alive (its lease renewed), it throws `LockTimeoutError` (a caller with a stale
 * value answers that instead): it never starts a second factory while the first runs. A dead owner's
 * lease expires and the lock is taken over.
 */
async function acquireOrWait(
  host: GetOrSetHost,
  lock: KeyLock,
  key: string,
  options: ResolvedGetOrSet,
  maxHoldMs: number,
  serveStale: boolean,
): Promise<LockOutcome> {
  const { lockTimeoutMs } = options;
  const started = performance.now();
  const deadline = started + lockTimeoutMs;
  let waited = false;
  const announce = (outcome: LockEvent['outcome']): void => {
    if (host.events.has('lock'))
      host.events.emit('lock', { key, outcome, durationMs: performance.now() - started });
  };
  const pollCapMs = lock.wakesWaiters ? 500 : 100;
  let delay = 5;
  const timedOut = (): never => {
    announce('timeout');
    throw new LockTimeoutError(
      `getOrSet waited lockTimeout (${lockTimeoutMs} ms) for another instance computing "${key}"; raise lockTimeout or give the key a grace period`,
      { key, option: 'lockTimeout' },
    );
  };
  for (;;) {
    const lease = await lock.tryAcquire(key, leaseFor(lockTimeoutMs), maxHoldMs);
    if (lease === undefined) return { lease: undefined };
    if (lease !== null) {
      const outcome = await readUnderLease(host, key, lease);
      if (waited) announce('value' in outcome ? 'waited' : 'takeover');
      return outcome;
    }
    if (serveStale) return { busy: true };
    waited = true;
    while (await lock.isHeld(key)) {
      const left = deadline - performance.now();
      if (left <= 0) timedOut();
      const woken = await lock.waitForRelease(key, Math.min(delay, left));
      delay = Math.min(delay * 2, pollCapMs);
      if (!woken) continue;
      // A message: the owner may have stored the value before its release reached us.
      const entry = await host.readEntry(key, false);
      if (entry !== undefined && !entry.stale) {
        announce('waited');
        return { value: entry.value };
      }
    }
    const entry = await host.readEntry(key, false);
    if (entry !== undefined && !entry.stale) {
      announce('waited');
      return { value: entry.value };
    }
    if (performance.now() >= deadline) timedOut();
  }
}

/** With the lock taken: the previous owner may have stored the value between our read and our lock. */
async function readUnderLease(host: GetOrSetHost, key: string, lease: Lease): Promise<LockOutcome> {
  let entry: EntryRead | undefined;
  try {
    entry = await host.readEntry(key, false);
  } catch (error) {
    await lease.release(true);
    throw error;
  }
  if (entry === undefined || entry.stale) return { lease };
  await lease.release(false);
  return { value: entry.value };
}

/** Applies grace and this caller's soft and hard timeouts to the flight (the lock wait and the factory). */
function settle<T>(
  host: GetOrSetHost,
  key: string,
  computation: Promise<T>,
  options: ResolvedGetOrSet,
  stale: EntryRead | undefined,
): Promise<T> {
  const graced = stale
    ? computation.catch((error: unknown) => {
        if (error instanceof RefreshingElsewhere) {
          announceStale(host.events, key, 'refreshing');
          return stale.value as T;
        }
        announceStale(host.events, key, 'error');
        host.logger.warn(
          { key, err: (error as Error)?.message },
          'getOrSet factory failed; serving the stale value',
        );
        return stale.value as T;
      })
    : computation;
  const softMs = stale ? options.timeoutMs : 0;
  if (softMs === 0 && options.hardTimeoutMs === 0) return graced;
  // The flight keeps running when a timeout answers first; its result is still stored.
  computation.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    const done = (): void => timers.forEach(clearTimeout);
    if (softMs > 0)
      timers.push(
        setTimeout(() => {
          done();
          announceStale(host.events, key, 'timeout');
          resolve(stale?.value as T);
        }, softMs),
      );
    if (options.hardTimeoutMs > 0) {
      timers.push(
        setTimeout(() => {
          done();
          const message = `getOrSet factory for "${key}" did not finish within ${options.hardTimeoutMs} ms`;
          reject(new FactoryTimeoutError(message, { key }));
        }, options.hardTimeoutMs),
      );
    }
    graced.then(
      (value) => (done(), resolve(value)),
      (error: unknown) => (done(), reject(error as Error)),
    );
  });
}

function announceStale(events: CacheEventEmitter, key: string, reason: StaleEvent['reason']): void {
  if (events.has('stale')) events.emit('stale', { key, reason });
}
