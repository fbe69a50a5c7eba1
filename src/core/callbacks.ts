import { ValidationError } from './errors.js';
import type { Logger } from './logger.js';
import type { EntryEvent } from './events.js';

/** The original system's callback hooks (SPEC §4). */
export interface CacheCallbacks {
  get_success: (key: string, value: unknown) => void;
  get_miss: (key: string) => void;
  set_success: (key: string, value: unknown) => void;
  delete_success: (key: string) => void;
}
export type CallbackEvent = keyof CacheCallbacks;

/** The `entry` event action behind each of the original's callback names. */
const ACTIONS: Readonly<Record<CallbackEvent, EntryEvent['action']>> = {
  get_success: 'hit',
  get_miss: 'miss',
  set_success: 'set',
  delete_success: 'delete',
};

/**
 * `registerCallback` as a thin layer over `entry` events: the listener to subscribe for one of the
 * original's callback names. A throwing callback is logged each time and the others still run.
 */
export function callbackListener<E extends CallbackEvent>(
  event: E,
  callback: CacheCallbacks[E],
  logger: Logger,
): (entry: EntryEvent) => void {
  if (!Object.hasOwn(ACTIONS, event)) {
    throw new ValidationError(
      `unknown callback event: ${String(event)} (expected one of ${Object.keys(ACTIONS).join(', ')})`,
      { option: 'event' },
    );
  }
  if (typeof callback !== 'function')
    throw new ValidationError('callback must be a function', { option: 'callback' });
  const action = ACTIONS[event];
  // The two shapes of callback: (key, value) for hits and sets, (key) for misses and deletes.
  const call: (key: string, value?: unknown) => void = callback;
  return (entry) => {
    if (entry.action !== action) return;
    try {
      if (action === 'hit' || action === 'set') call(entry.key, entry.value);
      else call(entry.key);
    } catch (error) {
      logger.error({ event, err: (error as Error).message }, 'a cache callback threw; the others still run');
    }
  };
}
