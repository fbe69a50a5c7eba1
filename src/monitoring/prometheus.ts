import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ValidationError } from '../core/errors.js';
import type { CacheStats } from '../core/types.js';
import type { CacheTier, OperationEvent } from '../core/events.js';
import type { MonitoredCache } from './performance-monitor.js';
import { assertKnownOptions } from '../core/options.js';
import { IncidentSeries, resolveKeyGroups, type KeyGroups } from './prometheus-incidents.js';

export interface PrometheusExporterOptions {
  /** Registry to register on (e.g. prom-client's global `register`). @default a new Registry */
  registry?: Registry;
  /** Metric name prefix. @default 'tiercache_' */
  prefix?: string;
  /**
   * Key families to count gets by (`{ user: /^user:/, session: /^sess:/ }`), as the `group` label of
   * `group_gets_total`; keys matching none count as `other`. At most 50 groups, so the label stays
   * bounded. Costs a regex test per get while set. @default none
   */
  keyGroups?: KeyGroups;
}

/** Latency buckets in seconds, 1 µs (an in-process hit) to 1 s (a slow Redis). */
export const LATENCY_BUCKETS_SECONDS = [
  0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

interface Attached {
  cache: MonitoredCache;
  namespace: string;
  /**
   * Untimed gets counted since the last scrape, by tier and outcome: a labelled prom-client `inc` per L1
   * hit would cost more than the hit. Folded into the counters when a scrape collects.
   */
  untimedGets: Record<CacheTier, { hit: number; miss: number }>;
}

function noGets(): Attached['untimedGets'] {
  return { memory: { hit: 0, miss: 0 }, l1: { hit: 0, miss: 0 }, redis: { hit: 0, miss: 0 } };
}

/**
 * Prometheus exposition of cache figures. Counters and the latency histogram follow the caches' events;
 * gauges (L1 entries and bytes, Redis connected) are read from the caches at scrape time. Labels are
 * tier, operation, namespace and outcome kinds: never a key.
 */
export class PrometheusExporter {
  readonly registry: Registry;
  readonly #attached = new Set<Attached>();
  readonly #operations: Counter<'operation' | 'tier' | 'outcome' | 'namespace'>;
  readonly #hits: Counter<'tier' | 'namespace'>;
  readonly #misses: Counter<'namespace'>;
  readonly #sets: Counter<'namespace'>;
  readonly #deletes: Counter<'namespace'>;
  readonly #errors: Counter<'kind' | 'operation' | 'tier' | 'namespace'>;
  readonly #evictions: Counter<'tier' | 'reason' | 'namespace'>;
  readonly #invalidations: Counter<'type' | 'namespace'>;
  readonly #invalidatedKeys: Counter<'type' | 'namespace'>;
  readonly #latency: Histogram<'operation' | 'tier' | 'namespace'>;
  readonly #incidents: IncidentSeries;

  constructor(options: PrometheusExporterOptions = {}) {
    assertKnownOptions(options, ['registry', 'prefix', 'keyGroups']);
    const prefix = options.prefix ?? 'tiercache_';
    const keyGroups = resolveKeyGroups(options.keyGroups);
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
      throw new ValidationError(
        'prefix must be a valid Prometheus metric name prefix (letters, digits, _ and :)',
        { option: 'prefix' },
      );
    }
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name: prefix + name, help, labelNames, registers });
    // First in the registry, so its collect folds the counted gets in before any counter is read.
    this.#operations = new Counter({
      name: `${prefix}operations_total`,
      help: 'Cache operations by operation, tier and outcome',
      labelNames: ['operation', 'tier', 'outcome', 'namespace'],
      registers,
      collect: () => {
        for (const attached of this.#attached) this.#foldUntimedGets(attached);
      },
    });
    this.#hits = counter('hits_total', 'get hits by the tier that served them', ['tier', 'namespace']);
    this.#misses = counter('misses_total', 'get misses', ['namespace']);
    this.#sets = counter('sets_total', 'Values written', ['namespace']);
    this.#deletes = counter('deletes_total', 'Keys deleted that existed', ['namespace']);
    this.#errors = counter('errors_total', 'Errors by kind (connection, command, decode, decrypt)', [
      'kind',
      'operation',
      'tier',
      'namespace',
    ]);
    this.#evictions = counter('evictions_total', 'Entries evicted or expired from in-process tiers', [
      'tier',
      'reason',
      'namespace',
    ]);
    this.#invalidations = counter('invalidations_total', 'Invalidation operations', ['type', 'namespace']);
    this.#invalidatedKeys = counter('invalidated_keys_total', 'Keys removed by invalidations', [
      'type',
      'namespace',
    ]);
    this.#latency = new Histogram({
      name: `${prefix}operation_duration_seconds`,
      help: 'Cache operation latency in seconds',
      labelNames: ['operation', 'tier', 'namespace'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    const gauge = (
      name: string,
      help: string,
      read: (stats: Record<string, unknown>, cache: MonitoredCache) => number | undefined,
    ) =>
      new Gauge({
        name: prefix + name,
        help,
        labelNames: ['namespace'],
        registers,
        collect: async () => {
          // A gauge set here lives until the next scrape; reset so detached caches disappear.
          const values = await Promise.all(
            [...this.#attached].map(async (a) => ({ a, stats: await readStats(a.cache) })),
          );
          const g = this.registry.getSingleMetric(prefix + name) as Gauge<'namespace'>;
          g.reset();
          for (const { a, stats } of values) {
            const value = stats && read(stats, a.cache);
            if (value !== undefined) g.set({ namespace: a.namespace }, value);
          }
        },
      });
    gauge('l1_entries', 'Entries in the in-process tier', (s) => l1Of(s)?.activeEntries);
    gauge('l1_bytes', 'Estimated bytes in the in-process tier', (s) => l1Of(s)?.memoryUsageBytes);
    gauge('l1_max_entries', 'Capacity of the in-process tier', (s) => l1Of(s)?.maxSize);
    gauge('redis_connected', '1 when Redis is in use, 0 when degraded to L1', (s) =>
      typeof s.redis === 'string' ? Number(s.redis === 'connected') : undefined,
    );
    gauge('circuit_breaker_state', 'Redis circuit breaker: 0 closed, 1 half-open, 2 open', (s) =>
      breakerLevel(s.breaker),
    );
    this.#incidents = new IncidentSeries(this.registry, prefix, keyGroups, () => this.#attached);
  }

  /** Follows a cache's events under a `namespace` label; returns a function that stops. */
  attach(cache: MonitoredCache, options: { namespace?: string } = {}): () => void {
    const namespace = options.namespace ?? 'default';
    const entry: Attached = { cache, namespace, untimedGets: noGets() };
    this.#attached.add(entry);
    const offs = [
      cache.on('operation', (e) => {
        const tally =
          e.durationMs === undefined && e.operation === 'get' ? entry.untimedGets[e.tier] : undefined;
        if (tally && (e.outcome === 'hit' || e.outcome === 'miss')) {
          tally[e.outcome]++;
          return;
        }
        this.#countOperation(e, namespace, 1);
        if (e.durationMs !== undefined)
          this.#latency.observe({ operation: e.operation, tier: e.tier, namespace }, e.durationMs / 1000);
        if (e.operation === 'get') return;
        else if (e.operation === 'set' || e.operation === 'setMany')
          this.#sets.inc({ namespace }, e.keys ?? 1);
        else if (e.operation === 'delete' && e.outcome === 'success') this.#deletes.inc({ namespace });
      }),
      cache.on('error', (e) =>
        this.#errors.inc({ kind: e.kind, operation: e.operation, tier: e.tier, namespace }),
      ),
      cache.on('evict', (e) => this.#evictions.inc({ tier: e.tier, reason: e.reason, namespace })),
      cache.on('invalidate', (e) => {
        this.#invalidations.inc({ type: e.type, namespace });
        this.#invalidatedKeys.inc({ type: e.type, namespace }, e.keysInvalidated);
      }),
    ];
    offs.push(...this.#incidents.attach(cache, namespace));
    const detach = (): void => {
      for (const off of offs) off();
      this.#foldUntimedGets(entry);
      this.#attached.delete(entry);
    };
    offs.push(cache.on('close', detach)); // a closed cache is let go of
    return detach;
  }

  /** The text exposition of every metric in the registry. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Counts `count` operations like `e`: the operation counter, and hits or misses for a get. */
  #countOperation(e: OperationEvent, namespace: string, count: number): void {
    this.#operations.inc({ operation: e.operation, tier: e.tier, outcome: e.outcome, namespace }, count);
    if (e.operation !== 'get') return;
    if (e.outcome === 'hit') this.#hits.inc({ tier: e.tier, namespace }, count);
    else if (e.outcome === 'miss') this.#misses.inc({ namespace }, count);
  }

  #foldUntimedGets(attached: Attached): void {
    for (const [tier, tally] of Object.entries(attached.untimedGets) as [
      CacheTier,
      { hit: number; miss: number },
    ][]) {
      for (const outcome of ['hit', 'miss'] as const) {
        if (tally[outcome] === 0) continue;
        const event: OperationEvent = {
          operation: 'get',
          tier,
          outcome,
          durationMs: undefined,
          keys: undefined,
        };
        this.#countOperation(event, attached.namespace, tally[outcome]);
        tally[outcome] = 0;
      }
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

async function readStats(cache: MonitoredCache): Promise<Record<string, unknown> | undefined> {
  return (await cache.getStats?.()) as (CacheStats & Record<string, unknown>) | undefined;
}

function l1Of(
  stats: Record<string, unknown>,
): { activeEntries: number; memoryUsageBytes: number; maxSize: number } | undefined {
  const l1 = 'l1' in stats ? stats.l1 : 'activeEntries' in stats ? stats : undefined;
  return l1 as { activeEntries: number; memoryUsageBytes: number; maxSize: number } | undefined;
}

const BREAKER_LEVELS: Readonly<Record<string, number>> = { closed: 0, 'half-open': 1, open: 2 };

function breakerLevel(breaker: unknown): number | undefined {
  const state = (breaker as { state?: unknown } | undefined)?.state;
  return typeof state === 'string' ? BREAKER_LEVELS[state] : undefined;
}
