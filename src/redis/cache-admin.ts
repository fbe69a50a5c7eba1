import type { Logger } from '../core/logger.js';
import type { InvalidationBus } from './bus.js';
import type { ResolvedRedisCacheOptions } from './options.js';
import type { RemoteTier } from './remote-tier.js';
import type { TrackingCoherence, TrackingMode, TrackingState } from './tracking.js';

/** See `GenericRedisCache.coherenceStatus`. */
export interface CoherenceStatus {
  /** As configured: `'auto'` when the cache chose. */
  requested: 'auto' | 'bus' | 'tracking' | 'none' | 'off';
  active: 'bus' | 'tracking' | 'none' | 'off';
  tracking?: { mode: TrackingMode; state: TrackingState; reason?: string };
}

/** The coherence in force: tracking only while it is active, else the bus it runs beside. */
export function activeCoherence(
  options: ResolvedRedisCacheOptions,
  tracking: TrackingCoherence | undefined,
): CoherenceStatus['active'] {
  const mode = options.coherence;
  return mode === 'tracking' && tracking?.state !== 'active' ? 'bus' : mode;
}

export function coherenceStatusOf(
  options: ResolvedRedisCacheOptions,
  tracking: TrackingCoherence | undefined,
): CoherenceStatus {
  return {
    requested: options.coherenceAuto && options.coherence !== 'off' ? 'auto' : options.coherence,
    active: activeCoherence(options, tracking),
    ...(tracking && {
      tracking: {
        mode: options.trackingMode,
        state: tracking.state,
        ...(tracking.reason !== undefined && { reason: tracking.reason }),
      },
    }),
  };
}

/**
 * `connect()`: waits for Redis up to `connectTimeout`, and for the bus subscription and client tracking
 * within the same bound, so peers' and other clients' changes are heard once it returns (past it the subscription completes in the
 * background). `false` = unreachable: the cache serves L1 and keeps retrying.
 */
export async function connectCache(
  remote: RemoteTier,
  bus: InvalidationBus | undefined,
  tracking: TrackingCoherence | undefined,
  connectTimeout: number,
  logger: Logger,
): Promise<boolean> {
  const started = performance.now();
  const ready = await remote.waitUntilReady(connectTimeout);
  // Tracking too: its first arm clears L1, which must happen before the first value is kept there.
  const coherent = [bus?.subscribed, tracking?.settled].filter((p) => p !== undefined);
  if (ready && coherent.length > 0) {
    const left = connectTimeout - (performance.now() - started);
    await Promise.race([Promise.all(coherent), new Promise((resolve) => setTimeout(resolve, left).unref())]);
  }
  if (!ready) logger.warn({}, 'redis unreachable at connect; running on the in-process tier and retrying');
  return ready;
}
