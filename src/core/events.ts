import { hrtimeMs } from './options.js';
/** Where an operation was served: a standalone memory cache, the L1 of a tiered cache, or Redis. */
export type CacheTier = 'memory' | 'l1' | 'redis';

export type CacheOperation =
  | 'get'
  | 'set'
  | 'delete'
  | 'exists'
  | 'clear'
  | 'getMany'
  | 'setMany'
  | 'deleteMany'
  | 'invalidatePattern'
  | 'invalidateTags';

export type OperationOutcome = 'hit' | 'miss' | 'success' | 'error';

/**
 * One operation on one tier, or several alike. `keys` is set for batch operations. `durationMs` is set
 * when the operation was timed: always for Redis and write operations; for gets served in process (a
 * memory or L1 hit, ~0.1 µs) one in `IN_PROCESS_TIMING_SAMPLE`, since two clock reads would cost as much
 * as the hit. The untimed ones are counted and announced in batches: `count` operations of the same
 * get tier and outcome (always 1 for a timed event). A batch goes out at least every
 * `UNTIMED_BATCH_LIMIT` gets and whenever a reader calls the cache's `flushEvents()`.
 */
export interface OperationEvent {
  operation: CacheOperation;
  tier: CacheTier;
  outcome: OperationOutcome;
  durationMs: number | undefined;
  keys: number | undefined;
  count: number;
}

/** Untimed in-process gets announced in one event at most this many at a time. */
export const UNTIMED_BATCH_LIMIT = 256;
const TIERS: readonly CacheTier[] = ['memory', 'l1', 'redis'];

/** In-process gets are timed one in this many (see `OperationEvent.durationMs`). */
export const IN_PROCESS_TIMING_SAMPLE = 64;

export interface EvictionEvent {
  key: string;
  tier: CacheTier;
  /** `reject`: a value bigger than `maxBytes` on its own, not kept (its key's previous value is gone too). */
  reason: 'evict' | 'expire' | 'reject';
}

/**
 * `decode` = a stored value that could not be read back (corrupt, foreign); `decrypt` = one that failed
 * decryption (wrong key, tampered, truncated, moved to another key, or unencrypted while encryption is on).
 */
export type CacheErrorKind = 'connection' | 'command' | 'decode' | 'decrypt' | 'callback';

export interface ErrorEvent {
  kind: CacheErrorKind;
  operation: string;
  tier: CacheTier;
  error: Error;
  key?: string;
}

/** `tags`: `invalidateTags` (the pattern field lists the tags, comma-separated). */
export type InvalidationType = 'pattern' | 'clear' | 'keys' | 'operation' | 'tags';

export interface InvalidationEvent {
  type: InvalidationType;
  pattern: string;
  keysInvalidated: number;
  durationMs: number;
  context?: string;
}

export interface CompressionEvent {
  originalBytes: number;
  compressedBytes: number;
  durationMs: number;
}

/** `degraded`: Redis stopped answering and the cache serves L1; `connected`: Redis is in use again. */
export interface ConnectionEvent {
  status: 'connected' | 'degraded';
  reason?: string;
}

/** The Redis circuit breaker changed state (DESIGN §5). */
export interface BreakerEvent {
  state: 'closed' | 'open' | 'half-open';
  failures: number;
  opens: number;
}

/**
 * The invalidation bus: `received` = a peer's invalidation was applied to L1 (`keys` dropped, or the
 * `pattern`, or everything for a clear); `resynced` = the bus reconnected and L1 was cleared, since
 * messages may have been missed. `sentAt` is the publisher's epoch ms (for propagation delay).
 */
export interface BusEvent {
  type: 'received' | 'resynced';
  keys: number;
  pattern?: string;
  sentAt?: number;
}

/** Time taken to build one AI cache key (AI caches only). */
export interface KeyGenerationEvent {
  durationMs: number;
  textLength: number;
  operation: string;
}

/** Every event a cache announces. Monitoring subscribes to these; caches never call monitors directly. */
export interface CacheEvents {
  operation: OperationEvent;
  evict: EvictionEvent;
  error: ErrorEvent;
  invalidate: InvalidationEvent;
  compression: CompressionEvent;
  connection: ConnectionEvent;
  keyGeneration: KeyGenerationEvent;
  breaker: BreakerEvent;
  bus: BusEvent;
  /** The cache was closed: listeners that attached to it (monitors, exporters) let go. */
  close: CloseEvent;
}

/** A cache's `close()` ran. */
export type CloseEvent = Record<string, never>;

export type CacheEventName = keyof CacheEvents;
export type CacheEventListener<E extends CacheEventName> = (event: CacheEvents[E]) => void;

