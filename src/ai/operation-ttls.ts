import { lifetimeOfSeconds, lifetimeProblem, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { isPlainObject } from '../core/objects.js';
import type { SetOptions } from '../core/types.js';
import { operationOfKey } from './key-generator.js';

/** Default TTLs in seconds per AI operation (SPEC §5). */
export const DEFAULT_OPERATION_TTLS: Readonly<Record<string, number>> = {
  summarize: 7200,
  sentiment: 86_400,
  key_points: 7200,
  questions: 3600,
  qa: 1800,
};

/** Resolves `operationTtls` (durations) into seconds, merged over the defaults, collecting every problem. */
export function resolveOperationTtls(ttls: Record<string, Duration> | undefined): Record<string, number> {
  if (ttls === undefined) return { ...DEFAULT_OPERATION_TTLS };
  if (!isPlainObject(ttls)) {
    throw new ValidationError('operationTtls must be a dictionary (an object of operation name to TTL)', {
      option: 'operationTtls',
    });
  }
  const errors: string[] = [];
  const resolved: Record<string, number> = { ...DEFAULT_OPERATION_TTLS };
  for (const [operation, ttl] of Object.entries(ttls)) {
    if (operation.trim() === '') {
      errors.push('operationTtls keys must be non-empty strings');
      continue;
    }
    const name = `operationTtls['${operation}']`;
    const ms = lifetimeProblem(ttl, name);
    // SPEC §6's message for wrong types and signs; §2's for the 365-day ceiling.
    if (typeof ms === 'number') resolved[operation] = ms / 1000;
    else errors.push(ms.includes('365 days') ? ms : `${name} must be a non-negative integer`);
  }
  if (errors.length > 0) throw new ValidationError(errors.join('; '), { errors, option: 'operationTtls' });
  return resolved;
}

/** The TTL given (a duration or `{ ttl }`), else an AI key's operation TTL, else the default (seconds). */
export function ttlOfKey(
  key: unknown,
  ttl: Duration | SetOptions | undefined,
  ttls: { ttlFor(operation: string): number; readonly defaultTtl: number },
): Duration {
  const given = typeof ttl === 'object' && ttl !== null ? ttl.ttl : ttl;
  if (given !== undefined) return given;
  const operation = typeof key === 'string' ? operationOfKey(key) : undefined;
  return lifetimeOfSeconds(operation === undefined ? ttls.defaultTtl : ttls.ttlFor(operation));
}
