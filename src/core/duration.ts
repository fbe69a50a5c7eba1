import { ValidationError } from './errors.js';

/** Whole seconds, or a string with a unit: `'90s'`, `'10m'`, `'2h'`, `'7d'`. */
export type Duration = number | string;

/** The longest TTL accepted anywhere: 365 days. */
export const MAX_TTL_SECONDS = 31_536_000;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION_PATTERN = /^(\d+)\s*(s|m|h|d)$/;

/**
 * Parses a duration into whole seconds, or returns the problem as a message (`{name} must ...`).
 * The one place that decides what a duration is.
 */
export function durationProblem(value: unknown, name: string): string | number {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    const match = DURATION_PATTERN.exec(value.trim());
    if (!match) return `${name} must be an integer`;
    seconds = Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
  } else {
    return `${name} must be an integer`;
  }
  if (!Number.isInteger(seconds)) return `${name} must be an integer`;
  if (seconds < 0) return `${name} must be non-negative (0 means no expiration)`;
  if (seconds > MAX_TTL_SECONDS) return `${name} must not exceed 365 days (31,536,000 seconds)`;
  return seconds;
}

/** Parses a TTL or other duration into whole seconds; throws `ValidationError` with SPEC §2's messages. */
export function parseDuration(value: Duration, name = 'ttl'): number {
  const result = durationProblem(value, name);
  if (typeof result === 'string') throw new ValidationError(result, { option: name });
  return result;
}

const TIMEOUT_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a timeout into milliseconds: a number of seconds (fractions allowed) or a string with a unit,
 * `'250ms'`, `'2s'`, `'1m'`. Throws `ValidationError` naming the option.
 */
export function parseTimeoutMs(value: Duration, name: string): number {
  let ms = Number.NaN;
  if (typeof value === 'number') ms = value * 1000;
  else if (typeof value === 'string') {
    const match = TIMEOUT_PATTERN.exec(value.trim());
    if (match) ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TTL_SECONDS * 1000) {
    throw new ValidationError(
      `${name} must be a non-negative duration: seconds as a number, or a string like '250ms', '2s', '1m'`,
      { option: name },
    );
  }
  return Math.round(ms);
}
