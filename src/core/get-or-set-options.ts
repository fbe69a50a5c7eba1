import { parseLifetimeMs, parseWaitMs, type Duration } from './duration.js';
import { ValidationError } from './errors.js';
import type { GetOrSetOptions } from './types.js';
import type { TtlPolicy, WritePlan } from './write-plan.js';
import { assertTags } from './write-plan.js';

// getOrSet's options, checked and resolved to milliseconds (see get-or-set.ts), and its lock's lease.

export interface ResolvedGetOrSet {
  ttlMs: number;
  graceMs: number;
  tags: readonly string[] | undefined;
  plan: WritePlan;
  timeoutMs: number;
  hardTimeoutMs: number;
  lockTimeoutMs: number;
  graceBackoffMs: number;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
export const DEFAULT_GRACE_BACKOFF_MS = 10_000;
/** A dead lock owner is detected within its lease; a live one renews it every third of a lease. */
const MAX_LEASE_MS = 5000;
const MIN_LEASE_MS = 200;
const KNOWN = new Set(['ttl', 'tags', 'grace', 'timeout', 'hardTimeout', 'lockTimeout', 'graceBackoff']);

/** The lease of a lock whose waiters wait `lockTimeoutMs`: short enough for them to outlive a dead owner. */
export function leaseFor(lockTimeoutMs: number): number {
  return Math.min(MAX_LEASE_MS, Math.max(MIN_LEASE_MS, Math.round(lockTimeoutMs / 2)));
}

/** Validates `getOrSet` options; timeouts are milliseconds, 0 = none. */
export function resolveGetOrSetOptions(
  options: Duration | GetOrSetOptions | undefined,
  policy: TtlPolicy,
): ResolvedGetOrSet {
  if (options === undefined || typeof options !== 'object' || options === null) {
    const ttlMs = options === undefined ? policy.defaultTtlMs : parseLifetimeMs(options, 'ttl');
    return {
      ttlMs,
      graceMs: 0,
      tags: undefined,
      plan: policy.planMs(ttlMs),
      timeoutMs: 0,
      hardTimeoutMs: 0,
      lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
      graceBackoffMs: DEFAULT_GRACE_BACKOFF_MS,
    };
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new ValidationError(`unknown getOrSet option: ${name}`, { option: name });
  }
  const graceMs = options.grace === undefined ? 0 : parseLifetimeMs(options.grace, 'grace');
  const ttlMs = options.ttl === undefined ? policy.defaultTtlMs : parseLifetimeMs(options.ttl, 'ttl');
  const ms = (value: Duration | undefined, name: string, fallback: number): number =>
    value === undefined ? fallback : parseWaitMs(value, name);
  const timeoutMs = ms(options.timeout, 'timeout', 0);
  const hardTimeoutMs = ms(options.hardTimeout, 'hardTimeout', 0);
  if (timeoutMs > 0 && hardTimeoutMs > 0 && timeoutMs > hardTimeoutMs) {
    throw new ValidationError('timeout must not exceed hardTimeout (the soft timeout comes first)', {
      option: 'timeout',
    });
  }
  const tags = assertTags(options.tags);
  return {
    ttlMs,
    graceMs,
    tags,
    plan: policy.planMs(ttlMs, graceMs, tags),
    timeoutMs,
    hardTimeoutMs,
    lockTimeoutMs: ms(options.lockTimeout, 'lockTimeout', DEFAULT_LOCK_TIMEOUT_MS),
    graceBackoffMs: ms(options.graceBackoff, 'graceBackoff', DEFAULT_GRACE_BACKOFF_MS),
  };
}