type AnyListener = (event: never) => void;

/**
 * A small typed emitter. Emitting is skipped cheaply when nobody listens (callers check `has` before
 * building payloads), and a throwing listener is reported once through `onListenerError`, never to the
 * cache operation that emitted.
 */
export class CacheEventEmitter {
  readonly #listeners = new Map<CacheEventName, AnyListener[]>();
  readonly #reported = new WeakSet<object>();
  /** Untimed gets not yet announced: [tier index * 2 + (miss ? 1 : 0)]. */
  readonly #pendingGets = new Uint32Array(TIERS.length * 2);
  #pendingTotal = 0;
  /** In-process gets announced so far, to time one in IN_PROCESS_TIMING_SAMPLE. */
  #gets = 0;

  constructor(private readonly onListenerError: (error: unknown, event: CacheEventName) => void) {}

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    // Batched gets go to the listeners that were there when they happened, not to a newcomer.
    if (event === 'operation') this.flush();
    // Copy on write: emit iterates an array that is never changed under it.
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return () => {
      if (event === 'operation') this.flush(); // a leaving listener still gets what it was counted for
      const remaining = (this.#listeners.get(event) ?? []).filter((l) => l !== listener);
      if (remaining.length > 0) this.#listeners.set(event, remaining);
      else this.#listeners.delete(event);
    };
  }

  has(event: CacheEventName): boolean {
    return this.#listeners.has(event);
  }

  /** When an operation starts, for its announcement; 0 when nobody listens (then nothing is timed). */
  startTimer(): number {
    return this.#listeners.has('operation') ? hrtimeMs() : 0;
  }

  /** When an in-process get starts: one in `IN_PROCESS_TIMING_SAMPLE` is timed; 0 = not timed. */
  sampleGet(): number {
    return ++this.#gets % IN_PROCESS_TIMING_SAMPLE === 0 ? hrtimeMs() : 0;
  }

  /** Announces an operation timed from `started` (see `startTimer`). */
  operation(
    operation: CacheOperation,
    tier: CacheTier,
    outcome: OperationOutcome,
    started: number,
    keys?: number,
  ): void {
    this.emit('operation', { operation, tier, outcome, durationMs: hrtimeMs() - started, keys, count: 1 });
  }

  /** Announces an invalidation that started at `started` (see `hrtimeMs`). */
  invalidation(
    type: InvalidationType,
    pattern: string,
    keysInvalidated: number,
    started: number,
    context?: string,
  ): void {
    this.emit('invalidate', {
      type,
      pattern,
      keysInvalidated,
      durationMs: hrtimeMs() - started,
      ...(context === undefined ? {} : { context }),
    });
  }

  /** Announces a get: timed when `started` is set, else counted into the next batch. */
  get(tier: CacheTier, outcome: 'hit' | 'miss', started: number): void {
    if (started) this.operation('get', tier, outcome, started);
    else this.countGet(tier, outcome);
  }

  /** Counts an untimed in-process get; announced with others like it (see `OperationEvent.count`). */
  countGet(tier: CacheTier, outcome: 'hit' | 'miss'): void {
    const slot = (tier === 'memory' ? 0 : tier === 'l1' ? 2 : 4) + (outcome === 'hit' ? 0 : 1);
    this.#pendingGets[slot] = (this.#pendingGets[slot] as number) + 1;
    if (++this.#pendingTotal >= UNTIMED_BATCH_LIMIT) this.flush();
  }

  /** Announces the counted untimed gets now, one event per tier and outcome. */
  flush(): void {
    if (this.#pendingTotal === 0) return;
    this.#pendingTotal = 0;
    for (let i = 0; i < this.#pendingGets.length; i++) {
      const count = this.#pendingGets[i] as number;
      if (count === 0) continue;
      this.#pendingGets[i] = 0;
      this.emit('operation', {
        operation: 'get',
        tier: TIERS[i >> 1] as CacheTier,
        outcome: i % 2 === 0 ? 'hit' : 'miss',
        durationMs: undefined,
        keys: undefined,
        count,
      });
    }
  }

  emit<E extends CacheEventName>(event: E, payload: CacheEvents[E]): void {
    // Batched gets first, so listeners see operations in the order they happened.
    if (this.#pendingTotal > 0 && event === 'operation') this.flush();
    const listeners = this.#listeners.get(event) as CacheEventListener<E>[] | undefined;
    if (!listeners) return;
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i] as CacheEventListener<E>;
      try {
        listener(payload);
      } catch (error) {
        if (!this.#reported.has(listener)) {
          this.#reported.add(listener);
          this.onListenerError(error, event);
        }
      }
    }
  }
}
