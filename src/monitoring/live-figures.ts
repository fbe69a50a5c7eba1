import type { Clock } from '../core/clock.js';
import type { BreakerEvent, ErrorEvent, FactoryEvent, LockEvent } from '../core/events.js';
import { RingBuffer } from '../core/ring-buffer.js';
import { round2, summarize, type DurationSummary } from '../core/statistics.js';
import {
  C,
  KEPT_SECONDS,
  WINDOWS_SECONDS,
  WindowedCounters,
  type CounterName,
  type Counts,
} from './windows.js';

/** Latency over a window, from the timed samples in it (in-process gets: one in 64 is timed). */
export type WindowLatency = DurationSummary & { windowSeconds: number };

/** The figures of one window (1 or 5 minutes): rates per second and ratios of what happened in it. */
export interface WindowStats {
  windowSeconds: number;
  operationsPerSecond: number;
  getsPerSecond: number;
  /** Hits ÷ gets in the window, 0–100; `null` without gets. */
  hitRate: number | null;
  /** L1 hits ÷ gets that reached L1 (Redis caches), 0–100; `null` when none did. */
  l1HitRate: number | null;
  errorsPerSecond: number;
  timeoutsPerSecond: number;
  staleServesPerSecond: number;
  factoryRunsPerSecond: number;
  /** Totals in the window. */
  counts: Counts;
  /** Per tier (`memory`, `l1`, `redis`) and for getOrSet factories (`factory`). */
  latency: Partial<Record<'memory' | 'l1' | 'redis' | 'factory', WindowLatency>>;
}

/** Per-second series of the last minutes, and the breaker's transitions in them (for charts). */
export type TimeSeries = { seconds: number; now: number; epochMs: number; at: number[] } & Record<
  CounterName,
  number[]
> & {
    breaker: { at: number; state: BreakerEvent['state'] }[];
  };

const TIMEOUT = /time(d)?[ -]?out/i;
/**
 * Latency samples kept per tier and second: every Redis call is timed, so a shared buffer would cover
 * seconds, not minutes, and crowd in-process samples out; 20 a second per tier keeps five minutes.
 */
const SAMPLES_PER_SECOND = 20;
type LatencyTier = 'memory' | 'l1' | 'redis' | 'factory';

interface LatencySamples {
  ring: RingBuffer<{ at: number; ms: number }>;
  second: number;
  taken: number;
}

/**
 * The incident view of a monitor: windowed counters, factory durations and the breaker timeline. The
 * monitor feeds it from the caches' events; `windows` is public so its hot path bumps counters directly.
 */
export class LiveFigures {
  readonly windows = new WindowedCounters();
  readonly #latency = new Map<LatencyTier, LatencySamples>();
  readonly #breaker: RingBuffer<{ at: number; state: BreakerEvent['state'] }>;

  constructor(
    private readonly clock: Clock,
    maxMeasurements: number,
  ) {
    this.#breaker = new RingBuffer(Math.min(maxMeasurements, 256));
  }

  /** A timed operation of a tier (or a factory run): kept for the window percentiles, 20 a second at most. */
  onLatency(tier: LatencyTier, at: number, ms: number): void {
    let samples = this.#latency.get(tier);
    if (!samples) {
      samples = { ring: new RingBuffer(KEPT_SECONDS * SAMPLES_PER_SECOND), second: -1, taken: 0 };
      this.#latency.set(tier, samples);
    }
    const second = Math.floor(at / 1000);
    if (second !== samples.second) {
      samples.second = second;
      samples.taken = 0;
    }
    if (samples.taken++ < SAMPLES_PER_SECOND) samples.ring.push({ at, ms });
  }

  onError(event: ErrorEvent): void {
    this.windows.add(C.errors);
    if (TIMEOUT.test(event.error.message)) this.windows.add(C.timeouts);
  }

  onStale(): void {
    this.windows.add(C.staleServes);
  }

  onFactory(event: FactoryEvent): void {
    this.windows.add(C.factoryRuns);
    if (event.outcome === 'error') this.windows.add(C.factoryErrors);
    this.onLatency('factory', this.clock.now(), event.durationMs);
  }

  onLock(event: LockEvent): void {
    this.windows.add(
      event.outcome === 'waited'
        ? C.lockWaits
        : event.outcome === 'takeover'
          ? C.lockTakeovers
          : C.lockTimeouts,
    );
  }

  onBus(): void {
    this.windows.add(C.busMessages);
  }

  onBreaker(event: BreakerEvent): void {
    const at = this.clock.now();
    if (event.state === 'open') this.windows.add(C.breakerOpens);
    this.windows.roll(at);
    this.#breaker.push({ at, state: event.state });
  }

  /** The 1- and 5-minute figures. */
  windowStats(): WindowStats[] {
    const now = this.clock.now();
    return WINDOWS_SECONDS.map((windowSeconds) => {
      const counts = this.windows.window(windowSeconds, now);
      const since = now - windowSeconds * 1000;
      const perSecond = (n: number): number => round2(n / windowSeconds);
      const latency: WindowStats['latency'] = {};
      for (const [tier, samples] of this.#latency) {
        const values = samples.ring.toArray((m) => m.at >= since).map((m) => m.ms);
        if (values.length > 0) latency[tier] = { ...summarize(values), windowSeconds };
      }
      const l1Lookups = counts.l1Hits + counts.l1Misses;
      return {
        windowSeconds,
        operationsPerSecond: perSecond(counts.operations),
        getsPerSecond: perSecond(counts.gets),
        hitRate: counts.gets === 0 ? null : round2((counts.hits / counts.gets) * 100),
        l1HitRate: l1Lookups === 0 ? null : round2((counts.l1Hits / l1Lookups) * 100),
        errorsPerSecond: perSecond(counts.errors),
        timeoutsPerSecond: perSecond(counts.timeouts),
        staleServesPerSecond: perSecond(counts.staleServes),
        factoryRunsPerSecond: perSecond(counts.factoryRuns),
        counts,
        latency,
      };
    });
  }

  /** Per-second series of the last `seconds` (at most five minutes). */
  series(seconds = KEPT_SECONDS): TimeSeries {
    const now = this.clock.now();
    const span = Math.max(1, Math.min(Math.floor(seconds), KEPT_SECONDS));
    const since = now - span * 1000;
    return {
      seconds: span,
      // `at` is in seconds of the monitor's clock (monotonic): `now` is its current second, `epochMs` the
      // wall clock at the same moment, to place the series in time.
      now: Math.floor(now / 1000),
      epochMs: Date.now(),
      ...this.windows.series(span, now),
      breaker: this.#breaker
        .toArray((m) => m.at >= since)
        .map((m) => ({ at: Math.floor(m.at / 1000), state: m.state })),
    };
  }

  reset(): void {
    this.windows.reset();
    this.#latency.clear();
    this.#breaker.clear();
  }
}
