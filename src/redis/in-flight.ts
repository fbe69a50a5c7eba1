/**
 * Commands sent and not yet answered, and the most in flight during this and the last busy period:
 * adaptive pipelining batches the next command when another is in flight or the last burst had several.
 * Also tells whether any of them was sent in an earlier turn of the event loop (`sentEarlier`): ioredis
 * runs one auto-pipelined batch per connection at a time, so a command batched now goes out with this
 * turn's batch only if no earlier one is still running.
 */
export class InFlightGauge {
  #now = 0;
  #peak = 0;
  #lastPeak = 0;
  /** The current turn (a number that changes at each turn's end) and its commands still in flight. */
  #turn = 0;
  #nowOfThisTurn = 0;
  #turnEndScheduled = false;
  readonly #endTurn = (): void => {
    this.#turn++;
    this.#nowOfThisTurn = 0;
    this.#turnEndScheduled = false;
  };

  /** Commands in flight now. */
  get count(): number {
    return this.#now;
  }

  /** Another command in flight, or several in the last busy period. */
  get busy(): boolean {
    return this.#now > 0 || this.#lastPeak > 1;
  }

  /** Whether a command in flight was sent before this turn of the event loop (not known to be written). */
  get sentEarlier(): boolean {
    return this.#now > this.#nowOfThisTurn;
  }

  /** `n` commands (or callers served by one command) sent; answers the turn to pass to `leave`. */
  enter(n: number): number {
    if ((this.#now += n) > this.#peak) this.#peak = this.#now;
    this.#nowOfThisTurn += n;
    if (!this.#turnEndScheduled) {
      this.#turnEndScheduled = true;
      // After I/O callbacks, where ioredis writes this turn's batch (its own setImmediate, queued later).
      setImmediate(this.#endTurn);
    }
    return this.#turn;
  }

  /** `n` answered, sent in `turn`; the end of a busy period keeps its peak. */
  leave(n: number, turn: number): void {
    if (turn === this.#turn) this.#nowOfThisTurn -= n;
    if ((this.#now -= n) === 0) {
      this.#lastPeak = this.#peak;
      this.#peak = 0;
    }
  }
}
