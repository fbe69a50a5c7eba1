import { ReplyError, type Redis } from 'ioredis';

/**
 * What a failed Redis command means (docs/resilience.md, "What counts as an outage"): an outage (the tier
 * degrades), a rejection of that one command (a reply error), or a bug in our own code (thrown). And the
 * deadline a command gets, measured from the call.
 */

/** Reply errors that mean the server cannot serve now (an outage), not that one command was wrong. */
const OUTAGE_REPLY = /^(LOADING|CLUSTERDOWN|MASTERDOWN|READONLY|TRYAGAIN|BUSY|NOREPLICAS)\b/;

/**
 * Operations whose commands are all issued at once (one round trip, on one connection): bounded by
 * `commandTimeout` as a whole. The others (SCAN loops, scripts run page by page) take several.
 */
export const ONE_ROUND_TRIP_OPERATIONS = new Set([
  'get',
  'set',
  'delete',
  'exists',
  'lock',
  'unlock',
  'publish',
  'getMany',
  'setMany',
  'deleteMany',
  'scanKeys', // one SCAN page per call
]);

/** Rejects with a connection-level error when `promise` has not settled `ms` after the caller asked. */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Command timed out after ${ms} ms (measured from the call)`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A bug in tiercache's own code around a command: thrown, never mistaken for a Redis outage. */
export function isProgrammingError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError;
}

/** A reply error about this one command (`WRONGTYPE`, `OOM`…), not a server that cannot serve now. */
export function isRejection(error: Error): boolean {
  return error instanceof ReplyError && !OUTAGE_REPLY.test(error.message);
}

/**
 * Whether an auto-pipelined command called now may wait behind a batch ioredis is still running (it runs
 * one per connection, or per Cluster node, at a time, whoever sent it: this cache, a semantic index, a
 * user of `cache.client`). Read from ioredis's own record of running batches, a private field (ioredis is
 * pinned): when it is absent, every batched command is taken to wait.
 */
export function mayWaitBehindABatch(client: Redis): boolean {
  const running = (client as unknown as { _runningAutoPipelines?: Set<string> })._runningAutoPipelines;
  return running === undefined || running.size > 0;
}
