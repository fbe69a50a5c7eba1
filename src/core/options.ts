import { ValidationError } from '../core/errors.js';

/** Rejects option names a constructor does not know (a typo must not be silently ignored). */
export function assertKnownOptions(options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError('options must be a plain object', { option: 'options' });
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) throw new ValidationError(`unknown option: ${name}`, { option: name });
  }
}

/** High-resolution wall time in milliseconds, for durations reported in events. */
export function hrtimeMs(): number {
  return performance.now();
}
