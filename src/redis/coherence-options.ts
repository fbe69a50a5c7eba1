import type { CoherenceMode, GenericRedisCacheOptions } from './options.js';
import type { TrackingMode } from './tracking.js';

// The coherence options (`coherence`, its synonym `bus`, `tracking`), checked while the options resolve.

export const COHERENCE_MODES: readonly CoherenceMode[] = ['auto', 'bus', 'tracking', 'none'];
const TRACKING_MODES: readonly TrackingMode[] = ['broadcast', 'default'];

/**
 * The coherence mode from `coherence` and its synonym `bus`: `'auto'` is client tracking (beside the
 * bus, which it falls back to where the server refuses it) unless the caller handed in its own client;
 * `'none'` is accepted only with an L1 TTL cap, since nothing else would ever tell L1 of a peer's write.
 */
export function resolveCoherence(
  options: GenericRedisCacheOptions,
  withL1: boolean,
  capped: boolean,
  errors: string[],
): 'bus' | 'tracking' | 'none' | 'off' {
  const { coherence, bus } = options;
  if (coherence !== undefined && !COHERENCE_MODES.includes(coherence)) {
    errors.push(`coherence must be one of ${COHERENCE_MODES.map((m) => `'${m}'`).join(', ')}`);
    return 'off';
  }
  const fromBus = bus === undefined ? undefined : bus === false ? 'none' : 'bus';
  // Tracking runs beside the bus (tags, patterns and lock wakeups ride it), so `bus: true` agrees with it.
  const agrees = coherence === fromBus || (coherence === 'tracking' && fromBus === 'bus');
  if (coherence !== undefined && coherence !== 'auto' && fromBus !== undefined && !agrees) {
    errors.push(`coherence '${coherence}' contradicts bus: ${String(bus !== false)}; give only coherence`);
  }
  // Tracking arms connections the cache opens itself: with an adopted client, 'auto' is the bus.
  const auto = (coherence ?? 'auto') === 'auto' && fromBus === undefined;
  const tracked = coherence === 'tracking' || (auto && options.redisClient === undefined);
  const mode = coherence === 'none' || fromBus === 'none' ? 'none' : tracked ? 'tracking' : 'bus';
  if (!withL1) return 'off';
  if (mode === 'none' && !capped) {
    errors.push(
      "coherence 'none' (or bus: false) needs memoryCacheTtl, an L1 TTL cap such as '5s': without coherence, L1 serves a value written or deleted by another instance until its copy expires",
    );
  }
  return mode;
}

/** `tracking: { mode }`, checked; undefined when not given. */
export function resolveTrackingMode(tracking: unknown, errors: string[]): TrackingMode | undefined {
  if (tracking === undefined) return undefined;
  const mode: unknown =
    typeof tracking === 'object' && tracking !== null ? (tracking as { mode?: unknown }).mode : undefined;
  const extra =
    typeof tracking === 'object' && tracking !== null
      ? Object.keys(tracking).filter((k) => k !== 'mode')
      : [];
  if (
    typeof tracking !== 'object' ||
    tracking === null ||
    extra.length > 0 ||
    (mode !== undefined && !TRACKING_MODES.includes(mode as TrackingMode))
  ) {
    errors.push("tracking must be { mode: 'broadcast' | 'default' }");
    return undefined;
  }
  return mode as TrackingMode | undefined;
}
