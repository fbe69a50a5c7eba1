import { Counter, Histogram, type Registry } from 'prom-client';
import { ValidationError } from '../core/errors.js';
import type { MonitoredCache } from './performance-monitor.js';
import { AISeries } from './prometheus-ai.js';

/** `keyGroups`: a label per key family (`{ user: /^user:/ }`); keys matching none count as `other`. */
export type KeyGroups = Readonly<Record<string, RegExp>>;

/** Durations of getOrSet factories and lock waits in seconds, 1 ms to 60 s. */
export const SLOW_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Checks `keyGroups`: label-safe names, regular expressions, at most 50 groups (cardinality). */
export function resolveKeyGroups(groups: unknown): [string, RegExp][] {
  if (groups === undefined) return [];
  if (typeof groups !== 'object' || groups === null || Array.isArray(groups))
    throw new ValidationError('keyGroups must be an object of group name → RegExp', { option: 'keyGroups' });
  const entries = Object.entries(groups as Record<string, unknown>);
  if (entries.length > 50)
    throw new ValidationError('keyGroups has more than 50 groups: merge some (each is a label value)', {
      option: 'keyGroups',
    });
  for (const [name, pattern] of entries) {
    if (!LABEL.test(name) || name === 'other')
      throw new ValidationError(`keyGroups name '${name}' must be a label-safe word other than 'other'`, {
        option: 'keyGroups',
      });
    if (!(pattern instanceof RegExp))
      throw new ValidationError(`keyGroups.${name} must be a RegExp`, { option: 'keyGroups' });
  }
  return entries as [string, RegExp][];
}

/**
 * The series an operator needs during an incident, beyond operations and latency: stale serves, factory
 * durations, lock waits and takeovers, bus messages, breaker transitions, L1 misses, per-group gets
 * (`keyGroups`, bounded) and, for AI caches, the per-operation series of `AISeries`.
 */
export class IncidentSeries {
  readonly #stale: Counter<'reason' | 'namespace'>;
  readonly #factory: Histogram<'outcome' | 'namespace'>;
  readonly #lock: Histogram<'outcome' | 'namespace'>;
  readonly #bus: Counter<'type' | 'namespace'>;
  readonly #breaker: Counter<'state' | 'namespace'>;
  readonly #l1Misses: Counter<'namespace'>;
  readonly #groupGets: Counter<'group' | 'outcome' | 'namespace'>;
  readonly #groups: [string, RegExp][];
  readonly #ai: AISeries;

  constructor(
    registry: Registry,
    prefix: string,
    keyGroups: [string, RegExp][],
    attached: () => Iterable<{ cache: MonitoredCache; namespace: string }>,
  ) {
    const registers = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name: prefix + name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Histogram<L>({ name: prefix + name, help, labelNames, buckets: SLOW_BUCKETS_SECONDS, registers });
    this.#groups = keyGroups;
    this.#stale = counter('stale_serves_total', 'getOrSet answers served stale inside the grace period', [
      'reason',
      'namespace',
    ]);
    this.#factory = histogram('factory_duration_seconds', 'getOrSet factory runs by outcome', [
      'outcome',
      'namespace',
    ]);
    this.#lock = histogram('lock_wait_seconds', "Waits for another instance's factory, by outcome", [
      'outcome',
      'namespace',
    ]);
    this.#bus = counter('bus_messages_total', 'Invalidation bus messages applied, and resyncs', [
      'type',
      'namespace',
    ]);
    this.#breaker = counter('circuit_breaker_transitions_total', 'Circuit breaker transitions by state', [
      'state',
      'namespace',
    ]);
    this.#l1Misses = counter('l1_misses_total', 'gets that went past L1 to Redis', ['namespace']);
    this.#groupGets = counter('group_gets_total', 'gets by key group (keyGroups) and outcome', [
      'group',
      'outcome',
      'namespace',
    ]);
    this.#ai = new AISeries(registry, prefix, attached);
  }

  /** Follows one cache's incident events; returns the unsubscribe functions. */
  attach(cache: MonitoredCache, namespace: string): (() => void)[] {
    const offs = [
      cache.on('stale', (e) => this.#stale.inc({ reason: e.reason, namespace })),
      cache.on('factory', (e) =>
        this.#factory.observe({ outcome: e.outcome, namespace }, e.durationMs / 1000),
      ),
      cache.on('lock', (e) => this.#lock.observe({ outcome: e.outcome, namespace }, e.durationMs / 1000)),
      cache.on('bus', (e) => this.#bus.inc({ type: e.type, namespace })),
      cache.on('breaker', (e) => this.#breaker.inc({ state: e.state, namespace })),
      cache.on('operation', (e) => {
        if (e.l1Missed) this.#l1Misses.inc({ namespace });
      }),
      this.#ai.attach(cache, namespace),
    ];
    // Per-group counts need each key: only when groups are configured (an `entry` event per get).
    if (this.#groups.length > 0) {
      offs.push(
        cache.on('entry', (e) => {
          if (e.action !== 'hit' && e.action !== 'miss') return;
          const group = this.#groups.find(([, pattern]) => pattern.test(e.key))?.[0] ?? 'other';
          this.#groupGets.inc({ group, outcome: e.action, namespace });
        }),
      );
    }
    return offs;
  }
}
