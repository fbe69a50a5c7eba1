import type { BusEvent } from '../core/events.js';
import { compilePattern } from '../core/pattern.js';

/** Which keys a change covers, as a test; undefined = every key. */
export type KeyTest = ((key: string) => boolean) | undefined;

/** The keys a pattern covers; every key when the pattern is not one (the cache refuses it anyway). */
export function keysOfPattern(pattern: unknown): KeyTest {
  try {
    return typeof pattern === 'string' ? compilePattern(pattern) : undefined;
  } catch {
    return undefined;
  }
}

/** The keys a peer's change covers: the keys it names, else its pattern, else every key. */
export function keysOfChange(event: BusEvent): KeyTest {
  if (event.changedKeys !== undefined) {
    const changed = new Set(event.changedKeys);
    return (key) => changed.has(key);
  }
  return event.pattern === undefined ? undefined : keysOfPattern(event.pattern);
}
