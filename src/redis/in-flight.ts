/**
 * Commands sent and not yet answered, and the most in flight during this and the last busy period:
 * adaptive pipelining batches the next command when another is in flight or the last burst had several.
 */
export class InFlightGauge {
  #now = 0;
  #peak = 0;
  #lastPeak = 0;

  /** Commands in flight now. */
  get count(): number {
    return this.#now;
  }

  /** Another command in flight, or several in the last busy period. */
  get busy(): boolean {
    return this.#now > 0 || this.#lastPeak > 1;
  }

  /** `n` commands (or callers served by one command) sent. */
  enter(n: number): void {
    if ((this.#now += n) > this.#peak) this.#peak = this.#now;
  }

  /** `n` answered; the end of a busy period keeps its peak. */
  leave(n: number): void {
    if ((this.#now -= n) === 0) {
      this.#lastPeak = this.#peak;
      this.#peak = 0;
    }
  }
}
