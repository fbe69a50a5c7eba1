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
 * One operation on one tier: every event stands for exactly one call. `keys` is set for batch operations.
 * `durationMs` is set when the operation was timed: always for Redis and write operations; for gets
 * served in process (a memory or L1 hit, ~0.1 µs) one in `IN_PROCESS_TIMING_SAMPLE`, since two clock
 * reads would cost as much as the hit. Events are read-only: untimed in-process gets of one tier and
 * outcome share one frozen event object.
 */
export interface OperationEvent {
  readonly operation: CacheOperation;
  readonly tier: CacheTier;
  readonly outcome: OperationOutcome;
  readonly durationMs: number | undefined;
  readonly keys: number | undefined;
  /** Set on a get that went past a Redis cache's L1 (an L1 miss), whatever Redis answered. */
  readonly l1Missed?: boolean;
}

/** In-process gets are timed one in this many (see `OperationEvent.durationMs`). */
export const IN_PROCESS_TIMING_SAMPLE = 64;

/** The untimed get events, one frozen object per tier and outcome (they carry nothing else). */
const UNTIMED_GETS: Readonly<Record<CacheTier, { hit: OperationEvent; miss: OperationEvent }>> = {
  memory: untimedGets('memory'),
  l1: untimedGets('l1'),
  redis: untimedGets('redis'),
};

function untimedGets(tier: CacheTier): { hit: OperationEvent; miss: OperationEvent } {
  const event = (outcome: 'hit' | 'miss'): OperationEvent =>
    Object.freeze({ operation: 'get', tier, outcome, durationMs: undefined, keys: undefined });
  return { hit: event('hit'), miss: event('miss') };
}

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
export type CacheErrorKind = 'connection' | 'command' | 'decode' | 'decrypt';

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
  /**
   * The keys the change named, when it named keys only (no pattern, tags or clear): listeners that hold
   * per-key state (the AI cache's stream recordings) drop just those.
   */
  changedKeys?: readonly string[];
}

/**
 * One key read, written or deleted by a caller, with its value (`hit` and `set`). Built only while
 * someone listens; `registerCallback` (the original's hooks) is a layer over it.
 */
export interface EntryEvent {
  action: 'hit' | 'miss' | 'set' | 'delete';
  key: string;
  value?: unknown;
}

/** One run of a getOrSet factory: how long it took and what became of its value. */
export interface FactoryEvent {
  key: string;
  durationMs: number;
  /** `fenced`: a write or invalidation overtook it, so its value answered its callers but was not stored. */
  outcome: 'stored' | 'skipped' | 'fenced' | 'error';
}

/**
 * getOrSet answered a stale value inside its grace period: the factory failed (`error`) or is backing off
 * after a failure (`backoff`), the caller's soft timeout passed (`timeout`), or another instance is
 * refreshing the key (`refreshing`).
 */
export interface StaleEvent {
  key: string;
  reason: 'error' | 'backoff' | 'timeout' | 'refreshing';
}

/**
 * getOrSet waited for another instance's factory: it got that value (`waited`), took the lock over once
 * the owner let go without a value (`takeover`), or gave up at lockTimeout (`timeout`).
 */
export interface LockEvent {
  key: string;
  outcome: 'waited' | 'takeover' | 'timeout';
  durationMs: number;
}

/** Time taken to build one AI cache key (AI caches only). */
export interface KeyGenerationEvent {
  durationMs: number;
  textLength: number;
  operation: string;
}

/** One compute of an AI cache (a `getOrCompute` miss or a recorded stream) and what became of its result. */
export interface AIComputeEvent {
  /** The operation as its figures are filed (past 256 names, `(other)`): a bounded label. */
  operation: string;
  kind: 'value' | 'stream';
  durationMs: number;
  /** `aborted`: every consumer of a stream left before its end, so the upstream was closed. */
  outcome: 'stored' | 'skipped' | 'error' | 'aborted';
}

/**
 * One semantic lookup of an AI cache (an exact-key miss with `semantic` on): `hit` = a stored near-identical
 * request answered (`matchedKey`, for auditing); `rejected` = a candidate cleared the threshold but the
 * guard vetoed it (`reason`), the lookup goes on with the next; `miss` = nothing answered, the compute
 * runs; `error` = the lookup failed (the embedder threw or returned a bad vector: `error`), the compute runs.
 */
