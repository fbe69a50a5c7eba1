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
