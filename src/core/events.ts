/** Where an operation was served: a standalone memory cache, the L1 of a tiered cache, or Redis. */
export type CacheTier = 'memory' | 'l1' | 'redis';

export type CacheOperation =
  'get' | 'set' | 'delete' | 'exists' | 'clear' | 'getMany' | 'setMany' | 'deleteMany' | 'invalidatePattern';

export type OperationOutcome = 'hit' | 'miss' | 'success' | 'error';

/** One timed operation on one tier. `keys` is set for batch operations. */
export interface OperationEvent {
  operation: CacheOperation;
  tier: CacheTier;
  durationMs: number;
  outcome: OperationOutcome;
  keys?: number;
}

export interface EvictionEvent {
  key: string;
  tier: CacheTier;
  reason: 'evict' | 'expire';
}

/** `decode` = a stored value that could not be read back (corrupt, foreign, tampered). */
export type CacheErrorKind = 'connection' | 'command' | 'decode' | 'callback';

export interface ErrorEvent {
  kind: CacheErrorKind;
  operation: string;
  tier: CacheTier;
  error: Error;
  key?: string;
}

export type InvalidationType = 'pattern' | 'clear' | 'keys' | 'operation';

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

/** Every event a cache announces. Monitoring subscribes to these; caches never call monitors directly. */
export interface CacheEvents {
  operation: OperationEvent;
  evict: EvictionEvent;
  error: ErrorEvent;
  invalidate: InvalidationEvent;
  compression: CompressionEvent;
  connection: ConnectionEvent;
}

export type CacheEventName = keyof CacheEvents;
export type CacheEventListener<E extends CacheEventName> = (event: CacheEvents[E]) => void;

type AnyListener = (event: never) => void;

/**
 * A small typed emitter. Emitting is skipped cheaply when nobody listens (callers check `has` before
 * building payloads), and a throwing listener is reported once through `onListenerError`, never to the
 * cache operation that emitted.
 */
export class CacheEventEmitter {
  readonly #listeners = new Map<CacheEventName, Set<AnyListener>>();
  readonly #reported = new WeakSet<object>();

  constructor(private readonly onListenerError: (error: unknown, event: CacheEventName) => void) {}

  on<E extends CacheEventName>(event: E, listener: CacheEventListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  has(event: CacheEventName): boolean {
    const set = this.#listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  emit<E extends CacheEventName>(event: E, payload: CacheEvents[E]): void {
    const set = this.#listeners.get(event) as Set<CacheEventListener<E>> | undefined;
    if (!set) return;
    for (const listener of set) {
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
