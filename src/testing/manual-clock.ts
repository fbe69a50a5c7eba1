import type { Clock } from '../core/clock.js';

/**
 * A clock that moves only when told to, for TTL and window tests without sleeping. It starts well
 * above zero because lru-cache reads a start time of 0 as "no TTL".
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }
}
