import type { Logger } from '../core/logger.js';

/** One line at the end of each outage: how long it lasted and how many circuit-breaker cycles it saw. */
export class OutageLog {
  /** When the current outage started, and the breaker's opens then. */
  #outage: { startedAt: number; opens: number } | undefined;

  constructor(private readonly logger: Logger) {}

  /** The tier degraded (a second call during the same outage changes nothing). */
  started(breakerOpens: number): void {
    this.#outage ??= { startedAt: performance.now(), opens: breakerOpens };
  }

  /** The tier recovered: logs the outage, if one was going on. */
  ended(breakerOpens: number): void {
    const outage = this.#outage;
    this.#outage = undefined;
    if (!outage) return;
    const seconds = Math.round((performance.now() - outage.startedAt) / 100) / 10;
    const cycles = breakerOpens - outage.opens;
    this.logger.info(
      { outageSeconds: seconds, breakerCycles: cycles },
      `redis connection restored after ${seconds} s (${cycles} circuit breaker cycle${cycles === 1 ? '' : 's'})`,
    );
  }
}
