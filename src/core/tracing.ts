import { tracingChannel, type TracingChannel } from 'node:diagnostics_channel';
import type { CacheOperation } from './events.js';

/** What a `tiercache:<operation>` tracing channel carries. Keys are included for APM spans; log them with care. */
export interface TraceContext {
  operation: CacheOperation;
  /** `memory`, `redis` or `ai`. */
  cache: string;
  key?: string;
  keys?: number;
}

const OPERATIONS: readonly CacheOperation[] = [
  'get',
  'set',
  'delete',
  'exists',
  'clear',
  'getMany',
  'setMany',
  'deleteMany',
  'invalidatePattern',
  'invalidateTags',
];

/**
 * One `node:diagnostics_channel` tracing channel per operation (`tiercache:get`, `tiercache:set`, ...),
 * so APM tools get start/end/error with async context. Free when nobody subscribes.
 */
export const TRACING_CHANNELS = Object.fromEntries(
  OPERATIONS.map((operation) => [operation, tracingChannel<unknown, TraceContext>(`tiercache:${operation}`)]),
) as Record<CacheOperation, TracingChannel<unknown, TraceContext>>;

/** Runs `run` inside the operation's tracing channel when it has subscribers, else just runs it. */
export function traced<T>(
  operation: CacheOperation,
  cache: string,
  key: string | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const channel = TRACING_CHANNELS[operation];
  if (!channel.hasSubscribers) return run();
  const context: TraceContext = key === undefined ? { operation, cache } : { operation, cache, key };
  return channel.tracePromise(run, context);
}
