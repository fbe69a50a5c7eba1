/** A monotonic millisecond clock. Inject one to drive TTLs and windows in tests without sleeping. */
export interface Clock {
  now(): number;
}

/** The process's monotonic clock (`performance.now()`). */
export const systemClock: Clock = { now: () => performance.now() };