export interface SemanticEvent {
  operation: string;
  /** The request's own key. */
  key: string;
  outcome: 'hit' | 'rejected' | 'miss' | 'error';
  matchedKey?: string;
  /** Cosine similarity of the matched or rejected candidate. */
  similarity?: number;
  reason?: string;
  error?: Error;
}

/** Every event a cache announces. Monitoring subscribes to these; caches never call monitors directly. */
export interface CacheEvents {
  operation: OperationEvent;
  entry: EntryEvent;
  evict: EvictionEvent;
  error: ErrorEvent;
  invalidate: InvalidationEvent;
  compression: CompressionEvent;
  connection: ConnectionEvent;
  keyGeneration: KeyGenerationEvent;
  aiCompute: AIComputeEvent;
  semantic: SemanticEvent;
  factory: FactoryEvent;
  stale: StaleEvent;
  lock: LockEvent;
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
  /** The hot events' listeners, kept out of the map: read on every get. */
  #operationListeners: CacheEventListener<'operation'>[] | undefined;
  #entryListeners: CacheEventListener<'entry'>[] | undefined;
  #watchingGets = false;
  /** In-process gets announced so far, to time one in IN_PROCESS_TIMING_SAMPLE. */
  #gets = 0;

  constructor(private readonly onListenerError: (error: unknown, event: CacheEventName) => void) {}

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    // Copy on write: emit iterates an array that is never changed under it.
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    this.#cacheHotListeners();
    return () => {
      const remaining = (this.#listeners.get(event) ?? []).filter((l) => l !== listener);
      if (remaining.length > 0) this.#listeners.set(event, remaining);
      else this.#listeners.delete(event);
      this.#cacheHotListeners();
    };
  }

  has(event: CacheEventName): boolean {
    return this.#listeners.has(event);
  }

  /** Whether `operation` events are listened to (read on every get, so kept in a field). */
  get watchingOperations(): boolean {
    return this.#operationListeners !== undefined;
  }

  /** Whether `entry` events are listened to (read on every get, so kept in a field). */
  get watchingEntries(): boolean {
    return this.#entryListeners !== undefined;
  }

  /** Whether a get has anything to announce (`operation` or `entry` listeners): one test on every get. */
  get watchingGets(): boolean {
    return this.#watchingGets;
  }

  #cacheHotListeners(): void {
    this.#operationListeners = this.#listeners.get('operation') as
      CacheEventListener<'operation'>[] | undefined;
    this.#entryListeners = this.#listeners.get('entry') as CacheEventListener<'entry'>[] | undefined;
    this.#watchingGets = this.#operationListeners !== undefined || this.#entryListeners !== undefined;
  }

  /** When an operation starts, for its announcement; 0 when nobody listens (then nothing is timed). */
  startTimer(): number {
    return this.#operationListeners ? hrtimeMs() : 0;
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
    l1Missed?: boolean,
  ): void {
    const durationMs = hrtimeMs() - started;
    this.emit(
      'operation',
      l1Missed
        ? { operation, tier, outcome, durationMs, keys, l1Missed }
        : { operation, tier, outcome, durationMs, keys },
    );
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

  /** Announces a get: timed from `started` when set (see `sampleGet`), else untimed. */
  get(tier: CacheTier, outcome: 'hit' | 'miss', started: number): void {
    if (started) this.operation('get', tier, outcome, started);
    else if (this.#operationListeners)
      this.#dispatch('operation', this.#operationListeners, UNTIMED_GETS[tier][outcome]);
  }

  emit<E extends CacheEventName>(event: E, payload: CacheEvents[E]): void {
    const listeners = this.#listeners.get(event) as CacheEventListener<E>[] | undefined;
    if (listeners) this.#dispatch(event, listeners, payload);
  }

  #dispatch<E extends CacheEventName>(
    event: E,
    listeners: CacheEventListener<E>[],
    payload: CacheEvents[E],
  ): void {
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
