import { ValidationError } from './errors.js';

/**
 * A length of time: a number, or a string with a unit (`'250ms'`, `'90s'`, `'10m'`, `'2h'`, `'7d'`).
 * A bare number is read by kind (docs/configuration.md, "Durations"): **lifetimes** (`ttl`, `defaultTtl`,
 * `grace`, operation TTLs, `memoryCacheTtl`) are seconds, as in the original guide and Redis `EX`;
 * **waits** (`timeout`, `hardTimeout`, `lockTimeout`, `graceBackoff`, `commandTimeout`, `connectTimeout`,
 * `resetTimeout`) are milliseconds, as in Node and ioredis.
 */
export type Duration = number | string;

/** The longest duration accepted anywhere: 365 days. */
export const MAX_TTL_SECONDS = 31_536_000;
const MAX_MS = MAX_TTL_SECONDS * 1000;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE_PATTERN = /^(\d+)\s*(ms|s|m|h|d)$/;
const DECIMAL_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/**
 * A lifetime in milliseconds, or its problem as a message (`{name} must ...`, SPEC §2): a whole number
 * of seconds, or a whole number with a unit (`'250ms'` makes sub-second lifetimes possible).
 */
export function lifetimeProblem(value: unknown, name: string): string | number {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return `${name} must be an integer`;
    ms = value * 1000;
  } else if (typeof value === 'string') {
    const match = WHOLE_PATTERN.exec(value.trim());
    if (!match) return `${name} must be an integer`;
    ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  } else {
    return `${name} must be an integer`;
  }
  if (ms < 0) return `${name} must be non-negative (0 means no expiration)`;
  if (ms > MAX_MS) return `${name} must not exceed 365 days (31,536,000 seconds)`;
  return ms;
}

/** A lifetime in milliseconds; throws `ValidationError` with SPEC §2's messages. */
export function parseLifetimeMs(value: Duration, name = 'ttl'): number {
  const result = lifetimeProblem(value, name);
  if (typeof result === 'string') throw new ValidationError(result, { option: name });
  return result;
}

/** A lifetime in seconds (fractional for a sub-second string such as `'250ms'`). */
export function parseDuration(value: Duration, name = 'ttl'): number {
  return parseLifetimeMs(value, name) / 1000;
}

/**
 * A wait in milliseconds, or its problem: a whole number of milliseconds, or a number with a unit
 * (`'250ms'`, `'1.5s'`, `'2m'`). A bare number from 1 to 9 is refused as a likely mistake (seconds meant),
 * with the string forms that say either.
 */
export function waitProblem(value: unknown, name: string): string | number {
  const form = `a whole number of milliseconds, or a string like '250ms', '2s', '1m'`;
  let ms = Number.NaN;
  if (typeof value === 'number') {
    if (value >= 1 && value < 10 && Number.isInteger(value)) {
      return `${name}: ${value} would be ${value} ms (a bare number is milliseconds for waits); write '${value}s' for seconds, or '${value}ms' to mean it`;
    }
    if (Number.isInteger(value)) ms = value;
  } else if (typeof value === 'string') {
    const match = DECIMAL_PATTERN.exec(value.trim());
    if (match) ms = Math.round(Number(match[1]) * (UNIT_MS[match[2] as string] as number));
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_MS)
    return `${name} must be a non-negative duration: ${form}`;
  return ms;
}

/** A wait in milliseconds (see `waitProblem`); throws `ValidationError` naming the option. */
export function parseWaitMs(value: Duration, name: string): number {
  const result = waitProblem(value, name);
  if (typeof result === 'string') throw new ValidationError(result, { option: name });
  return result;
}

/** A lifetime of `seconds` as a `Duration` that parses back to it: whole seconds, or milliseconds as `'250ms'`. */
export function lifetimeOfSeconds(seconds: number): Duration {
  return Number.isInteger(seconds) ? seconds : `${Math.round(seconds * 1000)}ms`;
}
